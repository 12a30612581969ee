// Preset JSON round trip, import and export (ui/settings/preset_store.*).

#include "ui/settings/preset_store.h"

#include "ui/settings/parameters.h"
#include "ui_test.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class PresetStoreTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void jsonRoundTripKeepsEveryValue() {
        ui::Preset p;
        p.name = QStringLiteral("Mine 高");
        QVariantMap v = ui::defaultParameters();
        v["scale"] = 3;
        v["sparse_ratio"] = 1.75;
        v["tiled_vae"] = true;
        v["mode"] = "tiny-long";
        v["crf"] = 20;
        v["global_l_max"] = 12.5;
        v["input_fps"] = "24000/1001";
        v["output_pattern"] = "{name}_{date}";
        v["tile_order"] = "tile";
        p.values = v;
        QString error;
        const auto back = ui::presetFromJson(ui::presetToJson(p), &error);
        QVERIFY2(back.has_value(), qPrintable(error));
        QCOMPARE(back->name, p.name);
        QCOMPARE(back->values, ui::withDefaults(v));
        QCOMPARE(back->values.value("sparse_ratio").toDouble(), 1.75);
        QCOMPARE(back->values.value("crf").toInt(), 20);
        QCOMPARE(back->values.value("tile_order").toString(), QString("tile"));
        // A preset saved before the tile order existed reads as automatic.
        ui::Preset old = p;
        old.values.remove("tile_order");
        const auto oldBack = ui::presetFromJson(ui::presetToJson(old), &error);
        QVERIFY2(oldBack.has_value(), qPrintable(error));
        QCOMPARE(oldBack->values.value("tile_order").toString(), QString("auto"));
    }

    void everyBuiltInIsValidAndRoundTrips() {
        for (const ui::Preset& p : ui::builtInPresets()) {
            QVERIFY2(!ui::hasErrors(ui::validateParameters(ui::presetParameters(p))),
                     qPrintable(p.id));
            QVERIFY(!ui::presetDescription(p).isEmpty());
            QString error;
            const auto back = ui::presetFromJson(ui::presetToJson(p), &error);
            QVERIFY2(back.has_value(), qPrintable(error));
            QCOMPARE(back->values, ui::presetParameters(p));
        }
    }

    void rejectsBadFilesWithReasons() {
        QString error;
        QVERIFY(!ui::presetFromJson("{", &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!ui::presetFromJson(R"({"format":"other","name":"x"})", &error));
        QVERIFY(!ui::presetFromJson(
            R"({"format":"flashvsr-studio-preset","version":1,"name":"x","parameters":{"scale":9}})",
            &error));
        QVERIFY(error.contains("Scale"));
        QVERIFY(!ui::presetFromJson(
            R"({"format":"flashvsr-studio-preset","version":1,"name":"x","parameters":{"mode":3}})",
            &error));
        QVERIFY(!ui::presetFromJson(
            R"({"format":"flashvsr-studio-preset","version":99,"name":"x","parameters":{}})",
            &error));
        // Unknown parameters are ignored (files from newer versions stay usable).
        const auto ok = ui::presetFromJson(
            R"({"format":"flashvsr-studio-preset","version":1,"name":"x","parameters":{"future":1,"scale":2}})",
            &error);
        QVERIFY(ok.has_value());
        QCOMPARE(ok->values.value("scale").toInt(), 2);
        QVERIFY(!ok->values.contains("future"));
    }

    void storeSavesExportsAndImports() {
        QTemporaryDir dir;
        ui::PresetStore store(dir.filePath("presets"));
        QString error;
        QVariantMap v = ui::defaultParameters();
        v["local_range"] = 9;
        const auto id = store.save("Night shots", v, &error);
        QVERIFY2(id.has_value(), qPrintable(error));
        QCOMPARE(*id, QString("user:night_shots"));
        const auto saved = store.find(*id);
        QVERIFY(saved.has_value());
        QVERIFY(store.exportTo(*saved, dir.filePath("export.json"), &error));

        ui::PresetStore other(dir.filePath("other"));
        const auto imported = other.importFrom(dir.filePath("export.json"), &error);
        QVERIFY2(imported.has_value(), qPrintable(error));
        QCOMPARE(other.find(*imported)->values, saved->values);
        QCOMPARE(other.find(*imported)->values.value("local_range").toInt(), 9);

        // A broken file in the folder is skipped and reported.
        QFile broken(dir.filePath("other/broken.json"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("not json");
        broken.close();
        QStringList problems;
        other.reload(&problems);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(other.presets().size(), ui::builtInPresets().size() + 1);
        QVERIFY(!other.importFrom(dir.filePath("missing.json"), &error));
    }
};

FVSR_UI_TEST(PresetStoreTest)
#include "preset_store_test.moc"
