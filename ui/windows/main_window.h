#pragma once
// The main window: viewer and comparison tabs in the centre; Media, Parameters, Devices, Queue
// and Log docks; menus and a toolbar; drag and drop of files and folders; recent files; theme
// and run-time language switching. Docks and geometry are saved to StudioSettings on close.
//
// Owns the per-window bridge objects (FrameReader, PreviewRenderer, JobRunner, AfterQueue) and
// the item models; the composition root passes in the settings, the preset store, the
// EngineBridge and, optionally, the queue's JobStore (null: the queue is not persisted) and the
// session services (null: the D-Bus ones, makeSessionServices()).
// Quitting while jobs run leaves them Running in the store: the next start offers them for
// resume (offerResume()), as after a crash.
// Threads: UI thread only.

#include "ui/bridge/engine_bridge.h"
#include "ui/bridge/frame_reader.h"
#include "ui/bridge/preview_renderer.h"
#include "ui/bridge/session_services.h"
#include "ui/bridge/tile_preview.h"
#include "ui/settings/preset_store.h"
#include "ui/settings/studio_settings.h"

#include <QMainWindow>
#include <QTranslator>

#include <functional>
#include <memory>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;
class QToolBar;
class QTreeView;

namespace ui {

class ModelManagerDialog;

class ComparisonPanel;
class DeviceListModel;
class DevicePanel;
class LogModel;
class LogPanel;
class MediaListModel;
class ParameterPanel;
class PlayerWidget;
class PresetListModel;
class AfterQueue;
class JobQueueModel;
class JobRunner;
class JobStore;
class QueuePanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    MainWindow(StudioSettings& settings,
               PresetStore& presets,
               EngineBridge& bridge,
               JobStore* queueStore = nullptr,
               SessionServices* services = nullptr,
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

    // Scans files and folders (recursively) for media and queues each with the current
    // parameters at `row` (-1: the end). Returns how many jobs were added; refused (0, with a
    // status message) while the parameters have errors. An output that exists already is
    // replaced only when the user agrees (setOverwriteQuestion); the source never is.
    int addToQueue(const QStringList& paths, int row = -1);
    // Asked when a new job's output exists already and "Replace existing output" is off: true
    // replaces it (the job gets overwrite on), false leaves the job out. Default: a question box;
    // tests put an answer in.
    using OverwriteQuestion = std::function<bool(const QString& output)>;
    void setOverwriteQuestion(OverwriteQuestion question) { m_askOverwrite = std::move(question); }
    // The selected media (or the open one) with the current parameters.
    int addCurrentToQueue();
    // The parameters a new job for `path` gets: the panel's, and for the file open in the viewer
    // its in/out points as first_frame / end_frame (out point + 1; unset ends keep the panel's).
    QVariantMap jobParametersFor(const QString& path) const;
    // Tools > Model Manager: a new dialog (deleted on close) whose folder choice becomes the
    // parameter panel's model folder. Tests show it instead of exec().
    ModelManagerDialog* openModelManager();
    // View > Show Tile Grid (Shift+T): the viewer draws the tiles of plan_tiles for the current
    // settings over the open input (automatic tile size: the planner's choice).
    QAction* tileGridAction() const { return m_showTiles; }
    void updateTileOverlay();
    // Tile preview: renders `region` (source pixels of the open input, used as given) from the
    // viewer's current frame at the current settings, and shows it in the comparison tab.
    // Refused (false, with a status message) without an input or while the parameters have
    // errors. A click on a tile of the grid previews that tile; a Ctrl+drag in the viewer
    // previews the dragged rectangle snapped by snapPreviewRegion().
    bool previewRegion(const QRect& region);
    TilePreviewRenderer& tilePreviewRenderer() { return m_tileRenderer; }
    // Gives the jobs the current parameters; returns how many accepted them.
    int applyCurrentSettings(const QStringList& ids);
    // Shows the resume dialog when the last session ended with jobs running (modal); resumes the
    // ticked ones. Returns how many were resumed.
    int offerResume();

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
    JobQueueModel* queueModel() const { return m_queue; }
    JobRunner* jobRunner() const { return m_runner; }
    AfterQueue* afterQueue() const { return m_afterQueue; }
    QueuePanel* queuePanel() const { return m_queuePanel; }

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
    void onCanvasImageClicked(const QPoint& pixel);
    void updateWorkerDevices();
    void updateDeviceJobs();  // the Devices cards' current jobs, from the queue
    void onCanvasRegionSelected(const QRect& rect);
    void showError(const engine::Error& error);
    void createQueue(JobStore* store, SessionServices* services);

    StudioSettings& m_settings;
    PresetStore& m_presetStore;
    EngineBridge& m_bridge;
    FrameReader m_reader;
    PreviewRenderer m_renderer;
    TilePreviewRenderer m_tileRenderer;

    MediaListModel* m_media;
    LogModel* m_log;
    DeviceListModel* m_devices;
    PresetListModel* m_presets;
    std::unique_ptr<SessionServices> m_ownServices;
    JobQueueModel* m_queue = nullptr;
    JobRunner* m_runner = nullptr;
    AfterQueue* m_afterQueue = nullptr;
    QueuePanel* m_queuePanel = nullptr;
    QDockWidget* m_queueDock = nullptr;

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
    QMenu* m_queueMenu;
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
    QAction* m_modelManager;
    QAction* m_showTiles;
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
    QStringList m_workerDevices;
    MediaInfo m_shownInfo;
    OverwriteQuestion
        m_askOverwrite;  // what the status bar describes (retranslated on language change)
};

}  // namespace ui
