#pragma once
// EngineBridge: the one place where engine-wide events enter the UI (style.md §5).
//  - The engine log sink: installed by installLogSink(); messages arrive on any engine thread
//    and are re-emitted as logReceived on the bridge's (UI) thread through queued invocations.
//  - GPU monitoring: a QTimer polls engine::gpu::query_devices() (NVML, microseconds) and
//    emits devicesPolled.
// Widgets never call the engine; they connect to these signals.
//
// Threads: create, use and destroy on the UI thread. The destructor uninstalls the sink; the
// engine serialises sink calls with set_log_sink(), so no message arrives after it returns.

#include "engine/core/log.h"
#include "engine/gpu/device_info.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QTimer>

namespace ui {

class EngineBridge : public QObject {
    Q_OBJECT
  public:
    explicit EngineBridge(QObject* parent = nullptr);
    ~EngineBridge() override;

    // Routes engine::log to logReceived for messages at or above `minimum`.
    void installLogSink(engine::LogLevel minimum);
    void uninstallLogSink();

    void startDevicePolling(int interval_ms);
    void stopDevicePolling();
    void pollDevicesNow();
    const engine::gpu::DeviceQuery& lastDeviceQuery() const { return m_lastQuery; }

  signals:
    void logReceived(const QDateTime& time, engine::LogLevel level, const QString& message);
    void devicesPolled(const engine::gpu::DeviceQuery& query);

  private:
    QTimer m_pollTimer;
    engine::gpu::DeviceQuery m_lastQuery;
    bool m_sinkInstalled = false;
};

}  // namespace ui
