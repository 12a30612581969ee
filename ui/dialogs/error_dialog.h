#pragma once
// Shows an engine error in the user's words (ui/bridge/error_text): the title, what happened,
// what to do, and the technical details behind "Show Details…". Threads: UI thread only.

#include "ui/bridge/error_text.h"

#include <QMessageBox>

namespace ui {

class ErrorDialog : public QMessageBox {
    Q_OBJECT
  public:
    ErrorDialog(const ErrorText& text, bool isCancellation, QWidget* parent = nullptr);
    explicit ErrorDialog(const engine::Error& error, QWidget* parent = nullptr);
};

}  // namespace ui
