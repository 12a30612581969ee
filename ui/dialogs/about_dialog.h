#pragma once
// About FlashVSR Studio: version, what it is, the libraries it runs on. Threads: UI thread.

#include <QDialog>

namespace ui {

class AboutDialog : public QDialog {
    Q_OBJECT
  public:
    explicit AboutDialog(QWidget* parent = nullptr);
};

}  // namespace ui
