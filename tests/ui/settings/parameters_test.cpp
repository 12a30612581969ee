// Parameter catalog, validation, output naming and command lines (ui/settings/parameters.*).

#include "ui/settings/parameters.h"

#include "ui_test.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

namespace {

bool hasIssue(const QList<ui::ParameterIssue>& issues, const QString& key, ui::IssueSeverity s) {
    for (const auto& i : issues) {
        if (i.key == key && i.severity == s) {
            return true;
        }
    }
    return false;
}

}  // namespace

class ParametersTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void catalogCoversEveryEngineOptionOfTheCli() {
        // Every engine parameter of app/cli/cli_options.cpp (input/output/quiet/noise_file are
        // not parameters: the first two come from the media list, the others are for tests).
        const QStringList cli = {"scale",
                                 "output_mode",
                                 "output_format",
                                 "output_bit_depth",
                                 "input_fps",
                                 "output_fps",
                                 "max_frames",
                                 "codec",
                                 "crf",
                                 "quality",
                                 "hw_encoder",
                                 "exr_compression",
                                 "copy_streams",
                                 "overwrite",
                                 "upscaler",
                                 "hdr_mode",
                                 "tone_mapping_method",
                                 "tone_mapping_exposure",
                                 "global_l_max",
                                 "model_dir",
                                 "model_ver",
                                 "mode",
                                 "device",
                                 "precision",
                                 "sparse_ratio",
                                 "kv_ratio",
                                 "local_range",
                                 "seed",
                                 "color_fix",
                                 "attention_mode",
                                 "tiled_vae",
                                 "threads",
                                 "first_frame",
                                 "end_frame",
                                 "lq_resample",
                                 "tiled_dit",
                                 "tile_size",
                                 "tile_overlap",
                                 "tile_shift",
                                 "tile_batch_size",
                                 "adaptive_tile_batch",
                                 "tile_order",
                                 "unload_dit",
                                 "memory_budget",
                                 "max_segment_frames",
                                 "segment_overlap",
                                 "scene_cuts",
                                 "scene_cut_threshold",
                                 "keep_checkpoint"};
        QSet<QString> keys;
        for (const ui::ParameterDef& d : ui::parameterCatalog()) {
            QVERIFY2(!keys.contains(d.key), qPrintable(d.key));
            keys.insert(d.key);
            QVERIFY(d.label != nullptr && d.tooltip != nullptr);
            if (d.scope == ui::ParameterScope::CommandLine) {
                QVERIFY2(cli.contains(d.key), qPrintable(d.key));
            }
        }
        for (const QString& k : cli) {
            QVERIFY2(keys.contains(k), qPrintable(k));
        }
        // The CLI source mentions every command-line key (guards against renames there).
        QFile source(QStringLiteral(FVSR_UI_SOURCE_DIR "/app/cli/cli_options.cpp"));
        if (source.open(QIODevice::ReadOnly)) {
            const QByteArray text = source.readAll();
            for (const QString& k : cli) {
                QVERIFY2(text.contains(("\"--" + k + "\"").toUtf8()), qPrintable(k));
            }
        }
    }

    void defaultsAreValid() {
        const auto issues = ui::validateParameters(ui::defaultParameters());
        QVERIFY(!ui::hasErrors(issues));
        QVERIFY(issues.isEmpty());
    }

    void validationCatchesRangesAndCombinations() {
        QVariantMap v = ui::defaultParameters();
        v["scale"] = 5;
        v["device"] = "gpu0";
        v["precision"] = "bf16";
        QVERIFY(hasIssue(ui::validateParameters(v), "scale", ui::IssueSeverity::Error));
        QVERIFY(hasIssue(ui::validateParameters(v), "device", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["device"] = "cpu";
        v["precision"] = "fp16";
        QVERIFY(hasIssue(ui::validateParameters(v), "precision", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["output_format"] = "mp4";
        v["codec"] = "prores_hq";
        QVERIFY(hasIssue(ui::validateParameters(v), "codec", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["output_format"] = "png";
        QVERIFY(hasIssue(ui::validateParameters(v), "output_format", ui::IssueSeverity::Error));
        v["output_mode"] = "pictures";
        v["output_bit_depth"] = "10";
        QVERIFY(hasIssue(ui::validateParameters(v), "output_bit_depth", ui::IssueSeverity::Error));
        v["output_bit_depth"] = "16";
        QVERIFY(!ui::hasErrors(ui::validateParameters(v)));
        v = ui::defaultParameters();
        v["crf"] = 60;
        QVERIFY(hasIssue(ui::validateParameters(v), "crf", ui::IssueSeverity::Error));
        v["codec"] = "av1";
        QVERIFY(!hasIssue(ui::validateParameters(v), "crf", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["tiled_vae"] = true;
        QVERIFY(hasIssue(ui::validateParameters(v), "tiled_vae", ui::IssueSeverity::Warning));
        v["input_fps"] = "fast";
        QVERIFY(hasIssue(ui::validateParameters(v), "input_fps", ui::IssueSeverity::Error));
        v["mode"] = "huge";
        QVERIFY(hasIssue(ui::validateParameters(v), "mode", ui::IssueSeverity::Error));
    }

    void validatesTilingSegmentsAndRange() {
        QVariantMap v = ui::defaultParameters();
        QCOMPARE(v.value("tile_size").toInt(), 256);
        QCOMPARE(v.value("tile_batch_size").toInt(), 0);
        QVERIFY(!v.contains("memory_budget") && !v.contains("max_segment_frames"));
        // 0 is "automatic" for the tile size although it lies below the range.
        v["tile_size"] = 0;
        QVERIFY(ui::validateParameters(v).isEmpty());
        v["tile_size"] = 16;
        QVERIFY(hasIssue(ui::validateParameters(v), "tile_size", ui::IssueSeverity::Error));
        v["tile_size"] = 64;
        v["tile_overlap"] = 64;
        QVERIFY(hasIssue(ui::validateParameters(v), "tile_overlap", ui::IssueSeverity::Error));
        v["tile_overlap"] = 40;
        QVERIFY(hasIssue(ui::validateParameters(v), "tile_overlap", ui::IssueSeverity::Warning));
        QVERIFY(!ui::hasErrors(ui::validateParameters(v)));
        v = ui::defaultParameters();
        v["max_segment_frames"] = 24;  // < 21 + 2 x 2
        QVERIFY(
            hasIssue(ui::validateParameters(v), "max_segment_frames", ui::IssueSeverity::Error));
        v["max_segment_frames"] = 25;
        QVERIFY(ui::validateParameters(v).isEmpty());
        v["max_segment_frames"] = 5000;
        QVERIFY(
            hasIssue(ui::validateParameters(v), "max_segment_frames", ui::IssueSeverity::Error));
        v["upscaler"] = "bicubic";
        QVERIFY(
            !hasIssue(ui::validateParameters(v), "max_segment_frames", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["scene_cut_threshold"] = 0.0;
        QVERIFY(
            hasIssue(ui::validateParameters(v), "scene_cut_threshold", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["memory_budget"] = 0.05;
        QVERIFY(hasIssue(ui::validateParameters(v), "memory_budget", ui::IssueSeverity::Error));
        v = ui::defaultParameters();
        v["first_frame"] = 10;
        v["end_frame"] = 10;
        QVERIFY(hasIssue(ui::validateParameters(v), "end_frame", ui::IssueSeverity::Error));
        v["end_frame"] = 11;
        QVERIFY(ui::validateParameters(v).isEmpty());
    }

    void tilingOptionsOnTheCommandLine() {
        QVariantMap v = ui::defaultParameters();
        v["tiled_dit"] = true;
        v["tile_size"] = 0;
        v["tile_batch_size"] = 0;
        v["memory_budget"] = 8.0;
        v["keep_checkpoint"] = true;
        v["scene_cuts"] = false;
        v["first_frame"] = 5;
        v["end_frame"] = 50;
        const QStringList args = ui::commandLineArguments(v, "/in/a.mp4", QString());
        QCOMPARE(args.at(args.indexOf("--tiled_dit") + 1), QString("True"));
        QCOMPARE(args.at(args.indexOf("--tile_size") + 1), QString("auto"));
        QVERIFY(!args.contains("--tile_batch_size"));  // the default (auto)
        QVERIFY(!args.contains("--tile_order"));       // the default (auto)
        QCOMPARE(args.at(args.indexOf("--memory_budget") + 1), QString("8"));
        QCOMPARE(args.at(args.indexOf("--scene_cuts") + 1), QString("False"));
        QCOMPARE(args.at(args.indexOf("--first_frame") + 1), QString("5"));
        QCOMPARE(args.at(args.indexOf("--end_frame") + 1), QString("50"));
        v["tile_order"] = "tile";
        const QStringList tileMajor = ui::commandLineArguments(v, "/in/a.mp4", QString());
        QCOMPARE(tileMajor.at(tileMajor.indexOf("--tile_order") + 1), QString("tile"));
        v["tile_order"] = "diagonal";
        QVERIFY(hasIssue(ui::validateParameters(v), "tile_order", ui::IssueSeverity::Error));
        v["tile_order"] = "auto";
        // The tile order combo: three translated choices, automatic first and by default.
        const ui::ParameterDef* order = ui::findParameter("tile_order");
        QVERIFY(order != nullptr);
        QCOMPARE(order->type, ui::ParameterType::Choice);
        QCOMPARE(order->group, ui::ParameterGroup::Tiling);
        QCOMPARE(order->defaultValue.toString(), QString("auto"));
        QCOMPARE(order->choices.size(), 3);
        QCOMPARE(ui::choiceLabel(order->choices.at(0)), QString("Automatic"));
        QCOMPARE(ui::choiceLabel(order->choices.at(1)), QString("Frame by frame"));
        QCOMPARE(ui::choiceLabel(order->choices.at(2)), QString("Tile by tile"));
        QVERIFY(ui::parameterTooltip(*order).contains("least GPU memory"));
        QVERIFY(ui::parameterTooltip(*order).contains("scratch disk"));
        // A flag takes no value.
        QCOMPARE(args.at(args.indexOf("--keep_checkpoint") + 1), QString("--input"));
        v["keep_checkpoint"] = false;
        QVERIFY(!ui::commandLineArguments(v, "/in/a.mp4", QString()).contains("--keep_checkpoint"));
        // Every catalog entry has a group title, label and tooltip.
        for (const ui::ParameterDef& d : ui::parameterCatalog()) {
            QVERIFY(!ui::groupTitle(d.group).isEmpty());
        }
    }

    void parsesRatesLikeTheCli() {
        int n = 0;
        int d = 0;
        QVERIFY(ui::parseRate("23.976", &n, &d));
        QCOMPARE(n, 24000);
        QCOMPARE(d, 1001);
        QVERIFY(ui::parseRate("30000/1001", &n, &d));
        QCOMPARE(n, 30000);
        QVERIFY(ui::parseRate("25", &n, &d));
        QCOMPARE(d, 1);
        QVERIFY(ui::parseRate("12.5", &n, &d));
        QCOMPARE(n, 12500);
        QCOMPARE(d, 1000);
        QVERIFY(!ui::parseRate("0", nullptr, nullptr));
        QVERIFY(!ui::parseRate("1/0", nullptr, nullptr));
        QVERIFY(!ui::parseRate("abc", nullptr, nullptr));
    }

    void outputNameNeverOverwritesTheSource() {
        QTemporaryDir dir;
        const QString input = dir.filePath("clip.mkv");
        QFile(input).open(QIODevice::WriteOnly);
        QVariantMap v = ui::defaultParameters();
        QCOMPARE(ui::resolveOutputPath(ui::kDefaultOutputPattern, input, v),
                 QDir::cleanPath(dir.filePath("clip_flashvsr_x4.mkv")));
        // A pattern that names the input itself gets a suffix.
        QCOMPARE(ui::resolveOutputPath("{name}", input, v),
                 QDir::cleanPath(dir.filePath("clip_upscaled.mkv")));
        // Fields, forbidden characters, output folder and picture output (a folder).
        v["output_folder"] = dir.filePath("out");
        v["scale"] = 2;
        v["upscaler"] = "lanczos";
        QCOMPARE(ui::resolveOutputPath("{name}/{upscaler}:{scale}x_{codec}", input, v),
                 QDir::cleanPath(dir.filePath("out/clip_lanczos_2x_h264.mkv")));
        v["output_mode"] = "pictures";
        v.remove("output_folder");
        QCOMPARE(ui::resolveOutputPath("{name}_{format}", input, v),
                 QDir::cleanPath(dir.filePath("clip_png")));
        // An image-sequence folder input named like the output.
        QDir().mkpath(dir.filePath("seq"));
        QCOMPARE(ui::resolveOutputPath("{name}", dir.filePath("seq"), v),
                 QDir::cleanPath(dir.filePath("seq_upscaled")));
    }

    void commandLineHasOnlyChangedOptions() {
        QVariantMap v = ui::defaultParameters();
        QCOMPARE(ui::commandLineArguments(v, "/in/a b.mp4", "/out/x.mkv"),
                 QStringList({"--input", "/in/a b.mp4", "--output", "/out/x.mkv"}));
        v["mode"] = "full";
        v["tiled_vae"] = true;
        v["sparse_ratio"] = 1.5;
        v["crf"] = 18;
        v["output_pattern"] = "{name}";
        const QStringList args = ui::commandLineArguments(v, "/in/a.mp4", QString());
        QVERIFY(args.contains("--mode") && args.at(args.indexOf("--mode") + 1) == "full");
        QCOMPARE(args.at(args.indexOf("--tiled_vae") + 1), QString("True"));
        QCOMPARE(args.at(args.indexOf("--sparse_ratio") + 1), QString("1.5"));
        QCOMPARE(args.at(args.indexOf("--crf") + 1), QString("18"));
        QVERIFY(!args.contains("--output_pattern"));
        QCOMPARE(ui::shellJoin({"flashvsr", "--input", "/in/a b's.mp4"}),
                 QString("flashvsr --input '/in/a b'\\''s.mp4'"));
    }
};

FVSR_UI_TEST(ParametersTest)
#include "parameters_test.moc"
