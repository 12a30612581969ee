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
};

FVSR_UI_TEST(DeviceListModelTest)
#include "device_list_model_test.moc"
