#include "ui/models/preset_list_model.h"

namespace ui {

PresetListModel::PresetListModel(PresetStore& store, QObject* parent)
    : QAbstractListModel(parent), m_store(store), m_rows(store.presets()) {}

int PresetListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant PresetListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Preset& p = m_rows.at(index.row());
    switch (role) {
        case Qt::DisplayRole:
            return presetDisplayName(p);
        case Qt::ToolTipRole: {
            const QString d = presetDescription(p);
            return d.isEmpty() ? tr("Your preset") : d;
        }
        case IdRole:
            return p.id;
        case BuiltInRole:
            return p.builtIn;
        default:
            return {};
    }
}

int PresetListModel::rowOfId(const QString& id) const {
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == id) {
            return i;
        }
    }
    return -1;
}

std::optional<Preset> PresetListModel::presetAt(int row) const {
    if (row < 0 || row >= m_rows.size()) {
        return std::nullopt;
    }
    return m_rows.at(row);
}

std::optional<QString> PresetListModel::savePreset(const QString& name,
                                                   const QVariantMap& values,
                                                   QString* error) {
    auto id = m_store.save(name, values, error);
    syncRows();
    return id;
}

std::optional<QString> PresetListModel::importPreset(const QString& path, QString* error) {
    auto id = m_store.importFrom(path, error);
    syncRows();
    return id;
}

bool PresetListModel::removePreset(const QString& id, QString* error) {
    const bool ok = m_store.remove(id, error);
    syncRows();
    return ok;
}

void PresetListModel::reload(QStringList* problems) {
    m_store.reload(problems);
    syncRows();
}

void PresetListModel::syncRows() {
    const QList<Preset> target = m_store.presets();
    // Remove rows whose id is gone, then insert new ids at their place; both lists are sorted
    // the same way (built-ins, then user presets by name), so a merge walk suffices.
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i) {
        bool keep = false;
        for (const Preset& t : target) {
            keep = keep || t.id == m_rows.at(i).id;
        }
        if (!keep) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        }
    }
    for (int i = 0; i < target.size(); ++i) {
        if (i < m_rows.size() && m_rows.at(i).id == target.at(i).id) {
            m_rows[i] = target.at(i);
            emit dataChanged(index(i), index(i));
            continue;
        }
        const int existing = rowOfId(target.at(i).id);
        if (existing >= 0) {
            // Same id at another place (a renamed sort position): move it.
            beginMoveRows({}, existing, existing, {}, i);
            m_rows.move(existing, i);
            endMoveRows();
            m_rows[i] = target.at(i);
            emit dataChanged(index(i), index(i));
            continue;
        }
        beginInsertRows({}, i, i);
        m_rows.insert(i, target.at(i));
        endInsertRows();
    }
}

}  // namespace ui
