// Parameter values -> JobSpec (ui/bridge/job_spec_builder.*): every catalog parameter reaches
// its JobSpec field, and the spec maps back to the same values.

#include "ui/bridge/job_spec_builder.h"

#include "ui/settings/parameters.h"
#include "ui_test.h"

#include <QTest>

class JobSpecBuilderTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void mapsEveryParameter() {
        // A value other than the default for every command-line parameter.
        const QVariantMap values = {{"upscaler", "lanczos"},
                                    {"scale", 3},
                                    {"model_dir", "/models/fv"},
                                    {"model_ver", "1.0"},
                                    {"mode", "full"},
                                    {"color_fix", "wavelet"},
                                    {"seed", 42},
                                    {"sparse_ratio", 1.5},
                                    {"kv_ratio", 2.5},
                                    {"local_range", 9},
                                    {"attention_mode", "reference"},
                                    {"device", "cuda:1"},
                                    {"precision", "fp16"},
                                    {"tiled_vae", true},
                                    {"threads", 3},
                                    {"max_frames", 50},
                                    {"first_frame", 10},
                                    {"end_frame", 40},
                                    {"lq_resample", "pil_bicubic"},
                                    {"unload_dit", true},
                                    {"memory_budget", 6.5},
                                    {"tiled_dit", true},
                                    {"tile_size", 0},
                                    {"tile_overlap", 32},
                                    {"tile_shift", false},
                                    {"tile_batch_size", 4},
                                    {"adaptive_tile_batch", false},
                                    {"tile_order", "tile"},
                                    {"max_segment_frames", 500},
                                    {"segment_overlap", 4},
                                    {"scene_cuts", false},
                                    {"scene_cut_threshold", 0.5},
                                    {"keep_checkpoint", true},
                                    {"output_mode", "pictures"},
                                    {"output_format", "exr"},
                                    {"codec", "h265"},
                                    {"quality", "medium"},
                                    {"crf", 20},
                                    {"output_bit_depth", "32"},
                                    {"hw_encoder", false},
                                    {"exr_compression", "piz"},
                                    {"copy_streams", false},
                                    {"overwrite", true},
                                    {"input_fps", "24000/1001"},
                                    {"output_fps", "30000/1001"},
                                    {"hdr_mode", "tone_mapping"},
                                    {"tone_mapping_method", "aces"},
                                    {"tone_mapping_exposure", 1.5},
                                    {"global_l_max", 12.5}};
        const QVariantMap defaults = ui::defaultParameters();
        for (const ui::ParameterDef& d : ui::parameterCatalog()) {
            if (d.scope == ui::ParameterScope::CommandLine) {
                QVERIFY2(values.contains(d.key), qPrintable("untested parameter " + d.key));
                QVERIFY2(values.value(d.key) != defaults.value(d.key), qPrintable(d.key));
            }
        }
        auto spec = ui::buildJobSpec(values, "/in/clip.mov", "/out/clip_frames");
        QVERIFY(spec.ok());
        const engine::jobs::JobSpec& s = *spec;
        using namespace engine::jobs;
        QCOMPARE(s.input.string(), std::string("/in/clip.mov"));
        QCOMPARE(s.output.string(), std::string("/out/clip_frames"));
        QCOMPARE(s.upscaler, UpscalerKind::Lanczos);
        QCOMPARE(s.scale, 3);
        QCOMPARE(s.model.model_dir.string(), std::string("/models/fv"));
        QCOMPARE(s.model.version, ModelVersion::V10);
        QCOMPARE(s.model.mode, ModelMode::Full);
        QCOMPARE(s.model.color_fix, ModelColorFix::Wavelet);
        QCOMPARE(s.model.seed, std::uint64_t(42));
        QCOMPARE(s.model.sparse_ratio, 1.5);
        QCOMPARE(s.model.kv_ratio, 2.5);
        QCOMPARE(s.model.local_range, 9);
        QCOMPARE(s.model.attention, ModelAttention::Reference);
        QCOMPARE(s.model.device, std::string("cuda:1"));
        QCOMPARE(s.model.precision, ModelPrecision::FP16);
        QVERIFY(s.model.tiled_vae);
        QCOMPARE(s.threads, 3);
        // end_frame 40 is inside first_frame + max_frames = 60.
        QCOMPARE(s.first_frame, std::int64_t(10));
        QCOMPARE(s.end_frame, std::int64_t(40));
        QCOMPARE(s.model.lq_resample, ModelLqResample::PilBicubic);
        QVERIFY(s.model.unload_dit);
        QCOMPARE(s.model.memory_budget, std::int64_t(6.5 * 1024 * 1024 * 1024));
        QVERIFY(s.model.tiled_dit);
        QCOMPARE(s.model.tile_size, 0);
        QCOMPARE(s.model.tile_overlap, 32);
        QCOMPARE(s.model.tile_order, ModelTileOrder::TileMajor);
        QVERIFY(!s.model.tile_shift);
        QCOMPARE(s.model.tile_batch_size, 4);
        QVERIFY(!s.model.adaptive_tile_batch);
        QCOMPARE(s.segments.max_segment_frames, std::int64_t(500));
        QCOMPARE(s.segments.segment_overlap, 4);
        QVERIFY(!s.segments.scene_cuts);
        QCOMPARE(s.segments.scene_cut_threshold, 0.5);
        QCOMPARE(s.retention, CheckpointRetention::Keep);
        QVERIFY(engine::jobs::validate(s).ok());
        QCOMPARE(s.output_settings.mode, engine::io::OutputMode::Pictures);
        QCOMPARE(s.output_settings.format, std::string("exr"));
        QVERIFY(s.output_settings.codec == engine::io::VideoCodec::H265);
        QCOMPARE(s.output_settings.quality, engine::io::QualityPreset::Medium);
        QVERIFY(s.output_settings.crf == 20);
        QCOMPARE(s.output_settings.bit_depth, 32);
        QVERIFY(!s.output_settings.hardware_encoder);
        QCOMPARE(s.output_settings.exr_compression, engine::io::ExrCompression::PIZ);
        QVERIFY(!s.output_settings.copy_streams);
        QVERIFY(s.output_settings.overwrite);
        QVERIFY(s.input_fps == (engine::Rational{24000, 1001}));
        QVERIFY(s.output_settings.fps == (engine::Rational{30000, 1001}));
        QCOMPARE(s.hdr.mode, HdrMode::ToneMapping);
        QCOMPARE(s.hdr.method, engine::imaging::ToneMapMethod::Aces);
        QCOMPARE(s.hdr.exposure, 1.5);
        QVERIFY(s.hdr.global_l_max == 12.5);

