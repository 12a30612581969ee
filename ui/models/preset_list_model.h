#pragma once
// The presets of a PresetStore as a list (built-ins first), for the preset picker. Changes go
// through this model so views see row insertions and removals. Threads: UI thread only.

#include "ui/settings/preset_store.h"

#include <QAbstractListModel>

#include <optional>

namespace ui {

class PresetListModel : public QAbstractListModel {
    Q_OBJECT
  public:
    enum Role { IdRole = Qt::UserRole + 1, BuiltInRole };

    // `store` must outlive the model.
    explicit PresetListModel(PresetStore& store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    int rowOfId(const QString& id) const;  // -1 when absent
    std::optional<Preset> presetAt(int row) const;

    // Store operations; return the new preset's id, or nullopt / false with a translated
    // reason in *error.
    std::optional<QString> savePreset(const QString& name,
                                      const QVariantMap& values,
                                      QString* error);
    std::optional<QString> importPreset(const QString& path, QString* error);
    bool removePreset(const QString& id, QString* error);
    // Re-reads the store's folder.
    void reload(QStringList* problems = nullptr);

  private:
    // Applies the store's current list to the rows with minimal insert/remove signals.
    void syncRows();

    PresetStore& m_store;
    QList<Preset> m_rows;
};

}  // namespace ui
