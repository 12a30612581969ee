// AfterQueue with a fake session bus (ui/bridge/after_queue.*, ui/dialogs/countdown_dialog.*):
// the sleep inhibitor follows the queue, notifications, the countdown (cancel, "now", expiry)
// and every action, and unavailable logind.

#include "ui/bridge/after_queue.h"

#include "ui/dialogs/countdown_dialog.h"
#include "ui_test.h"

#include <QFileInfo>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

namespace {

// Records what would have been asked of logind and the notification daemon.
class FakeSessionServices : public ui::SessionServices {
  public:
    bool bus = true;
    int suspendCalls = 0;
    int powerOffCalls = 0;
    int inhibitCalls = 0;
    int releaseCalls = 0;
    bool inhibiting = false;
    QStringList notifications;  // "title|body|critical"

    bool powerManagementAvailable() const override { return bus; }
    bool notificationsAvailable() const override { return bus; }
    bool suspend(QString* error) override {
        ++suspendCalls;
        return answer(error);
    }
    bool powerOff(QString* error) override {
        ++powerOffCalls;
        return answer(error);
    }
    bool inhibit(const QString&, QString* error) override {
        ++inhibitCalls;
        inhibiting = bus;
        return answer(error);
    }
    void releaseInhibitor() override {
        if (inhibiting) {
            ++releaseCalls;
        }
        inhibiting = false;
    }
    bool isInhibiting() const override { return inhibiting; }
    bool notify(const QString& title, const QString& body, bool critical) override {
        if (!bus) {
            return false;
        }
        notifications << title + "|" + body + "|" + (critical ? "critical" : "normal");
        return true;
    }

  private:
    bool answer(QString* error) const {
        if (!bus && error != nullptr) {
            *error = "no bus";
        }
        return bus;
    }
};

}  // namespace

class AfterQueueTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void holdsTheInhibitorWhileBusyAndNotifies() {
        FakeSessionServices bus;
        ui::AfterQueue after(bus);
        after.onQueueBusyChanged(true);
        QVERIFY(bus.isInhibiting());
        QCOMPARE(bus.inhibitCalls, 1);
        after.onJobFailed("clip.mp4", engine::Error(engine::ErrorCode::DiskFull, "full"));
        QCOMPARE(bus.notifications.size(), 1);
        QVERIFY(bus.notifications.first().startsWith("Job failed: clip.mp4|"));
        QVERIFY(bus.notifications.first().endsWith("|critical"));
        // A cancellation is no failure worth a notification.
        after.onJobFailed("clip.mp4", engine::Error(engine::ErrorCode::Cancelled, "stop"));
        QCOMPARE(bus.notifications.size(), 1);
        after.onQueueBusyChanged(false);
        QVERIFY(!bus.isInhibiting());
        QCOMPARE(bus.releaseCalls, 1);
        after.onQueueFinished(3, 0, 1);
        // (English plural forms come from the .qm when a window installed it.)
        QVERIFY(bus.notifications.last().startsWith("The queue is finished|3 job"));
        QVERIFY(bus.notifications.last().endsWith("1 cancelled.|normal"));
        // Nothing chosen: no countdown, no call.
        QVERIFY(!after.isCountingDown());
        QCOMPARE(bus.suspendCalls + bus.powerOffCalls, 0);
    }

    void suspendsAfterTheCountdown() {
        FakeSessionServices bus;
        QWidget window;
        ui::AfterQueue after(bus);
        after.setDialogParent(&window);
        after.setAction(ui::AfterQueueAction::Suspend);
        after.setCountdownSeconds(1);
        QSignalSpy performed(&after, &ui::AfterQueue::actionPerformed);
        after.onQueueBusyChanged(true);
        after.onQueueBusyChanged(false);
        after.onQueueFinished(1, 0, 0);
        QVERIFY(after.isCountingDown());
        QVERIFY(after.countdownDialog() != nullptr);
        QVERIFY(after.countdownDialog()->text().contains("suspends in 1 second"));
        QTRY_COMPARE_WITH_TIMEOUT(performed.size(), 1, 5000);
        QCOMPARE(bus.suspendCalls, 1);
        QCOMPARE(performed.first().at(1).toBool(), true);
        QVERIFY(!after.isCountingDown());
        QVERIFY(after.countdownDialog() == nullptr);
    }

    void cancelAndNowButtons() {
        FakeSessionServices bus;
        QWidget window;
        ui::AfterQueue after(bus);
        after.setDialogParent(&window);
        after.setCountdownSeconds(60);
        QSignalSpy cancelled(&after, &ui::AfterQueue::countdownCancelled);

        after.setAction(ui::AfterQueueAction::PowerOff);
        after.onQueueFinished(1, 0, 0);
        QVERIFY(after.countdownDialog() != nullptr);
        QVERIFY(after.countdownDialog()->text().contains("shuts down in 60 second"));
        after.countdownDialog()->cancelButton()->click();
        QCOMPARE(cancelled.size(), 1);
        QVERIFY(!after.isCountingDown());
        QTest::qWait(50);
        QCOMPARE(bus.powerOffCalls, 0);

        after.onQueueFinished(1, 0, 0);
        after.countdownDialog()->nowButton()->click();
        QCOMPARE(bus.powerOffCalls, 1);
        QCOMPARE(cancelled.size(), 1);

        // New work while counting down cancels the pending action.
        after.onQueueFinished(1, 0, 0);
        QVERIFY(after.isCountingDown());
        after.onQueueBusyChanged(true);
        QVERIFY(!after.isCountingDown());
        QCOMPARE(cancelled.size(), 2);
        QCOMPARE(bus.powerOffCalls, 1);
    }

    void quitsAndRunsCommands() {
        FakeSessionServices bus;
        ui::AfterQueue after(bus);
        after.setCountdownSeconds(0);
        QSignalSpy quit(&after, &ui::AfterQueue::quitRequested);
        after.setAction(ui::AfterQueueAction::Quit);
        after.onQueueFinished(1, 0, 0);
        QCOMPARE(quit.size(), 1);

        QTemporaryDir dir;
        const QString marker = dir.filePath("queue done");
        after.setAction(ui::AfterQueueAction::RunCommand);
        after.setCommand("touch '" + marker + "'");
        QSignalSpy performed(&after, &ui::AfterQueue::actionPerformed);
        after.onQueueFinished(1, 0, 0);
        QCOMPARE(performed.size(), 1);
        QVERIFY(performed.first().at(1).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(marker), 5000);
        QCOMPARE(bus.suspendCalls + bus.powerOffCalls, 0);
    }

    void reportsAnUnavailableBus() {
        FakeSessionServices bus;
        bus.bus = false;
        ui::AfterQueue after(bus);
        QVERIFY(!after.isAvailable(ui::AfterQueueAction::Suspend));
        QVERIFY(!after.isAvailable(ui::AfterQueueAction::PowerOff));
        QVERIFY(after.isAvailable(ui::AfterQueueAction::Quit));
        after.setAction(ui::AfterQueueAction::Suspend);
        after.setCountdownSeconds(0);
        QSignalSpy performed(&after, &ui::AfterQueue::actionPerformed);
        after.onQueueFinished(0, 1, 0);
        QCOMPARE(performed.size(), 1);
        QVERIFY(!performed.first().at(1).toBool());
        QCOMPARE(performed.first().at(2).toString(), QString("no bus"));
        // The real services on this machine: whatever the bus, they answer without hanging.
        auto real = ui::makeSessionServices();
        QString problem;
        if (!real->powerManagementAvailable()) {
            QVERIFY(!real->suspend(&problem));
            QVERIFY(!problem.isEmpty());
            QVERIFY(!real->inhibit("test", &problem));
        }
    }
};

FVSR_UI_TEST(AfterQueueTest)
#include "after_queue_test.moc"
