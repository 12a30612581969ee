#include "ui/bridge/session_services.h"

#ifdef FVSR_HAVE_QTDBUS
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusReply>
#include <QDBusUnixFileDescriptor>
#include <QVariantMap>
#endif

namespace ui {
namespace {

#ifdef FVSR_HAVE_QTDBUS

const QString kLogindService = QStringLiteral("org.freedesktop.login1");
const QString kLogindPath = QStringLiteral("/org/freedesktop/login1");
const QString kLogindManager = QStringLiteral("org.freedesktop.login1.Manager");
const QString kNotifyService = QStringLiteral("org.freedesktop.Notifications");
const QString kNotifyPath = QStringLiteral("/org/freedesktop/Notifications");
// A suspended call would freeze the GUI; logind and notification daemons answer in ms.
constexpr int kCallTimeoutMs = 5000;

bool serviceRegistered(const QDBusConnection& bus, const QString& service) {
    if (!bus.isConnected() || bus.interface() == nullptr) {
        return false;
    }
    const QDBusReply<bool> reply = bus.interface()->isServiceRegistered(service);
    // logind is D-Bus activatable: registered or activatable both count.
    if (reply.isValid() && reply.value()) {
        return true;
    }
    const QDBusReply<QStringList> activatable = bus.interface()->activatableServiceNames();
    return activatable.isValid() && activatable.value().contains(service);
}

class DBusSessionServices : public SessionServices {
  public:
    DBusSessionServices()
        : m_system(QDBusConnection::systemBus()), m_session(QDBusConnection::sessionBus()) {
        m_power = serviceRegistered(m_system, kLogindService);
        m_notifications = serviceRegistered(m_session, kNotifyService);
    }

    bool powerManagementAvailable() const override { return m_power; }
    bool notificationsAvailable() const override { return m_notifications; }

    bool suspend(QString* error) override { return callManager(QStringLiteral("Suspend"), error); }
    bool powerOff(QString* error) override {
        return callManager(QStringLiteral("PowerOff"), error);
    }

    bool inhibit(const QString& why, QString* error) override {
        if (m_inhibitor.isValid()) {
            return true;
        }
        if (!m_power) {
            return unavailable(error);
        }
        QDBusMessage call = QDBusMessage::createMethodCall(
            kLogindService, kLogindPath, kLogindManager, QStringLiteral("Inhibit"));
        call << QStringLiteral("sleep:idle") << QStringLiteral("FlashVSR Studio") << why
             << QStringLiteral("block");
        const QDBusReply<QDBusUnixFileDescriptor> reply =
            m_system.call(call, QDBus::Block, kCallTimeoutMs);
        if (!reply.isValid()) {
            if (error != nullptr) {
                *error = reply.error().message();
            }
            return false;
        }
        // The lock lasts as long as this descriptor is open.
        m_inhibitor = reply.value();
        return true;
    }

    void releaseInhibitor() override { m_inhibitor = QDBusUnixFileDescriptor(); }
    bool isInhibiting() const override { return m_inhibitor.isValid(); }

    bool notify(const QString& title, const QString& body, bool critical) override {
        if (!m_notifications) {
            return false;
        }
        QDBusMessage call = QDBusMessage::createMethodCall(
            kNotifyService, kNotifyPath, kNotifyService, QStringLiteral("Notify"));
        QVariantMap hints;
        hints.insert(QStringLiteral("urgency"), QVariant::fromValue(uchar(critical ? 2 : 1)));
        hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("flashvsr-studio"));
        call << QStringLiteral("FlashVSR Studio") << uint(0) << QStringLiteral("flashvsr-studio")
             << title << body << QStringList() << hints << int(-1);
        const QDBusMessage reply = m_session.call(call, QDBus::Block, kCallTimeoutMs);
        return reply.type() == QDBusMessage::ReplyMessage;
    }

  private:
    bool unavailable(QString* error) const {
        if (error != nullptr) {
            *error = QStringLiteral("logind (org.freedesktop.login1) is not reachable");
        }
        return false;
    }

    bool callManager(const QString& method, QString* error) {
        if (!m_power) {
            return unavailable(error);
        }
        QDBusMessage call =
            QDBusMessage::createMethodCall(kLogindService, kLogindPath, kLogindManager, method);
        call << false;  // interactive: no polkit password prompt from a queue left overnight
        const QDBusMessage reply = m_system.call(call, QDBus::Block, kCallTimeoutMs);
        if (reply.type() != QDBusMessage::ReplyMessage) {
            if (error != nullptr) {
                *error = reply.errorMessage();
            }
            return false;
        }
        return true;
    }

    QDBusConnection m_system;
    QDBusConnection m_session;
    bool m_power = false;
    bool m_notifications = false;
    QDBusUnixFileDescriptor m_inhibitor;
};

#else

// Built without Qt DBus: every feature reports unavailable.
class NoSessionServices : public SessionServices {
  public:
    bool powerManagementAvailable() const override { return false; }
    bool notificationsAvailable() const override { return false; }
    bool suspend(QString* error) override { return unavailable(error); }
    bool powerOff(QString* error) override { return unavailable(error); }
    bool inhibit(const QString&, QString* error) override { return unavailable(error); }
    void releaseInhibitor() override {}
    bool isInhibiting() const override { return false; }
    bool notify(const QString&, const QString&, bool) override { return false; }

  private:
    static bool unavailable(QString* error) {
        if (error != nullptr) {
            *error = QStringLiteral("built without Qt DBus");
        }
        return false;
    }
};

#endif

}  // namespace

std::unique_ptr<SessionServices> makeSessionServices() {
#ifdef FVSR_HAVE_QTDBUS
    return std::make_unique<DBusSessionServices>();
#else
    return std::make_unique<NoSessionServices>();
#endif
}

}  // namespace ui
