#include "ui/settings/preset_store.h"

#include "ui/settings/parameters.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>

namespace ui {
namespace {

constexpr const char* kFormat = "flashvsr-studio-preset";
constexpr int kVersion = 1;

QString translated(const char* text) {
    return QCoreApplication::translate("Presets", text);
}

struct BuiltIn {
    const char* id;
    const char* name;
    const char* description;
};

const BuiltIn kBuiltIns[] = {
    {"fast", QT_TRANSLATE_NOOP("Presets", "Fast"),
     QT_TRANSLATE_NOOP("Presets",
                       "Tiny mode with sparser attention and a shorter cache: quickest "
                       "FlashVSR, H.264 output.")},
    {"low_vram", QT_TRANSLATE_NOOP("Presets", "Low VRAM (8-16 GB)"),
     QT_TRANSLATE_NOOP("Presets",
                       "Tiny mode, fp16, sparse attention, local range 9 and a short cache, "
                       "for GPUs with 8 to 16 GB; large frames are cut into the largest tiles "
                       "that fit.")},
    {"multi_gpu", QT_TRANSLATE_NOOP("Presets", "Multi-GPU"),
     QT_TRANSLATE_NOOP("Presets",
                       "Cuts each job into segments of 240 frames (new ones at scene cuts) that "
                       "the queue spreads over every idle GPU; the devices the queue may use are "
                       "ticked in the Devices panel.")},
    {"long_video", QT_TRANSLATE_NOOP("Presets", "Long video"),
     QT_TRANSLATE_NOOP("Presets",
                       "Tiny-long mode streams with constant memory; H.265 in MKV with all "
                       "other streams copied.")},
    {"high_quality", QT_TRANSLATE_NOOP("Presets", "High quality"),
     QT_TRANSLATE_NOOP("Presets",
                       "Full mode with the Wan VAE decoder (untiled: no tile seams), stable "
                       "attention, 10-bit H.265 at very high quality.")},
    {"hdr", QT_TRANSLATE_NOOP("Presets", "HDR"),
     QT_TRANSLATE_NOOP("Presets",
                       "Tone-maps HDR sources around the model and restores them; 10-bit "
                       "H.265 in MKV keeps the HDR metadata.")},
    {"image_sequence", QT_TRANSLATE_NOOP("Presets", "Image sequence"),
     QT_TRANSLATE_NOOP("Presets", "Writes 16-bit PNG pictures; sequence inputs run at 24 fps.")},
};

QVariantMap builtInValues(const QString& id) {
    QVariantMap v;
    if (id == QLatin1String("fast")) {
        v = {{"mode", "tiny"},  {"sparse_ratio", 1.5}, {"kv_ratio", 2.0},   {"local_range", 9},
             {"codec", "h264"}, {"quality", "high"},   {"hw_encoder", true}};
    } else if (id == QLatin1String("low_vram")) {
        // tile_size 0: the planner picks the fastest tiles that fit the free memory (none when
        // the whole frame fits); a batch that still runs out of memory is halved.
        v = {{"mode", "tiny"},  {"precision", "fp16"},  {"sparse_ratio", 1.5},
             {"kv_ratio", 2.0}, {"local_range", 9},     {"tiled_vae", false},
             {"tile_size", 0},  {"tile_batch_size", 0}, {"adaptive_tile_batch", true}};
    } else if (id == QLatin1String("long_video")) {
        v = {{"mode", "tiny-long"},
             {"codec", "h265"},
             {"output_format", "mkv"},
             {"copy_streams", true},
             {"quality", "high"}};
    } else if (id == QLatin1String("high_quality")) {
        v = {{"mode", "full"},  {"tiled_vae", false},     {"sparse_ratio", 2.0},
             {"kv_ratio", 3.0}, {"local_range", 11},      {"color_fix", "adain"},
             {"codec", "h265"}, {"quality", "very_high"}, {"output_bit_depth", "10"}};
    } else if (id == QLatin1String("multi_gpu")) {
        v = {{"device", "auto"},
             {"max_segment_frames", 240},
             {"segment_overlap", 2},
             {"scene_cuts", true}};
    } else if (id == QLatin1String("hdr")) {
        v = {{"hdr_mode", "auto"},
             {"tone_mapping_method", "logarithmic"},
             {"codec", "h265"},
             {"output_bit_depth", "10"},
             {"output_format", "mkv"}};
    } else if (id == QLatin1String("image_sequence")) {
        v = {{"output_mode", "pictures"},
             {"output_format", "png"},
             {"output_bit_depth", "16"},
             {"input_fps", "24"}};
    }
    return v;
}

QString slug(const QString& name) {
    QString s = name.trimmed().toLower();
    static const QRegularExpression notWord(QStringLiteral("[^\\w-]+"));
    s.replace(notWord, QStringLiteral("_"));
    return s.isEmpty() ? QStringLiteral("preset") : s;
}

// Converts JSON numbers to the catalog type and rejects values of the wrong kind.
bool convertParameters(const QJsonObject& object, QVariantMap* out, QString* error) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        const ParameterDef* d = findParameter(it.key());
        if (d == nullptr) {
            continue;
        }
        const QJsonValue& j = it.value();
        QVariant v;
        switch (d->type) {
            case ParameterType::Integer:
                if (!j.isDouble() && !j.isNull()) {
                    *error = translated(QT_TRANSLATE_NOOP("Presets", "\"%1\" must be a number."))
                                 .arg(it.key());
                    return false;
                }
                v = j.isNull() ? QVariant() : QVariant(j.toInt());
                break;
            case ParameterType::Real:
                if (!j.isDouble() && !j.isNull()) {
                    *error = translated(QT_TRANSLATE_NOOP("Presets", "\"%1\" must be a number."))
                                 .arg(it.key());
                    return false;
                }
                v = j.isNull() ? QVariant() : QVariant(j.toDouble());
                break;
            case ParameterType::Boolean:
                if (!j.isBool()) {
                    *error =
                        translated(QT_TRANSLATE_NOOP("Presets", "\"%1\" must be true or false."))
                            .arg(it.key());
                    return false;
                }
                v = j.toBool();
                break;
            default:
                if (!j.isString() && !j.isNull()) {
                    *error = translated(QT_TRANSLATE_NOOP("Presets", "\"%1\" must be text."))
                                 .arg(it.key());
                    return false;
                }
                v = j.toString();
                break;
        }
        if (!v.isValid()) {
            continue;
        }
        const QString problem = checkValue(*d, v);
        if (!problem.isEmpty()) {
            *error = problem;
            return false;
        }
        out->insert(d->key, v);
    }
    return true;
}

}  // namespace

