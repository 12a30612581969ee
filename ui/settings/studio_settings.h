#pragma once
// Typed access to the GUI's persistent settings. Wraps a QSettings that the composition root
// creates and passes in (tests pass one backed by a temporary INI file), so nothing here is
// global. Threads: UI thread only.

#include <QByteArray>
#include <QList>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariantMap>

namespace ui {

enum class Theme { System, Dark };

class StudioSettings {
  public:
    static constexpr int kMaxRecentFiles = 10;

    explicit StudioSettings(QSettings& store) : m_store(store) {}

    // Most recent first, without duplicates, at most kMaxRecentFiles.
    QStringList recentFiles() const;
    void addRecentFile(const QString& path);
    void removeRecentFile(const QString& path);
    void clearRecentFiles();

    Theme theme() const;
    void setTheme(Theme theme);
    // "" follows the system locale; otherwise "en" or "zh_CN".
    QString language() const;
    void setLanguage(const QString& language);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;  // docks and toolbars (QMainWindow::saveState)
    void setWindowState(const QByteArray& state);

    // The parameter panel's last values and the preset they came from.
    QVariantMap parameters() const;
    void setParameters(const QVariantMap& values);
    QString presetId() const;
    void setPresetId(const QString& id);

    // The FlashVSR model folder chosen in the model manager; "" = the engine's default
    // ($FLASHVSR_MODEL_DIR or the XDG models folder).
    QString modelFolder() const;
    void setModelFolder(const QString& folder);

    QString lastOpenDirectory() const;
    void setLastOpenDirectory(const QString& directory);

    int viewerCacheFrames() const;  // decoded frames kept by the viewer, 8..512
    void setViewerCacheFrames(int frames);
    int devicePollIntervalMs() const;  // 250..10000
    void setDevicePollIntervalMs(int interval_ms);
    // CUDA ordinals the queue must not use (Devices panel ticks).
    QList<int> excludedQueueDevices() const;
    void setExcludedQueueDevices(const QList<int>& ordinals);
    int previewMemoryMiB() const;  // budget of rendered comparison frames, 64..16384
    void setPreviewMemoryMiB(int mebibytes);

    void sync() { m_store.sync(); }

  private:
    QSettings& m_store;
};

}  // namespace ui
