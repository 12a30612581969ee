#include "ui/models/device_list_model.h"

#include <QCoreApplication>

namespace ui {

QString formatBytes(quint64 bytes) {
    const double b = static_cast<double>(bytes);
    if (b >= 1024.0 * 1024.0 * 1024.0) {
        return QCoreApplication::translate("Units", "%1 GiB")
            .arg(b / (1024.0 * 1024.0 * 1024.0), 0, 'f', 1);
    }
    if (b >= 1024.0 * 1024.0) {
        return QCoreApplication::translate("Units", "%1 MiB").arg(b / (1024.0 * 1024.0), 0, 'f', 0);
    }
    return QCoreApplication::translate("Units", "%1 KiB").arg(b / 1024.0, 0, 'f', 0);
}

DeviceListModel::DeviceListModel(QObject* parent) : QAbstractTableModel(parent) {}

int DeviceListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_query.devices.size());
}

int DeviceListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DeviceListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const engine::gpu::DeviceStatus& d = m_query.devices.at(static_cast<size_t>(index.row()));
    switch (role) {
        case Qt::CheckStateRole:
            if (index.column() != NameColumn) {
                return {};
            }
            return isUsedByQueue(index.row()) ? Qt::Checked : Qt::Unchecked;
        case Qt::ToolTipRole:
            if (index.column() != NameColumn) {
                return {};
            }
            return tr("Ticked: the queue runs jobs on this GPU.");
        case IndexRole:
            return d.index;
        case MemoryUsedRole:
            return QVariant::fromValue<qulonglong>(d.memory_used_bytes);
        case MemoryTotalRole:
            return QVariant::fromValue<qulonglong>(d.memory_total_bytes);
        case UtilizationRole:
            return d.utilization_percent;
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (index.column()) {
        case NameColumn:
            return tr("GPU %1: %2").arg(d.index).arg(QString::fromStdString(d.name));
        case MemoryColumn:
            return tr("%1 of %2")
                .arg(formatBytes(d.memory_used_bytes), formatBytes(d.memory_total_bytes));
        case UtilizationColumn:
            return d.utilization_percent >= 0 ? tr("%1 %").arg(d.utilization_percent) : tr("n/a");
        case TemperatureColumn:
            return d.temperature_celsius >= 0 ? tr("%1 °C").arg(d.temperature_celsius) : tr("n/a");
        case PowerColumn:
            return d.power_milliwatts >= 0 ? tr("%1 W").arg(d.power_milliwatts / 1000) : tr("n/a");
        default:
            return {};
    }
}

QVariant DeviceListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case NameColumn:
            return tr("GPU");
        case MemoryColumn:
            return tr("Memory");
        case UtilizationColumn:
            return tr("Load");
        case TemperatureColumn:
            return tr("Temperature");
        case PowerColumn:
            return tr("Power");
        default:
            return {};
    }
}

Qt::ItemFlags DeviceListModel::flags(const QModelIndex& index) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return Qt::NoItemFlags;
    }
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    if (index.column() == NameColumn) {
        f |= Qt::ItemIsUserCheckable;
    }
    return f;
}

bool DeviceListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::CheckStateRole || index.column() != NameColumn ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return false;
    }
    const int ordinal = m_query.devices.at(static_cast<size_t>(index.row())).index;
    const bool use = static_cast<Qt::CheckState>(value.toInt()) == Qt::Checked;
    if (use == isUsedByQueue(index.row())) {
        return true;
    }
    if (use) {
        m_excluded.removeAll(ordinal);
    } else {
        int ticked = 0;
        for (int row = 0; row < rowCount(); ++row) {
            ticked += isUsedByQueue(row) ? 1 : 0;
        }
        if (ticked <= 1) {
            return false;  // the queue keeps at least one GPU
        }
        m_excluded.append(ordinal);
    }
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit queueDevicesChanged(queueDevices());
    return true;
}

void DeviceListModel::setExcludedDevices(const QList<int>& ordinals) {
    if (ordinals == m_excluded) {
        return;
    }
    m_excluded = ordinals;
    if (rowCount() > 0) {
        emit dataChanged(index(0, NameColumn), index(rowCount() - 1, NameColumn),
                         {Qt::CheckStateRole});
    }
    emit queueDevicesChanged(queueDevices());
}

bool DeviceListModel::isUsedByQueue(int row) const {
    if (row < 0 || row >= rowCount()) {
        return false;
    }
    if (!m_excluded.contains(m_query.devices.at(static_cast<size_t>(row)).index)) {
        return true;
    }
    // A stored choice that excludes every GPU listed now (other hardware) is ignored.
    for (const auto& d : m_query.devices) {
        if (!m_excluded.contains(d.index)) {
            return false;
        }
    }
    return true;
}

QStringList DeviceListModel::queueDevices() const {
    QStringList devices;
    for (int row = 0; row < rowCount(); ++row) {
        if (isUsedByQueue(row)) {
            devices << QStringLiteral("cuda:%1").arg(m_query.devices.at(size_t(row)).index);
        }
    }
    if (devices.isEmpty()) {
        devices << QStringLiteral("cpu");
    }
    return devices;
}

void DeviceListModel::update(const engine::gpu::DeviceQuery& query) {
    const int oldCount = static_cast<int>(m_query.devices.size());
    const int newCount = static_cast<int>(query.devices.size());
    if (newCount < oldCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        m_query.devices.resize(static_cast<size_t>(newCount));
        endRemoveRows();
    }
    const int common = std::min(oldCount, newCount);
    if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        m_query = query;
        endInsertRows();
    } else {
        m_query = query;
    }
    if (common > 0) {
        emit dataChanged(index(0, 0), index(common - 1, ColumnCount - 1));
    }
}

}  // namespace ui
