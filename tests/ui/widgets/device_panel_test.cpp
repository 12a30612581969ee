// DevicePanel worker cards (ui/widgets/device_panel.*): a card per GPU with its current job and
// the "Use for the queue" tick bound to DeviceListModel.

#include "ui/widgets/device_panel.h"

#include "ui/models/device_list_model.h"
#include "ui_test.h"

#include <QCheckBox>
#include <QTest>

class DevicePanelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void cardsShowJobsAndTheQueueChoice() {
        ui::DeviceListModel model;
        ui::DevicePanel panel(model);
        engine::gpu::DeviceQuery q;
        q.driver_available = true;
        for (int i = 0; i < 2; ++i) {
            engine::gpu::DeviceStatus d;
            d.index = i;
            d.name = "NVIDIA Test";
            d.memory_total_bytes = 8ull << 30;
            d.memory_used_bytes = 1ull << 30;
            q.devices.push_back(d);
        }
        model.update(q);
        QCOMPARE(panel.cardCount(), 2);
        QCOMPARE(panel.historyLength(0), 1);
        panel.setDeviceJobs({{"cuda:1", "clip.mp4"}});
        QCOMPARE(panel.cardJobText(0), QString("Idle"));
        QCOMPARE(panel.cardJobText(1), QString("Current job: clip.mp4"));
        QVERIFY(panel.useCheckBox(0)->isChecked());
        panel.useCheckBox(0)->setChecked(false);
        QCOMPARE(model.queueDevices(), QStringList{"cuda:1"});
        // The last GPU stays: the box springs back.
        panel.useCheckBox(1)->setChecked(false);
        QVERIFY(panel.useCheckBox(1)->isChecked());
        QCOMPARE(model.queueDevices(), QStringList{"cuda:1"});
        QCOMPARE(panel.historyLength(0), 1);  // ticks are not polls
        QVERIFY(panel.useCheckBox(2) == nullptr);
    }
};

FVSR_UI_TEST(DevicePanelTest)
#include "device_panel_test.moc"
