#include "ui/bridge/engine_bridge.h"

namespace ui {

EngineBridge::EngineBridge(QObject* parent) : QObject(parent) {
    connect(&m_pollTimer, &QTimer::timeout, this, &EngineBridge::pollDevicesNow);
}

EngineBridge::~EngineBridge() {
    uninstallLogSink();
}

void EngineBridge::installLogSink(engine::LogLevel minimum) {
    engine::set_log_level(minimum);
    engine::set_log_sink([this](engine::LogLevel level, std::string_view message) {
        // Called on an engine thread, under the engine's log mutex: copy and hop.
        const QDateTime time = QDateTime::currentDateTime();
        const QString text =
            QString::fromUtf8(message.data(), static_cast<qsizetype>(message.size()));
        QMetaObject::invokeMethod(
            this, [this, time, level, text] { emit logReceived(time, level, text); },
            Qt::QueuedConnection);
    });
    m_sinkInstalled = true;
}

void EngineBridge::uninstallLogSink() {
    if (m_sinkInstalled) {
        engine::set_log_sink({});
        m_sinkInstalled = false;
    }
}

void EngineBridge::startDevicePolling(int interval_ms) {
    m_pollTimer.start(interval_ms);
    pollDevicesNow();
}

void EngineBridge::stopDevicePolling() {
    m_pollTimer.stop();
}

void EngineBridge::pollDevicesNow() {
    m_lastQuery = engine::gpu::query_devices();
    emit devicesPolled(m_lastQuery);
}

}  // namespace ui