QList<Preset> builtInPresets() {
    QList<Preset> list;
    for (const BuiltIn& b : kBuiltIns) {
        Preset p;
        p.id = QString::fromLatin1(b.id);
        p.name = QString::fromLatin1(b.name);
        p.builtIn = true;
        p.values = builtInValues(p.id);
        list << p;
    }
    return list;
}

QString presetDisplayName(const Preset& preset) {
    return preset.builtIn ? QCoreApplication::translate("Presets", preset.name.toUtf8().constData())
                          : preset.name;
}

QString presetDescription(const Preset& preset) {
    if (!preset.builtIn) {
        return {};
    }
    for (const BuiltIn& b : kBuiltIns) {
        if (preset.id == QLatin1String(b.id)) {
            return translated(b.description);
        }
    }
    return {};
}

QVariantMap presetParameters(const Preset& preset) {
    return withDefaults(preset.values);
}

QByteArray presetToJson(const Preset& preset) {
    QJsonObject parameters;
    const QVariantMap values = presetParameters(preset);
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        parameters.insert(it.key(), QJsonValue::fromVariant(it.value()));
    }
    QJsonObject root;
    root.insert(QStringLiteral("format"), QString::fromLatin1(kFormat));
    root.insert(QStringLiteral("version"), kVersion);
    root.insert(QStringLiteral("name"), presetDisplayName(preset));
    root.insert(QStringLiteral("parameters"), parameters);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

