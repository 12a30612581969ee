#pragma once
// Parameter presets: the built-in ones and the user's, which live as one JSON file each in a
// folder passed in (the composition root passes <XDG config>/flashvsr-studio/presets).
//
// File format (also used for import and export):
//   {"format": "flashvsr-studio-preset", "version": 1, "name": "My preset",
//    "parameters": {"scale": 4, "mode": "tiny", ...}}
// Parameter names are those of ui/settings/parameters.h (the command-line option names).
// Unknown parameters are dropped on import (forward compatibility); wrong types or values out
// of range make the import fail with a message naming the parameter.
//
// Threads: UI thread only (plain file I/O, small files).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace ui {

struct Preset {
    QString id;    // built-in: "fast", "low_vram", ...; user: "user:<file base name>"
    QString name;  // user: as typed; built-in: untranslated English (see presetDisplayName)
    bool builtIn = false;
    QVariantMap values;  // complete for user presets; overrides of the defaults for built-ins
};

QList<Preset> builtInPresets();
QString presetDisplayName(const Preset& preset);  // translated for built-ins
QString presetDescription(const Preset& preset);  // translated; empty for user presets
// The full parameter map the preset stands for (defaults + the preset's values).
QVariantMap presetParameters(const Preset& preset);

QByteArray presetToJson(const Preset& preset);
// The preset in `json`, or nullopt with a translated reason in *error.
std::optional<Preset> presetFromJson(const QByteArray& json, QString* error);

class PresetStore {
  public:
    explicit PresetStore(QString directory);
    const QString& directory() const { return m_directory; }

    // Built-ins first (fixed order), then user presets sorted by name.
    QList<Preset> presets() const;
    std::optional<Preset> find(const QString& id) const;

    // Re-reads the folder. Files that fail to parse are skipped and listed in *problems.
    void reload(QStringList* problems = nullptr);
    // Writes the user preset (atomically); a preset of the same name is replaced. Returns its
    // id, or nullopt with a translated reason.
    std::optional<QString> save(const QString& name, const QVariantMap& values, QString* error);
    bool remove(const QString& id, QString* error);
    bool exportTo(const Preset& preset, const QString& path, QString* error) const;
    // Reads a preset file and saves it as a user preset; returns its id.
    std::optional<QString> importFrom(const QString& path, QString* error);

  private:
    QString fileFor(const QString& name) const;

    QString m_directory;
    QList<Preset> m_user;
};

}  // namespace ui
