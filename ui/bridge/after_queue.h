#pragma once
// What happens when the queue runs dry, and keeping the machine awake meanwhile.
//  - While the runner is busy a logind "sleep:idle" inhibitor is held; it is released when the
//    queue stops or finishes.
//  - When the queue finishes (JobRunner::queueFinished) a desktop notification says how it went
//    (failures are notified as they happen), with a tray-icon message as the fallback.
//  - The chosen action (nothing, quit, suspend, power off, run a command) starts after a
//    countdown that the user can cancel or cut short (CountdownDialog, when a dialog parent is
//    set; tests drive cancelCountdown()/performNow() directly).
// All session calls go through SessionServices, so tests use a fake bus.
//
// Threads: UI thread only. `services` must outlive this object.

#include "engine/core/error.h"
#include "ui/bridge/session_services.h"
#include "ui/dialogs/countdown_dialog.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QSystemTrayIcon;
class QWidget;

namespace ui {

enum class AfterQueueAction { Nothing, Quit, Suspend, PowerOff, RunCommand };

class AfterQueue : public QObject {
    Q_OBJECT
  public:
    explicit AfterQueue(SessionServices& services, QObject* parent = nullptr);
    ~AfterQueue() override;

    void setAction(AfterQueueAction action) { m_action = action; }
    AfterQueueAction action() const { return m_action; }
    // Run by /bin/sh -c, detached, for AfterQueueAction::RunCommand.
    void setCommand(const QString& command) { m_command = command; }
    QString command() const { return m_command; }
    void setCountdownSeconds(int seconds) { m_countdownSeconds = std::max(0, seconds); }
    int countdownSeconds() const { return m_countdownSeconds; }
    // Where the countdown dialog appears; without one the countdown runs silently.
    void setDialogParent(QWidget* parent) { m_dialogParent = parent; }
    // Suspend and power off need logind; the others are always available.
    bool isAvailable(AfterQueueAction action) const;
    SessionServices& services() { return m_services; }

    bool isCountingDown() const { return m_timer.isActive(); }
    int secondsLeft() const { return m_secondsLeft; }
    CountdownDialog* countdownDialog() const { return m_dialog; }

    // Slots for JobRunner's signals.
    void onQueueBusyChanged(bool busy);
    void onQueueFinished(int succeeded, int failed, int cancelled);
    void onJobFailed(const QString& jobName, const engine::Error& error);

    void cancelCountdown();
    // Performs the action now (also what the countdown ends with).
    void performNow();

  signals:
    void countdownStarted(ui::AfterQueueAction action, int seconds);
    void countdownCancelled();
    // ok false: `problem` says why (technical, logged).
    void actionPerformed(ui::AfterQueueAction action, bool ok, const QString& problem);
    // AfterQueueAction::Quit: the window closes itself.
    void quitRequested();
    // A notification was shown (desktop or tray); for the log.
    void notified(const QString& title, const QString& body);

  private:
    void notify(const QString& title, const QString& body, bool critical);
    void onTick();
    QString countdownText() const;

    SessionServices& m_services;
    AfterQueueAction m_action = AfterQueueAction::Nothing;
    AfterQueueAction m_pending = AfterQueueAction::Nothing;
    QString m_command;
    int m_countdownSeconds = 60;
    int m_secondsLeft = 0;
    QTimer m_timer;
    QPointer<QWidget> m_dialogParent;
    QPointer<CountdownDialog> m_dialog;
    QSystemTrayIcon* m_tray = nullptr;
};

}  // namespace ui
