#pragma once
// One row per NVIDIA GPU as the last NVML poll saw it. Fed by EngineBridge::devicesPolled
// (UI thread); rows are added or removed only when the device count changes, otherwise only
// the changed cells are signalled. The Name column is checkable: ticked GPUs are the ones the
// queue may use (one worker each); at least one listed GPU stays ticked. The choice is kept by
// CUDA ordinal, so it survives polls and restarts (the window stores excludedDevices()).
// Threads: UI thread only.

#include "engine/gpu/device_info.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

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

    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // Qt::CheckStateRole on the Name column ticks or unticks a GPU for the queue; refused for the
    // last ticked one.
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    void update(const engine::gpu::DeviceQuery& query);
    // CUDA ordinals the queue must not use (also ones not listed right now).
    QList<int> excludedDevices() const { return m_excluded; }
    void setExcludedDevices(const QList<int>& ordinals);
    bool isUsedByQueue(int row) const;
    // Ticked: not excluded, or every GPU listed is excluded (a stored choice made for other
    // hardware is ignored rather than leaving the queue without a GPU).
    // The queue's worker devices: "cuda:N" of every ticked GPU listed, or {"cpu"} when no GPU
    // is listed.
    QStringList queueDevices() const;
    bool driverAvailable() const { return m_query.driver_available; }
    QString driverProblem() const { return QString::fromStdString(m_query.problem); }
    QString driverVersion() const { return QString::fromStdString(m_query.driver_version); }
    const engine::gpu::DeviceStatus& device(int row) const { return m_query.devices.at(row); }

  signals:
    // The ticked GPUs changed (by setData or setExcludedDevices).
    void queueDevicesChanged(const QStringList& devices);

  private:
    engine::gpu::DeviceQuery m_query;
    QList<int> m_excluded;
};

// "12.5 GiB" in the UI's words (translated unit names).
QString formatBytes(quint64 bytes);

}  // namespace ui
