#pragma once
// What the queue asks of the desktop session: suspend or power off the machine (logind), keep it
// awake while jobs run (a logind "sleep:idle" inhibitor), and show a desktop notification
// (org.freedesktop.Notifications). Behind this interface so tests use a fake that records the
// calls; makeSessionServices() returns the D-Bus implementation (system bus for logind, session
// bus for notifications). Without a reachable bus, or built without Qt DBus, the *Available()
// queries say false and the calls fail with a reason instead of doing anything.
//
// Threads: UI thread only (the calls are synchronous D-Bus calls with a short timeout).

#include <QString>

#include <memory>

namespace ui {

class SessionServices {
  public:
    virtual ~SessionServices() = default;

    // logind answers (Suspend / PowerOff / Inhibit can be asked).
    virtual bool powerManagementAvailable() const = 0;
    virtual bool notificationsAvailable() const = 0;

    // org.freedesktop.login1.Manager.Suspend(false) / PowerOff(false). false and *error (English,
    // technical) when the call failed or was refused.
    virtual bool suspend(QString* error) = 0;
    virtual bool powerOff(QString* error) = 0;

    // Takes a "sleep:idle" block inhibitor (Manager.Inhibit) held until releaseInhibitor(); a
    // second call while held does nothing and returns true.
    virtual bool inhibit(const QString& why, QString* error) = 0;
    virtual void releaseInhibitor() = 0;
    virtual bool isInhibiting() const = 0;

    // Notify("FlashVSR Studio", ...). `critical` uses urgency 2 (failures), else 1.
    virtual bool notify(const QString& title, const QString& body, bool critical) = 0;
};

std::unique_ptr<SessionServices> makeSessionServices();

}  // namespace ui
