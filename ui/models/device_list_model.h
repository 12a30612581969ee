#pragma once
// One row per NVIDIA GPU as the last NVML poll saw it. Fed by EngineBridge::devicesPolled
// (UI thread); rows are added or removed only when the device count changes, otherwise only
// the changed cells are signalled. Threads: UI thread only.

#include "engine/gpu/device_info.h"

#include <QAbstractTableModel>
#include <QList>

namespace ui {

class DeviceListModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        NameColumn,
        MemoryColumn,
        UtilizationColumn,
        TemperatureColumn,
        PowerColumn,
        ColumnCount
    };
    enum Role {
        IndexRole = Qt::UserRole + 1,  // CUDA ordinal
        MemoryUsedRole,                // bytes (qulonglong)
        MemoryTotalRole,               // bytes (qulonglong)
        UtilizationRole,               // percent, -1 unknown
    };

    explicit DeviceListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section,
                        Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void update(const engine::gpu::DeviceQuery& query);
    bool driverAvailable() const { return m_query.driver_available; }
    QString driverProblem() const { return QString::fromStdString(m_query.problem); }
    QString driverVersion() const { return QString::fromStdString(m_query.driver_version); }
    const engine::gpu::DeviceStatus& device(int row) const { return m_query.devices.at(row); }

  private:
    engine::gpu::DeviceQuery m_query;
};

// "12.5 GiB" in the UI's words (translated unit names).
QString formatBytes(quint64 bytes);

}  // namespace ui
