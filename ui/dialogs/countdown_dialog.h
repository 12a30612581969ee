#pragma once
// "Suspending in 42 s": the after-queue countdown with Cancel and "Do It Now". Shown by
// AfterQueue (non-modal); the AfterQueue owns the timer, this only displays and asks.
// Threads: UI thread only.

#include <QDialog>

class QLabel;
class QProgressBar;
class QPushButton;

namespace ui {

class CountdownDialog : public QDialog {
    Q_OBJECT
  public:
    CountdownDialog(int totalSeconds, QWidget* parent = nullptr);

    void setText(const QString& text);
    void setSecondsLeft(int seconds);
    QString text() const;
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* nowButton() const { return m_now; }

  signals:
    void cancelRequested();
    void nowRequested();

  private:
    QLabel* m_label;
    QProgressBar* m_bar;
    QPushButton* m_cancel;
    QPushButton* m_now;
};

}  // namespace ui
