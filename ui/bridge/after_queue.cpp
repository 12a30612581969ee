#include "ui/bridge/after_queue.h"

#include "engine/core/log.h"
#include "ui/bridge/error_text.h"
#include "ui/dialogs/countdown_dialog.h"

#include <QApplication>
#include <QProcess>
#include <QSystemTrayIcon>
#include <QWidget>

namespace ui {

AfterQueue::AfterQueue(SessionServices& services, QObject* parent)
    : QObject(parent), m_services(services) {
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &AfterQueue::onTick);
}

AfterQueue::~AfterQueue() {
    m_services.releaseInhibitor();
    if (m_dialog) {
        delete m_dialog;
    }
}

bool AfterQueue::isAvailable(AfterQueueAction action) const {
    if (action == AfterQueueAction::Suspend || action == AfterQueueAction::PowerOff) {
        return m_services.powerManagementAvailable();
    }
    return true;
}

void AfterQueue::onQueueBusyChanged(bool busy) {
    if (busy) {
        // A queued night of work must not be cut short by the idle timer.
        QString problem;
        if (!m_services.inhibit(tr("Upscaling videos"), &problem)) {
            engine::log_info("queue: cannot keep the system awake: " + problem.toStdString());
        }
        // New work cancels a pending "after the queue" action.
        cancelCountdown();
    } else {
        m_services.releaseInhibitor();
    }
}

void AfterQueue::onJobFailed(const QString& jobName, const engine::Error& error) {
    if (error.code == engine::ErrorCode::Cancelled) {
        return;
    }
    const ErrorText text = errorText(error);
    notify(tr("Job failed: %1").arg(jobName), text.title + QLatin1Char('\n') + text.what, true);
}

void AfterQueue::onQueueFinished(int succeeded, int failed, int cancelled) {
    QString body = tr("%n job(s) done", nullptr, succeeded);
    if (failed > 0) {
        body += QStringLiteral(", ") + tr("%n failed", nullptr, failed);
    }
    if (cancelled > 0) {
        body += QStringLiteral(", ") + tr("%n cancelled", nullptr, cancelled);
    }
    notify(tr("The queue is finished"), body + QLatin1Char('.'), failed > 0);

    if (m_action == AfterQueueAction::Nothing) {
        return;
    }
    m_pending = m_action;
    m_secondsLeft = m_countdownSeconds;
    emit countdownStarted(m_pending, m_secondsLeft);
    if (m_secondsLeft == 0) {
        performNow();
        return;
    }
    if (m_dialogParent) {
        m_dialog = new CountdownDialog(m_secondsLeft, m_dialogParent);
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
        m_dialog->setText(countdownText());
        connect(m_dialog, &CountdownDialog::cancelRequested, this, &AfterQueue::cancelCountdown);
        connect(m_dialog, &CountdownDialog::nowRequested, this, &AfterQueue::performNow);
        m_dialog->show();
    }
    m_timer.start();
}

QString AfterQueue::countdownText() const {
    switch (m_pending) {
        case AfterQueueAction::Quit:
            return tr("FlashVSR Studio quits in %n second(s).", nullptr, m_secondsLeft);
        case AfterQueueAction::Suspend:
            return tr("The computer suspends in %n second(s).", nullptr, m_secondsLeft);
        case AfterQueueAction::PowerOff:
            return tr("The computer shuts down in %n second(s).", nullptr, m_secondsLeft);
        case AfterQueueAction::RunCommand:
            return tr("\"%1\" runs in %n second(s).", nullptr, m_secondsLeft).arg(m_command);
        case AfterQueueAction::Nothing:
            break;
    }
    return {};
}

void AfterQueue::onTick() {
    m_secondsLeft = std::max(0, m_secondsLeft - 1);
    if (m_dialog) {
        m_dialog->setSecondsLeft(m_secondsLeft);
        m_dialog->setText(countdownText());
    }
    if (m_secondsLeft == 0) {
        performNow();
    }
}

void AfterQueue::cancelCountdown() {
    if (m_pending == AfterQueueAction::Nothing) {
        return;
    }
    m_pending = AfterQueueAction::Nothing;
    m_timer.stop();
    if (m_dialog) {
        CountdownDialog* dialog = m_dialog;
        m_dialog = nullptr;
        dialog->close();
    }
    emit countdownCancelled();
}

void AfterQueue::performNow() {
    const AfterQueueAction action = m_pending;
    if (action == AfterQueueAction::Nothing) {
        return;
    }
    m_pending = AfterQueueAction::Nothing;
    m_timer.stop();
    if (m_dialog) {
        CountdownDialog* dialog = m_dialog;
        m_dialog = nullptr;
        dialog->accept();
    }
    QString problem;
    bool ok = true;
    switch (action) {
        case AfterQueueAction::Quit:
            emit quitRequested();
            break;
        case AfterQueueAction::Suspend:
            m_services.releaseInhibitor();
            ok = m_services.suspend(&problem);
            break;
        case AfterQueueAction::PowerOff:
            m_services.releaseInhibitor();
            ok = m_services.powerOff(&problem);
            break;
        case AfterQueueAction::RunCommand:
            ok = !m_command.trimmed().isEmpty() &&
                 QProcess::startDetached(QStringLiteral("/bin/sh"),
                                         {QStringLiteral("-c"), m_command});
            if (!ok) {
                problem = QStringLiteral("cannot start /bin/sh -c \"%1\"").arg(m_command);
            }
            break;
        case AfterQueueAction::Nothing:
            break;
    }
    if (!ok) {
        engine::log_warning("after the queue: " + problem.toStdString());
    }
    emit actionPerformed(action, ok, problem);
}

void AfterQueue::notify(const QString& title, const QString& body, bool critical) {
    bool shown = m_services.notify(title, body, critical);
    if (!shown && QSystemTrayIcon::isSystemTrayAvailable()) {
        if (m_tray == nullptr) {
            m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
        }
        m_tray->show();
        m_tray->showMessage(title, body,
                            critical ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
        shown = true;
    }
    if (shown) {
        emit notified(title, body);
    }
}

}  // namespace ui