        // And back: the same values (GUI-only naming entries keep their defaults).
        const QVariantMap back = ui::parametersFromJobSpec(s);
        for (auto it = values.cbegin(); it != values.cend(); ++it) {
            if (it.key() == "max_frames") {
                continue;  // folded into end_frame, checked below
            }
            QVERIFY2(back.value(it.key()).toString() == it.value().toString(),
                     qPrintable(it.key() + ": " + back.value(it.key()).toString()));
        }
    }

    void maxFramesCountsFromTheFirstFrame() {
        auto spec =
            ui::buildJobSpec({{"first_frame", 100}, {"max_frames", 20}}, "/a.mp4", "/b.mkv");
        QVERIFY(spec.ok());
        QCOMPARE(spec->first_frame, std::int64_t(100));
        QCOMPARE(spec->end_frame, std::int64_t(120));
        const QVariantMap back = ui::parametersFromJobSpec(*spec);
        QCOMPARE(back.value("first_frame").toInt(), 100);
        QCOMPARE(back.value("end_frame").toInt(), 120);
        QVERIFY(!back.contains("max_frames"));
        // Automatic memory budget and segment length stay 0 in the spec and absent in the map.
        QCOMPARE(spec->model.memory_budget, std::int64_t(0));
        QCOMPARE(spec->segments.max_segment_frames, std::int64_t(0));
        QVERIFY(!back.contains("memory_budget") && !back.contains("max_segment_frames"));
    }

    void defaultsGiveTheEngineDefaults() {
        auto spec = ui::buildJobSpec({}, "/in/a.mp4", "/out/a.mkv");
        QVERIFY(spec.ok());
        engine::jobs::JobSpec plain;
        plain.input = "/in/a.mp4";
        plain.output = "/out/a.mkv";
        plain.output_settings.codec = engine::io::VideoCodec::H264;
        QCOMPARE(engine::jobs::settings_fingerprint(*spec),
                 engine::jobs::settings_fingerprint(plain));
        QCOMPARE(spec->end_frame, std::int64_t(-1));
        QVERIFY(!spec->input_fps.has_value());
        const engine::jobs::ModelSettings m;
        QCOMPARE(spec->model.tiled_dit, m.tiled_dit);
        QCOMPARE(spec->model.tile_size, m.tile_size);
        QCOMPARE(spec->model.tile_overlap, m.tile_overlap);
        QCOMPARE(spec->model.tile_shift, m.tile_shift);
        QCOMPARE(spec->model.tile_batch_size, m.tile_batch_size);
        QCOMPARE(spec->model.adaptive_tile_batch, m.adaptive_tile_batch);
        QCOMPARE(spec->model.tile_order, m.tile_order);
        QCOMPARE(spec->model.unload_dit, m.unload_dit);
        QCOMPARE(spec->model.lq_resample, m.lq_resample);
        const engine::jobs::SegmentSettings g;
        QCOMPARE(spec->segments.segment_overlap, g.segment_overlap);
        QCOMPARE(spec->segments.scene_cuts, g.scene_cuts);
        QCOMPARE(spec->segments.scene_cut_threshold, g.scene_cut_threshold);
        QCOMPARE(spec->retention, engine::jobs::CheckpointRetention::RemoveWhenDone);
    }

    void refusesValuesItCannotMap() {
        auto spec = ui::buildJobSpec({{"mode", "huge"}}, "/a.mp4", "/b.mkv");
        QVERIFY(!spec.ok());
        QCOMPARE(spec.error().code, engine::ErrorCode::InvalidArgument);
        QCOMPARE(spec.error().get("option"), std::string("mode"));
        auto rate = ui::buildJobSpec({{"output_fps", "soon"}}, "/a.mp4", "/b.mkv");
        QVERIFY(!rate.ok());
        QCOMPARE(rate.error().get("option"), std::string("output_fps"));
    }
};

FVSR_UI_TEST(JobSpecBuilderTest)
#include "job_spec_builder_test.moc"
