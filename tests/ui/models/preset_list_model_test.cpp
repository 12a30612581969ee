// PresetListModel (ui/models/preset_list_model.*).

#include "ui/models/preset_list_model.h"

#include "ui/settings/parameters.h"
#include "ui_test.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

class PresetListModelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void builtInsThenUserPresets() {
        QTemporaryDir dir;
        ui::PresetStore store(dir.path());
        ui::PresetListModel model(store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int builtIns = static_cast<int>(ui::builtInPresets().size());
        QCOMPARE(builtIns, 7);
        QCOMPARE(model.rowCount(), builtIns);
        QCOMPARE(model.data(model.index(0), ui::PresetListModel::IdRole).toString(), "fast");
        QVERIFY(model.data(model.index(0), ui::PresetListModel::BuiltInRole).toBool());

        QString error;
        QVariantMap v = ui::defaultParameters();
        v["scale"] = 2;
        QVERIFY(model.savePreset("Zeta", v, &error).has_value());
        QVERIFY(model.savePreset("Alpha", v, &error).has_value());
        QCOMPARE(model.rowCount(), builtIns + 2);
        QCOMPARE(model.data(model.index(builtIns)).toString(), "Alpha");
        QCOMPARE(model.data(model.index(builtIns + 1)).toString(), "Zeta");
        // Saving under an existing name replaces it.
        v["scale"] = 3;
        QVERIFY(model.savePreset("Alpha", v, &error).has_value());
        QCOMPARE(model.rowCount(), builtIns + 2);
        QCOMPARE(model.presetAt(builtIns)->values.value("scale").toInt(), 3);

        QVERIFY(!model.removePreset("fast", &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(model.removePreset(model.presetAt(builtIns)->id, &error));
        QCOMPARE(model.rowCount(), builtIns + 1);
        QCOMPARE(model.data(model.index(builtIns)).toString(), "Zeta");
        model.reload();
        QCOMPARE(model.rowCount(), builtIns + 1);
    }
};

FVSR_UI_TEST(PresetListModelTest)
#include "preset_list_model_test.moc"