std::optional<Preset> presetFromJson(const QByteArray& json, QString* error) {
    QString dummy;
    QString& message = error != nullptr ? *error : dummy;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (doc.isNull() || !doc.isObject()) {
        message = translated(QT_TRANSLATE_NOOP("Presets", "Not a JSON file (%1 at byte %2)."))
                      .arg(parseError.errorString())
                      .arg(parseError.offset);
        return std::nullopt;
    }
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("format")).toString() != QLatin1String(kFormat)) {
        message = translated(QT_TRANSLATE_NOOP("Presets", "Not a FlashVSR Studio preset file."));
        return std::nullopt;
    }
    if (root.value(QStringLiteral("version")).toInt() > kVersion) {
        message =
            translated(
                QT_TRANSLATE_NOOP(
                    "Presets", "This preset was written by a newer FlashVSR Studio (version %1)."))
                .arg(root.value(QStringLiteral("version")).toInt());
        return std::nullopt;
    }
    Preset p;
    p.name = root.value(QStringLiteral("name")).toString().trimmed();
    if (p.name.isEmpty()) {
        message = translated(QT_TRANSLATE_NOOP("Presets", "The preset has no name."));
        return std::nullopt;
    }
    if (!convertParameters(root.value(QStringLiteral("parameters")).toObject(), &p.values,
                           &message)) {
        return std::nullopt;
    }
    p.values = withDefaults(p.values);
    return p;
}

PresetStore::PresetStore(QString directory) : m_directory(std::move(directory)) {}

QList<Preset> PresetStore::presets() const {
    return builtInPresets() + m_user;
}

std::optional<Preset> PresetStore::find(const QString& id) const {
    for (const Preset& p : presets()) {
        if (p.id == id) {
            return p;
        }
    }
    return std::nullopt;
}

QString PresetStore::fileFor(const QString& name) const {
    return QDir(m_directory).filePath(slug(name) + QStringLiteral(".json"));
}

void PresetStore::reload(QStringList* problems) {
    m_user.clear();
    const QDir dir(m_directory);
    const QStringList files =
        dir.entryList({QStringLiteral("*.json")}, QDir::Files | QDir::Readable, QDir::Name);
    for (const QString& f : files) {
        QFile file(dir.filePath(f));
        QString error;
        std::optional<Preset> p;
        if (file.open(QIODevice::ReadOnly)) {
            p = presetFromJson(file.readAll(), &error);
        } else {
            error = file.errorString();
        }
        if (!p) {
            if (problems != nullptr) {
                problems->append(dir.filePath(f) + QStringLiteral(": ") + error);
            }
            continue;
        }
        p->id = QStringLiteral("user:") + QFileInfo(f).completeBaseName();
        m_user << *p;
    }
    std::sort(m_user.begin(), m_user.end(), [](const Preset& a, const Preset& b) {
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
}

std::optional<QString> PresetStore::save(const QString& name,
                                         const QVariantMap& values,
                                         QString* error) {
    Preset p;
    p.name = name.trimmed();
    if (p.name.isEmpty()) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "The preset has no name."));
        return std::nullopt;
    }
    p.values = withDefaults(values);
    if (!QDir().mkpath(m_directory)) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "Cannot create the folder %1."))
                     .arg(QDir::toNativeSeparators(m_directory));
        return std::nullopt;
    }
    QSaveFile file(fileFor(p.name));
    if (!file.open(QIODevice::WriteOnly) || file.write(presetToJson(p)) < 0 || !file.commit()) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "Cannot write %1: %2"))
                     .arg(QDir::toNativeSeparators(file.fileName()), file.errorString());
        return std::nullopt;
    }
    reload();
    return QStringLiteral("user:") + slug(p.name);
}

bool PresetStore::remove(const QString& id, QString* error) {
    if (!id.startsWith(QLatin1String("user:"))) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "Built-in presets cannot be deleted."));
        return false;
    }
    const QString path = QDir(m_directory).filePath(id.mid(5) + QStringLiteral(".json"));
    if (!QFile::remove(path)) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "Cannot delete %1."))
                     .arg(QDir::toNativeSeparators(path));
        return false;
    }
    reload();
    return true;
}

bool PresetStore::exportTo(const Preset& preset, const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(presetToJson(preset)) < 0 ||
        !file.commit()) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "Cannot write %1: %2"))
                     .arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

std::optional<QString> PresetStore::importFrom(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = translated(QT_TRANSLATE_NOOP("Presets", "Cannot read %1: %2"))
                     .arg(QDir::toNativeSeparators(path), file.errorString());
        return std::nullopt;
    }
    std::optional<Preset> p = presetFromJson(file.readAll(), error);
    if (!p) {
        return std::nullopt;
    }
    return save(p->name, p->values, error);
}

}  // namespace ui
