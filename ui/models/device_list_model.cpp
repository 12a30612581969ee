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
