// DeviceListModel (ui/models/device_list_model.*).

#include "ui/models/device_list_model.h"

#include "ui_test.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

engine::gpu::DeviceQuery query(int devices, std::uint64_t used) {
    engine::gpu::DeviceQuery q;
    q.driver_available = devices > 0;
    q.driver_version = "550.1";
    for (int i = 0; i < devices; ++i) {
        engine::gpu::DeviceStatus d;
        d.index = i;
        d.name = "NVIDIA Test " + std::to_string(i);
        d.memory_total_bytes = 16ull << 30;
        d.memory_used_bytes = used;
        d.utilization_percent = 40 + i;
        q.devices.push_back(d);
    }
    return q;
}

}  // namespace

class DeviceListModelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void followsDeviceCountAndValues() {
        ui::DeviceListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.update(query(2, 4ull << 30));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.data(model.index(1, ui::DeviceListModel::NameColumn)).toString(),
                 "GPU 1: NVIDIA Test 1");
        QCOMPARE(model.data(model.index(0, 0), ui::DeviceListModel::MemoryUsedRole).toULongLong(),
                 4ull << 30);
        QCOMPARE(model.data(model.index(0, ui::DeviceListModel::MemoryColumn)).toString(),
                 "4.0 GiB of 16.0 GiB");
        model.update(query(2, 8ull << 30));
        QCOMPARE(inserted.count(), 1);
        QVERIFY(changed.count() >= 1);
        model.update(query(1, 8ull << 30));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(removed.count(), 1);
        model.update(query(0, 0));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.driverAvailable());
    }

    void ticksTheGpusTheQueueMayUse() {
        ui::DeviceListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.queueDevices(), QStringList{"cpu"});  // no GPU listed
        QSignalSpy changed(&model, &ui::DeviceListModel::queueDevicesChanged);
        model.update(query(3, 1ull << 30));
        const QModelIndex gpu1 = model.index(1, ui::DeviceListModel::NameColumn);
        QVERIFY(model.flags(gpu1) & Qt::ItemIsUserCheckable);
        QVERIFY(!(model.flags(model.index(1, ui::DeviceListModel::MemoryColumn)) &
                  Qt::ItemIsUserCheckable));
        QCOMPARE(model.data(gpu1, Qt::CheckStateRole).toInt(), int(Qt::Checked));
        QCOMPARE(model.queueDevices(), (QStringList{"cuda:0", "cuda:1", "cuda:2"}));
        QVERIFY(model.setData(gpu1, Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(model.data(gpu1, Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.last().at(0).toStringList(), (QStringList{"cuda:0", "cuda:2"}));
        QCOMPARE(model.excludedDevices(), QList<int>{1});
        // The choice survives polls; the last ticked GPU cannot be unticked.
        model.update(query(3, 2ull << 30));
        QCOMPARE(model.queueDevices(), (QStringList{"cuda:0", "cuda:2"}));
        QVERIFY(model.setData(model.index(0, 0), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(!model.setData(model.index(2, 0), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(model.queueDevices(), QStringList{"cuda:2"});
        QVERIFY(model.setData(gpu1, Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(model.queueDevices(), (QStringList{"cuda:1", "cuda:2"}));
        // A stored choice excluding every GPU present is ignored.
        model.setExcludedDevices({0});
        model.update(query(1, 0));
        QCOMPARE(model.queueDevices(), QStringList{"cuda:0"});
        QCOMPARE(model.data(model.index(0, 0), Qt::CheckStateRole).toInt(), int(Qt::Checked));
    }
};

FVSR_UI_TEST(DeviceListModelTest)
#include "device_list_model_test.moc"
