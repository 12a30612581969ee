#pragma once
// The main window: viewer and comparison tabs in the centre; Media, Parameters, Devices and
// Log docks; menus and a toolbar; drag and drop of files and folders; recent files; theme and
// run-time language switching. Docks and geometry are saved to StudioSettings on close.
//
// Owns the per-window bridge objects (FrameReader, PreviewRenderer) and the item models; the
// composition root passes in the settings, the preset store and the EngineBridge.
// Threads: UI thread only.

#include "ui/bridge/engine_bridge.h"
#include "ui/bridge/frame_reader.h"
#include "ui/bridge/preview_renderer.h"
#include "ui/settings/preset_store.h"
#include "ui/settings/studio_settings.h"

#include <QMainWindow>
#include <QTranslator>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;
class QToolBar;
class QTreeView;

namespace ui {

class ComparisonPanel;
class DeviceListModel;
class DevicePanel;
class LogModel;
class LogPanel;
class MediaListModel;
class ParameterPanel;
class PlayerWidget;
class PresetListModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    MainWindow(StudioSettings& settings,
               PresetStore& presets,
               EngineBridge& bridge,
               QWidget* parent = nullptr);
    ~MainWindow() override;

    // Scans files and folders (recursively) for media, lists the new ones and opens the first
    // new one (or the first found, when all were listed already). Returns how many were found.
    int openPaths(const QStringList& paths);
    // Shows the media in the viewer and adds it to the recent files.
    void openMedia(const QString& path);
    // "" = system language, "en", "zh_CN". Installs the translators; every widget retranslates.
    void setLanguage(const QString& language);
    QString language() const { return m_language; }
    void applyTheme(Theme theme);
    void showComparison();
    void showViewer();

    // Parts, for the composition root and tests.
    PlayerWidget* player() const { return m_player; }
    ComparisonPanel* comparisonPanel() const { return m_comparison; }
    ParameterPanel* parameterPanel() const { return m_parameters; }
    DevicePanel* devicePanel() const { return m_devicePanel; }
    LogPanel* logPanel() const { return m_logPanel; }
    MediaListModel* mediaModel() const { return m_media; }
    LogModel* logModel() const { return m_log; }
    DeviceListModel* deviceModel() const { return m_devices; }
    FrameReader& frameReader() { return m_reader; }
    QMenu* recentMenu() const { return m_recentMenu; }
    QTabWidget* tabs() const { return m_tabs; }
    QList<QDockWidget*> docks() const;

  protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

  private:
    void createActions();
    void createMenus();
    void createDocks();
    void connectParts();
    void retranslateUi();
    void rebuildRecentMenu();
    void saveWindowState();
    void updateMediaLabel();

    void onOpenFileTriggered();
    void onOpenFolderTriggered();
    void onPreferencesTriggered();
    void onReaderOpened(const ui::MediaInfo& info);
    void onReaderOpenFailed(const QString& path, const engine::Error& error);
    void onBridgeLogReceived(const QDateTime& time, engine::LogLevel level, const QString& message);
    void onBridgeDevicesPolled(const engine::gpu::DeviceQuery& query);
    void showError(const engine::Error& error);

    StudioSettings& m_settings;
    PresetStore& m_presetStore;
    EngineBridge& m_bridge;
    FrameReader m_reader;
    PreviewRenderer m_renderer;

    MediaListModel* m_media;
    LogModel* m_log;
    DeviceListModel* m_devices;
    PresetListModel* m_presets;

    QTabWidget* m_tabs;
    PlayerWidget* m_player;
    ComparisonPanel* m_comparison;
    ParameterPanel* m_parameters;
    DevicePanel* m_devicePanel;
    LogPanel* m_logPanel;
    QTreeView* m_mediaView;
    QDockWidget* m_mediaDock;
    QDockWidget* m_parametersDock;
    QDockWidget* m_devicesDock;
    QDockWidget* m_logDock;
    QToolBar* m_toolBar;
    QLabel* m_mediaLabel;

    QMenu* m_fileMenu;
    QMenu* m_recentMenu;
    QMenu* m_viewMenu;
    QMenu* m_themeMenu;
    QMenu* m_languageMenu;
    QMenu* m_playbackMenu;
    QMenu* m_toolsMenu;
    QMenu* m_helpMenu;
    QAction* m_openFile;
    QAction* m_openFolder;
    QAction* m_clearRecent;
    QAction* m_copyCommand;
    QAction* m_quit;
    QAction* m_showViewer;
    QAction* m_showCompare;
    QAction* m_resetLayout;
    QAction* m_themeSystem;
    QAction* m_themeDark;
    QAction* m_languageSystem;
    QAction* m_languageEnglish;
    QAction* m_languageChinese;
    QAction* m_preferences;
    QAction* m_about;
    QAction* m_aboutQt;
    QActionGroup* m_themeGroup;
    QActionGroup* m_languageGroup;

    QTranslator m_appTranslator;
    QTranslator m_qtTranslator;
    QString m_language;
    QByteArray m_defaultState;
    QString m_systemStyle;
    int m_deviceCount = -1;
    MediaInfo m_shownInfo;  // what the status bar describes (retranslated on language change)
};

}  // namespace ui
