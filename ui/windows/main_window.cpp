#include "ui/windows/main_window.h"

#include "ui/bridge/after_queue.h"
#include "ui/bridge/job_runner.h"
#include "ui/bridge/tile_overlay.h"
#include "ui/dialogs/about_dialog.h"
#include "ui/dialogs/error_dialog.h"
#include "ui/dialogs/model_manager_dialog.h"
#include "ui/dialogs/preferences_dialog.h"
#include "ui/dialogs/resume_dialog.h"
#include "ui/models/device_list_model.h"
#include "ui/models/job_queue_model.h"
#include "ui/models/job_store.h"
#include "ui/models/log_model.h"
#include "ui/models/media_list_model.h"
#include "ui/models/media_scan.h"
#include "ui/models/preset_list_model.h"
#include "ui/widgets/comparison_panel.h"
#include "ui/widgets/device_panel.h"
#include "ui/widgets/log_panel.h"
#include "ui/widgets/parameter_panel.h"
#include "ui/widgets/player_widget.h"
#include "ui/widgets/queue_panel.h"

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLibraryInfo>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTabWidget>
#include <QToolBar>
#include <QTreeView>

namespace ui {
namespace {

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xdf, 0xe1, 0xe5);
    const QColor disabled(0x7f, 0x84, 0x8e);
    const QColor highlight(0x35, 0x74, 0xf0);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabled);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Light, QColor(0x4e, 0x51, 0x57));
    p.setColor(QPalette::Midlight, QColor(0x43, 0x45, 0x4a));
    p.setColor(QPalette::Mid, QColor(0x39, 0x3b, 0x40));
    p.setColor(QPalette::Dark, QColor(0x1e, 0x1f, 0x22));
    p.setColor(QPalette::Shadow, QColor(0x10, 0x10, 0x10));
    p.setColor(QPalette::Highlight, highlight);
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Link, QColor(0x58, 0x9d, 0xf6));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
        p.setColor(QPalette::Disabled, role, disabled);
    }
    return p;
}

QString mediaFilter() {
    return QCoreApplication::translate(
        "ui::MainWindow",
        "Videos and pictures (*.mp4 *.mkv *.mov *.avi *.webm *.m4v *.mxf *.ts *.m2ts *.mts *.mpg "
        "*.mpeg *.wmv *.flv *.y4m *.3gp *.png *.jpg *.jpeg *.tif *.tiff *.dpx *.exr *.bmp "
        "*.webp);;All files (*)");
}

}  // namespace

MainWindow::MainWindow(StudioSettings& settings,
                       PresetStore& presets,
                       EngineBridge& bridge,
                       JobStore* queueStore,
                       SessionServices* services,
                       QWidget* parent)
    : QMainWindow(parent),
      m_settings(settings),
      m_presetStore(presets),
      m_bridge(bridge),
      m_reader(settings.viewerCacheFrames()) {
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    m_askOverwrite = [this](const QString& output) {
        return QMessageBox::question(
                   this, tr("Replace the existing output?"),
                   tr("%1 exists already. Replace it when the job runs?\n\nNo leaves this "
                      "input out of the queue; change the output name to keep both.")
                       .arg(QDir::toNativeSeparators(output)),
                   QMessageBox::Yes | QMessageBox::No, QMessageBox::No) == QMessageBox::Yes;
    };
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    m_systemStyle = QApplication::style()->name();

    m_media = new MediaListModel(this);
    m_log = new LogModel(5000, this);
    m_devices = new DeviceListModel(this);
    m_devices->setExcludedDevices(m_settings.excludedQueueDevices());
    m_presets = new PresetListModel(m_presetStore, this);

    m_player = new PlayerWidget(m_reader, this);
    m_comparison = new ComparisonPanel(m_renderer, m_tileRenderer, this);
    m_comparison->setMemoryBudget(qint64(m_settings.previewMemoryMiB()) << 20);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_player, QString());
    m_tabs->addTab(m_comparison, QString());
    setCentralWidget(m_tabs);

    m_mediaLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_mediaLabel);

    createQueue(queueStore, services);
    createDocks();
    createActions();
    createMenus();
    connectParts();

    const QVariantMap saved = m_settings.parameters();
    if (!m_settings.presetId().isEmpty() && m_presets->rowOfId(m_settings.presetId()) >= 0) {
        m_parameters->selectPreset(m_settings.presetId());
    }
    if (!saved.isEmpty()) {
        m_parameters->setParameters(saved);
    }
    m_comparison->setScale(m_parameters->parameters().value(QStringLiteral("scale")).toInt());

    resize(1400, 860);
    m_defaultState = saveState();
    restoreGeometry(m_settings.windowGeometry());
    restoreState(m_settings.windowState());

    m_language = m_settings.language();
    setLanguage(m_language);
    applyTheme(m_settings.theme());
    rebuildRecentMenu();

    m_bridge.startDevicePolling(m_settings.devicePollIntervalMs());
}

MainWindow::~MainWindow() {
    m_bridge.stopDevicePolling();
    // The runner joins the engine workers while the model it reports to still exists; the
    // after-queue controller releases its inhibitor while the session services still exist.
    delete m_runner;
    m_runner = nullptr;
    delete m_afterQueue;
    m_afterQueue = nullptr;
    QCoreApplication::removeTranslator(&m_appTranslator);
    QCoreApplication::removeTranslator(&m_qtTranslator);
}

QList<QDockWidget*> MainWindow::docks() const {
    return {m_mediaDock, m_parametersDock, m_devicesDock, m_queueDock, m_logDock};
}

void MainWindow::createQueue(JobStore* store, SessionServices* services) {
    if (services == nullptr) {
        m_ownServices = makeSessionServices();
        services = m_ownServices.get();
    }
    m_queue = new JobQueueModel(store, this);
    m_runner = new JobRunner(*m_queue, this);
    m_afterQueue = new AfterQueue(*services, this);
    m_afterQueue->setDialogParent(this);
    m_queuePanel = new QueuePanel(*m_queue, *m_runner, *m_afterQueue, this);
}

void MainWindow::createDocks() {
    auto dock = [this](const char* name, QWidget* widget, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(this);
        d->setObjectName(QString::fromLatin1(name));
        d->setWidget(widget);
        addDockWidget(area, d);
        return d;
    };
    m_mediaView = new QTreeView(this);
    m_mediaView->setModel(m_media);
    m_mediaView->setRootIsDecorated(false);
    m_mediaView->setAlternatingRowColors(true);
    m_mediaView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_mediaView->header()->setStretchLastSection(false);
    m_mediaView->header()->setSectionResizeMode(MediaListModel::NameColumn, QHeaderView::Stretch);
    m_mediaDock = dock("MediaDock", m_mediaView, Qt::LeftDockWidgetArea);

    m_parameters = new ParameterPanel(*m_presets, this);
    m_parametersDock = dock("ParametersDock", m_parameters, Qt::RightDockWidgetArea);
    m_devicePanel = new DevicePanel(*m_devices, this);
    m_devicesDock = dock("DevicesDock", m_devicePanel, Qt::RightDockWidgetArea);
    tabifyDockWidget(m_parametersDock, m_devicesDock);
    m_parametersDock->raise();
    m_queueDock = dock("QueueDock", m_queuePanel, Qt::BottomDockWidgetArea);
    m_logPanel = new LogPanel(*m_log, this);
    m_logDock = dock("LogDock", m_logPanel, Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_queueDock, m_logDock);
    m_queueDock->raise();
    resizeDocks({m_queueDock}, {230}, Qt::Vertical);
    resizeDocks({m_mediaDock, m_parametersDock}, {260, 380}, Qt::Horizontal);
}

void MainWindow::createActions() {
    auto action = [this](const QKeySequence& key,
                         QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
        auto* a = new QAction(this);
        if (!key.isEmpty()) {
            a->setShortcut(key);
        }
        if (icon != QStyle::SP_CustomBase) {
            a->setIcon(style()->standardIcon(icon));
        }
        return a;
    };
    m_openFile = action(QKeySequence::Open, QStyle::SP_DialogOpenButton);
    connect(m_openFile, &QAction::triggered, this, &MainWindow::onOpenFileTriggered);
    m_openFolder = action(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), QStyle::SP_DirOpenIcon);
    connect(m_openFolder, &QAction::triggered, this, &MainWindow::onOpenFolderTriggered);
    m_clearRecent = action({});
    connect(m_clearRecent, &QAction::triggered, this, [this] {
        m_settings.clearRecentFiles();
        rebuildRecentMenu();
    });
    m_copyCommand = action(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_copyCommand, &QAction::triggered, this, [this] {
        const QString input = m_reader.mediaInfo().path.isEmpty()
                                  ? QDir::home().filePath(QStringLiteral("clip.mp4"))
                                  : m_reader.mediaInfo().path;
        const QString line = m_parameters->commandLine(input);
        QApplication::clipboard()->setText(line);
        statusBar()->showMessage(tr("Copied: %1").arg(line), 6000);
    });
    m_quit = action(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);
    m_showViewer = action(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(m_showViewer, &QAction::triggered, this, &MainWindow::showViewer);
    m_showCompare = action(QKeySequence(Qt::CTRL | Qt::Key_2));
    connect(m_showCompare, &QAction::triggered, this, &MainWindow::showComparison);
    m_showTiles = action(QKeySequence(Qt::SHIFT | Qt::Key_T));
    m_showTiles->setCheckable(true);
    connect(m_showTiles, &QAction::toggled, this, &MainWindow::updateTileOverlay);
    m_resetLayout = action({});
    connect(m_resetLayout, &QAction::triggered, this, [this] {
        restoreState(m_defaultState);
        for (QDockWidget* d : docks()) {
            d->show();
        }
    });
    m_themeGroup = new QActionGroup(this);
    m_themeSystem = action({});
    m_themeDark = action({});
    for (QAction* a : {m_themeSystem, m_themeDark}) {
        a->setCheckable(true);
        m_themeGroup->addAction(a);
    }
    connect(m_themeSystem, &QAction::triggered, this, [this] {
        m_settings.setTheme(Theme::System);
        applyTheme(Theme::System);
    });
    connect(m_themeDark, &QAction::triggered, this, [this] {
        m_settings.setTheme(Theme::Dark);
        applyTheme(Theme::Dark);
    });
    m_languageGroup = new QActionGroup(this);
    m_languageSystem = action({});
    m_languageEnglish = action({});
    m_languageChinese = action({});
    m_languageEnglish->setText(QStringLiteral("English"));
    m_languageChinese->setText(QStringLiteral("简体中文"));
    const QList<QPair<QAction*, QString>> languages = {
        {m_languageSystem, QString()},
        {m_languageEnglish, QStringLiteral("en")},
        {m_languageChinese, QStringLiteral("zh_CN")}};
    for (const auto& [a, code] : languages) {
        a->setCheckable(true);
        m_languageGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, code = code] {
            m_settings.setLanguage(code);
            setLanguage(code);
        });
    }
    m_preferences = action(QKeySequence::Preferences);
    if (m_preferences->shortcut().isEmpty()) {
        m_preferences->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    }
    m_preferences->setMenuRole(QAction::PreferencesRole);
    connect(m_preferences, &QAction::triggered, this, &MainWindow::onPreferencesTriggered);
    m_modelManager = action({});
    connect(m_modelManager, &QAction::triggered, this, [this] { openModelManager()->exec(); });
    m_about = action({});
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, this, [this] {
        auto* dialog = new AboutDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    m_aboutQt = action({});
    m_aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(m_aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createMenus() {
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->addAction(m_openFile);
    m_fileMenu->addAction(m_openFolder);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_copyCommand);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quit);

    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->addAction(m_showViewer);
    m_viewMenu->addAction(m_showCompare);
    m_viewMenu->addAction(m_showTiles);
    m_viewMenu->addSeparator();
    m_viewMenu->addActions(m_comparison->modeActions());
    m_viewMenu->addAction(m_comparison->toggleAction());
    m_viewMenu->addSeparator();
    m_viewMenu->addActions(m_player->zoomActions());
    m_viewMenu->addSeparator();
    for (QDockWidget* d : docks()) {
        m_viewMenu->addAction(d->toggleViewAction());
    }
    m_viewMenu->addAction(m_resetLayout);
    m_viewMenu->addSeparator();
    m_themeMenu = m_viewMenu->addMenu(QString());
    m_themeMenu->addActions({m_themeSystem, m_themeDark});
    m_languageMenu = m_viewMenu->addMenu(QString());
    m_languageMenu->addActions({m_languageSystem, m_languageEnglish, m_languageChinese});

    m_playbackMenu = menuBar()->addMenu(QString());
    m_playbackMenu->addActions(m_player->playbackActions());

    m_toolsMenu = menuBar()->addMenu(QString());
    m_toolsMenu->addAction(m_comparison->renderAction());
    m_toolsMenu->addSeparator();
    m_toolsMenu->addAction(m_modelManager);
    m_toolsMenu->addAction(m_preferences);

    m_queueMenu = menuBar()->addMenu(QString());
    m_queueMenu->addAction(m_queuePanel->addAction());
    m_queueMenu->addSeparator();
    m_queueMenu->addActions({m_queuePanel->startAction(), m_queuePanel->stopAction()});

    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->addAction(m_about);
    m_helpMenu->addAction(m_aboutQt);

    m_toolBar = addToolBar(QString());
    m_toolBar->setObjectName(QStringLiteral("MainToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_openFile);
    m_toolBar->addAction(m_openFolder);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_player->playAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_comparison->renderAction());
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_queuePanel->addAction());
    m_toolBar->addAction(m_queuePanel->startAction());
}

void MainWindow::connectParts() {
    connect(&m_reader, &FrameReader::opened, this, &MainWindow::onReaderOpened);
    connect(&m_reader, &FrameReader::openFailed, this, &MainWindow::onReaderOpenFailed);
    connect(&m_reader, &FrameReader::decodeFailed, this,
            [this](qint64, const engine::Error& error) { showError(error); });
    connect(&m_bridge, &EngineBridge::logReceived, this, &MainWindow::onBridgeLogReceived);
    connect(&m_bridge, &EngineBridge::devicesPolled, this, &MainWindow::onBridgeDevicesPolled);
    connect(m_queue, &QAbstractItemModel::dataChanged, this, &MainWindow::updateDeviceJobs);
    connect(m_queue, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateDeviceJobs);
    connect(m_devices, &DeviceListModel::queueDevicesChanged, this, [this] {
        m_settings.setExcludedQueueDevices(m_devices->excludedDevices());
        updateWorkerDevices();
    });
    connect(m_player, &PlayerWidget::currentFrameChanged, m_comparison,
            &ComparisonPanel::setCurrentFrame);
    connect(m_player, &PlayerWidget::inOutChanged, this,
            [this] { m_comparison->setRange(m_player->rangeFirst(), m_player->rangeLast()); });
    connect(m_comparison, &ComparisonPanel::renderFailed, this, &MainWindow::showError);
    connect(m_comparison, &ComparisonPanel::regionChanged, m_player->canvas(),
            &ImageCanvas::setHighlight);
    connect(m_player->canvas(), &ImageCanvas::imageClicked, this,
            &MainWindow::onCanvasImageClicked);
    connect(m_player->canvas(), &ImageCanvas::regionSelected, this,
            &MainWindow::onCanvasRegionSelected);
    connect(m_parameters, &ParameterPanel::parametersChanged, this, [this](const QVariantMap& v) {
        m_comparison->setScale(v.value(QStringLiteral("scale")).toInt());
        updateTileOverlay();
    });
    connect(m_parameters, &ParameterPanel::commandLineCopied, this, [this](const QString& line) {
        statusBar()->showMessage(tr("Copied: %1").arg(line), 6000);
    });
    connect(m_mediaView, &QTreeView::activated, this,
            [this](const QModelIndex& index) { openMedia(m_media->pathAt(index.row())); });
    auto* remove = new QAction(this);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetShortcut);
    connect(remove, &QAction::triggered, this, [this] {
        QList<int> rows;
        for (const QModelIndex& i : m_mediaView->selectionModel()->selectedRows()) {
            rows << i.row();
        }
        std::sort(rows.rbegin(), rows.rend());
        for (int r : rows) {
            m_media->removeRows(r, 1);
        }
    });
    m_mediaView->addAction(remove);

    connect(m_queue, &JobQueueModel::pathsDropped, this,
            [this](const QStringList& paths, int row) { addToQueue(paths, row); });
    connect(m_queue, &JobQueueModel::persistenceFailed, this, [this](const QString&) {
        statusBar()->showMessage(tr("The queue cannot be saved; see the log."), 8000);
    });
    connect(m_queuePanel, &QueuePanel::addCurrentRequested, this, &MainWindow::addCurrentToQueue);
    connect(m_queuePanel, &QueuePanel::applySettingsRequested, this,
            &MainWindow::applyCurrentSettings);
    connect(m_queuePanel, &QueuePanel::editSettingsRequested, this, [this](const QString& id) {
        if (const QueueJob* job = m_queue->jobById(id)) {
            m_parameters->setParameters(job->parameters);
            m_parametersDock->show();
            m_parametersDock->raise();
            statusBar()->showMessage(
                tr("Settings of %1 loaded; change them, then Apply Current Settings.")
                    .arg(job->name),
                8000);
        }
    });
    connect(m_runner, &JobRunner::busyChanged, m_afterQueue, &AfterQueue::onQueueBusyChanged);
    connect(m_runner, &JobRunner::queueFinished, m_afterQueue, &AfterQueue::onQueueFinished);
    connect(m_runner, &JobRunner::queueFinished, this, [this](int done, int failed, int) {
        statusBar()->showMessage(tr("Queue finished: %1 done, %2 failed.").arg(done).arg(failed),
                                 10000);
    });
    connect(m_runner, &JobRunner::jobFailed, this,
            [this](const QString& id, const engine::Error& error) {
                const QueueJob* job = m_queue->jobById(id);
                m_afterQueue->onJobFailed(job != nullptr ? job->name : id, error);
            });
    connect(m_runner, &JobRunner::throughputSampled, m_devicePanel,
            &DevicePanel::addThroughputSample);
    connect(m_afterQueue, &AfterQueue::quitRequested, this, &QWidget::close);
    connect(m_afterQueue, &AfterQueue::notified, this,
            [](const QString& title, const QString& body) {
                engine::log_info(("notification: " + title + " — " + body).toStdString());
            });
}

int MainWindow::addToQueue(const QStringList& paths, int row) {
    const QVariantMap values = m_parameters->parameters();
    if (hasErrors(m_parameters->issues())) {
        statusBar()->showMessage(tr("Fix the settings marked in the Parameters panel first."),
                                 8000);
        m_parametersDock->show();
        m_parametersDock->raise();
        return 0;
    }
    const QList<MediaItem> items = scanMedia(paths);
    if (items.isEmpty()) {
        statusBar()->showMessage(tr("No videos or picture folders found there."), 6000);
        return 0;
    }
    int added = 0;
    QString last;
    for (const MediaItem& item : items) {
        engine::Error error;
        const QString id = m_queue->addJob(item.path, jobParametersFor(item.path), &error);
        if (id.isEmpty()) {
            showError(error);
            break;
        }
        const QueueJob* job = m_queue->jobById(id);
        if (job != nullptr && !job->spec.output_settings.overwrite &&
            QFileInfo::exists(job->output)) {
            if (!m_askOverwrite(job->output)) {
                m_queue->removeJob(id);
                continue;
            }
            QVariantMap replacing = job->parameters;
            replacing.insert(QStringLiteral("overwrite"), true);
            m_queue->setJobParameters(id, replacing);
        }
        if (row >= 0) {
            m_queue->moveJob(id, row + added);
        }
        last = id;
        ++added;
    }
    if (added > 0) {
        m_queuePanel->selectJob(last);
        m_queueDock->show();
        m_queueDock->raise();
        statusBar()->showMessage(tr("Queued %n job(s).", nullptr, added), 4000);
    }
    return added;
}

QVariantMap MainWindow::jobParametersFor(const QString& path) const {
    QVariantMap values = m_parameters->parameters();
    if (QDir::cleanPath(path) != m_parameters->currentInput()) {
        return values;
    }
    // The viewer's in/out points (inclusive frames) become the job's [first_frame, end_frame).
    if (m_player->inPoint() >= 0) {
        values.insert(QStringLiteral("first_frame"), static_cast<int>(m_player->inPoint()));
    }
    if (m_player->outPoint() >= 0) {
        values.insert(QStringLiteral("end_frame"), static_cast<int>(m_player->outPoint() + 1));
    }
    return values;
}

int MainWindow::addCurrentToQueue() {
    QStringList paths;
    for (const QModelIndex& i : m_mediaView->selectionModel()->selectedRows()) {
        paths << m_media->pathAt(i.row());
    }
    if (paths.isEmpty() && !m_parameters->currentInput().isEmpty()) {
        paths << m_parameters->currentInput();
    }
    if (paths.isEmpty()) {
        statusBar()->showMessage(tr("Open a video or drop files on the queue first."), 6000);
        return 0;
    }
    return addToQueue(paths);
}

int MainWindow::applyCurrentSettings(const QStringList& ids) {
    if (hasErrors(m_parameters->issues())) {
        statusBar()->showMessage(tr("Fix the settings marked in the Parameters panel first."),
                                 8000);
        return 0;
    }
    int applied = 0;
    for (const QString& id : ids) {
        engine::Error error;
        if (m_queue->setJobParameters(id, m_parameters->parameters(), &error)) {
            ++applied;
        } else if (error.code != engine::ErrorCode::Ok) {
            showError(error);
            break;
        }
    }
    statusBar()->showMessage(tr("New settings for %n job(s).", nullptr, applied), 4000);
    return applied;
}

int MainWindow::offerResume() {
    const QList<ResumeCandidate> candidates = resumeCandidates(*m_queue);
    if (candidates.isEmpty()) {
        return 0;
    }
    ResumeDialog dialog(candidates, this);
    const QStringList resume =
        dialog.exec() == QDialog::Accepted ? dialog.selectedIds() : QStringList();
    m_queue->resolveInterrupted(resume);
    if (!resume.isEmpty()) {
        m_runner->startQueue();
    }
    return static_cast<int>(resume.size());
}

int MainWindow::openPaths(const QStringList& paths) {
    const QList<MediaItem> items = scanMedia(paths);
    if (items.isEmpty()) {
        statusBar()->showMessage(tr("No videos or picture folders found there."), 6000);
        return 0;
    }
    const int firstNew = m_media->rowCount();
    const int added = m_media->addItems(items);
    const QString toOpen = added > 0 ? m_media->pathAt(firstNew) : items.first().path;
    if (added > 0) {
        statusBar()->showMessage(tr("Added %n item(s).", nullptr, added), 4000);
    }
    openMedia(toOpen);
    return static_cast<int>(items.size());
}

void MainWindow::openMedia(const QString& path) {
    if (path.isEmpty()) {
        return;
    }
    if (m_media->rowOfPath(path) < 0) {
        m_media->addItems(
            {{QDir::cleanPath(path),
              QFileInfo(path).isDir() ? MediaKind::ImageSequence : MediaKind::Video}});
    }
    const int row = m_media->rowOfPath(path);
    m_mediaView->setCurrentIndex(m_media->index(row, 0));
    m_settings.addRecentFile(path);
    m_settings.setLastOpenDirectory(QFileInfo(path).absolutePath());
    rebuildRecentMenu();
    m_parameters->setCurrentInput(QDir::cleanPath(path));
    m_comparison->setMedia(QString());
    m_shownInfo = MediaInfo{};
    m_mediaLabel->setText(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    m_reader.open(QDir::cleanPath(path));
}

void MainWindow::onReaderOpened(const MediaInfo& info) {
    m_media->setMediaInfo(info.path, info.width, info.height, info.frameCount);
    m_comparison->setMedia(info.path);
    m_comparison->setRange(m_player->rangeFirst(), m_player->rangeLast());
    m_shownInfo = info;
    m_parameters->setInputInfo(
        PlanInput{info.width, info.height, info.frameCount, info.fps, info.bitDepth});
    updateTileOverlay();
    updateMediaLabel();
    setWindowTitle(tr("%1 — FlashVSR Studio").arg(QFileInfo(info.path).fileName()));
}

void MainWindow::updateMediaLabel() {
    const MediaInfo& info = m_shownInfo;
    if (info.path.isEmpty()) {
        return;
    }
    QStringList parts;
    parts << QFileInfo(info.path).fileName() << tr("%1×%2").arg(info.width).arg(info.height);
    if (info.fps > 0) {
        parts << tr("%1 fps").arg(info.fps, 0, 'g', 5);
    }
    parts << info.codec << tr("%1-bit").arg(info.bitDepth);
    if (info.hdr) {
        parts << tr("HDR");
    }
    parts << (info.frameCountExact ? tr("%n frame(s)", nullptr, int(info.frameCount))
                                   : tr("about %n frame(s)", nullptr, int(info.frameCount)));
    m_mediaLabel->setText(parts.join(QStringLiteral(" · ")));
}

void MainWindow::onReaderOpenFailed(const QString& path, const engine::Error& error) {
    m_mediaLabel->setText(tr("Cannot open %1").arg(QFileInfo(path).fileName()));
    showError(error);
}

void MainWindow::showError(const engine::Error& error) {
    engine::log_warning(error.to_string());
    auto* dialog = new ErrorDialog(error, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::onBridgeLogReceived(const QDateTime& time,
                                     engine::LogLevel level,
                                     const QString& message) {
    m_log->append(time, level, message);
}

void MainWindow::onBridgeDevicesPolled(const engine::gpu::DeviceQuery& query) {
    m_devices->update(query);
    updateWorkerDevices();
    if (m_deviceCount != static_cast<int>(query.devices.size())) {
        m_deviceCount = static_cast<int>(query.devices.size());
        QStringList names;
        for (const auto& d : query.devices) {
            names << QStringLiteral("cuda:%1").arg(d.index);
        }
        m_parameters->setAvailableDevices(names);
    }
}

void MainWindow::updateDeviceJobs() {
    QMap<QString, QString> jobs;
    for (int row = 0; row < m_queue->rowCount(); ++row) {
        const QueueJob& job = m_queue->jobAt(row);
        if (isActiveState(job.state) && !job.device.isEmpty()) {
            QString& names = jobs[job.device];
            names = names.isEmpty() ? job.name : names + QStringLiteral(", ") + job.name;
        }
    }
    m_devicePanel->setDeviceJobs(jobs);
}

void MainWindow::updateWorkerDevices() {
    const QStringList workers = m_devices->queueDevices();
    if (workers != m_workerDevices) {
        // One worker per ticked GPU (or one CPU worker); taken by the next engine queue.
        m_workerDevices = workers;
        m_runner->setWorkerDevices(workers);
    }
}

void MainWindow::onOpenFileTriggered() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open videos or pictures"), m_settings.lastOpenDirectory(), mediaFilter());
    if (!files.isEmpty()) {
        openPaths(files);
    }
}

void MainWindow::onOpenFolderTriggered() {
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Open a folder (searched for videos and picture sequences)"),
        m_settings.lastOpenDirectory());
    if (!folder.isEmpty()) {
        openPaths({folder});
    }
}

void MainWindow::updateTileOverlay() {
    QList<ImageCanvas::OverlayRect> rects;
    if (m_showTiles->isChecked() && m_shownInfo.width > 0 && m_shownInfo.height > 0) {
        const QList<TileOverlayRect> tiles =
            tileOverlay(m_parameters->parameters(), QSize(m_shownInfo.width, m_shownInfo.height),
                        m_parameters->plan().tileSize);
        for (const TileOverlayRect& t : tiles) {
            rects.append({t.rect, t.pass});
        }
    }
    m_player->canvas()->setOverlay(rects);
}

void MainWindow::onCanvasImageClicked(const QPoint& pixel) {
    if (!m_showTiles->isChecked() || m_shownInfo.width <= 0 || m_shownInfo.height <= 0) {
        return;
    }
    const QList<TileOverlayRect> tiles =
        tileOverlay(m_parameters->parameters(), QSize(m_shownInfo.width, m_shownInfo.height),
                    m_parameters->plan().tileSize);
    if (const std::optional<QRect> tile = tileAtPoint(tiles, pixel)) {
        previewRegion(*tile);
    }
}

void MainWindow::onCanvasRegionSelected(const QRect& rect) {
    const QRect region =
        snapPreviewRegion(rect, QSize(m_shownInfo.width, m_shownInfo.height),
                          m_parameters->parameters().value(QStringLiteral("scale")).toInt());
    if (!region.isEmpty()) {
        previewRegion(region);
    }
}

bool MainWindow::previewRegion(const QRect& region) {
    if (m_shownInfo.path.isEmpty() || m_shownInfo.width <= 0 || m_shownInfo.height <= 0) {
        statusBar()->showMessage(tr("Open a video first."), 6000);
        return false;
    }
    if (hasErrors(m_parameters->issues())) {
        statusBar()->showMessage(tr("Fix the settings marked in the Parameters panel first."),
                                 8000);
        m_parametersDock->show();
        m_parametersDock->raise();
        return false;
    }
    TilePreviewRequest request;
    request.path = m_shownInfo.path;
    request.parameters = jobParametersFor(m_shownInfo.path);
    request.region = region;
    request.frameSize = QSize(m_shownInfo.width, m_shownInfo.height);
    request.currentFrame = m_player->currentFrame();
    request.frameCount = m_shownInfo.frameCount;
    request.fps = m_shownInfo.fps;
    request.bitDepth = m_shownInfo.bitDepth;
    m_comparison->renderRegion(request);
    showComparison();
    return true;
}

ModelManagerDialog* MainWindow::openModelManager() {
    auto* dialog = new ModelManagerDialog(m_settings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // The chosen folder is the model folder of new jobs.
    connect(dialog, &ModelManagerDialog::folderChanged, this, [this](const QString& folder) {
        QVariantMap values = m_parameters->parameters();
        if (folder.isEmpty()) {
            values.remove(QStringLiteral("model_dir"));
        } else {
            values.insert(QStringLiteral("model_dir"), folder);
        }
        m_parameters->setParameters(values);
    });
    return dialog;
}

void MainWindow::onPreferencesTriggered() {
    PreferencesDialog dialog(m_settings, this);
    if (dialog.exec() != QDialog::Accepted) {
        return;
    }
    dialog.apply();
    applyTheme(m_settings.theme());
    if (m_settings.language() != m_language) {
        setLanguage(m_settings.language());
    }
    m_reader.setCacheFrames(m_settings.viewerCacheFrames());
    m_comparison->setMemoryBudget(qint64(m_settings.previewMemoryMiB()) << 20);
    m_bridge.startDevicePolling(m_settings.devicePollIntervalMs());
}

void MainWindow::setLanguage(const QString& language) {
    m_language = language;
    QCoreApplication::removeTranslator(&m_appTranslator);
    QCoreApplication::removeTranslator(&m_qtTranslator);
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // English is the source language, but its .qm carries the plural forms.
    const QString code =
        locale.language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
    if (m_appTranslator.load(QStringLiteral(":/i18n/flashvsr_studio_%1.qm").arg(code))) {
        QCoreApplication::installTranslator(&m_appTranslator);
    }
    if (m_qtTranslator.load(QStringLiteral("qtbase_%1").arg(code),
                            QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(&m_qtTranslator);
    }
    // Installing sends LanguageChange to every widget; with no translator (an English system
    // without the .qm) the window still needs its texts.
    retranslateUi();
    m_languageSystem->setChecked(language.isEmpty());
    m_languageEnglish->setChecked(language == QLatin1String("en"));
    m_languageChinese->setChecked(language == QLatin1String("zh_CN"));
}

void MainWindow::applyTheme(Theme theme) {
    if (theme == Theme::Dark) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        QFile qss(QStringLiteral(":/themes/dark.qss"));
        qApp->setStyleSheet(qss.open(QIODevice::ReadOnly) ? QString::fromUtf8(qss.readAll())
                                                          : QString());
    } else {
        qApp->setStyleSheet(QString());
        QApplication::setStyle(QStyleFactory::create(m_systemStyle));
        QApplication::setPalette(QApplication::style()->standardPalette());
    }
    m_themeDark->setChecked(theme == Theme::Dark);
    m_themeSystem->setChecked(theme == Theme::System);
}

void MainWindow::showComparison() {
    m_tabs->setCurrentWidget(m_comparison);
}

void MainWindow::showViewer() {
    m_tabs->setCurrentWidget(m_player);
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList files = m_settings.recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files.at(i);
        QAction* a = m_recentMenu->addAction(
            QStringLiteral("&%1  %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        connect(a, &QAction::triggered, this, [this, path] {
            if (!QFileInfo::exists(path)) {
                m_settings.removeRecentFile(path);
                rebuildRecentMenu();
                statusBar()->showMessage(tr("%1 no longer exists.").arg(path), 6000);
                return;
            }
            openPaths({path});
        });
    }
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(m_clearRecent);
    m_clearRecent->setEnabled(!files.isEmpty());
}

void MainWindow::retranslateUi() {
    if (m_reader.mediaInfo().path.isEmpty()) {
        setWindowTitle(tr("FlashVSR Studio"));
    }
    m_tabs->setTabText(0, tr("Viewer"));
    m_tabs->setTabText(1, tr("Compare"));
    m_mediaDock->setWindowTitle(tr("Media"));
    m_parametersDock->setWindowTitle(tr("Parameters"));
    m_devicesDock->setWindowTitle(tr("Devices"));
    m_logDock->setWindowTitle(tr("Log"));
    m_queueDock->setWindowTitle(tr("Queue"));
    m_queueMenu->setTitle(tr("&Queue"));
    m_toolBar->setWindowTitle(tr("Main toolbar"));
    m_fileMenu->setTitle(tr("&File"));
    m_recentMenu->setTitle(tr("Open &Recent"));
    m_viewMenu->setTitle(tr("&View"));
    m_themeMenu->setTitle(tr("&Theme"));
    m_languageMenu->setTitle(tr("&Language"));
    m_playbackMenu->setTitle(tr("&Playback"));
    m_toolsMenu->setTitle(tr("&Tools"));
    m_helpMenu->setTitle(tr("&Help"));
    m_openFile->setText(tr("&Open…"));
    m_openFile->setToolTip(tr("Open videos or pictures (Ctrl+O)"));
    m_openFolder->setText(tr("Open &Folder…"));
    m_openFolder->setToolTip(tr("Open every video and picture sequence in a folder"));
    m_clearRecent->setText(tr("&Clear Recent Files"));
    m_copyCommand->setText(tr("Copy &Command Line"));
    m_quit->setText(tr("&Quit"));
    m_showViewer->setText(tr("&Viewer"));
    m_showCompare->setText(tr("&Compare"));
    m_resetLayout->setText(tr("&Reset Layout"));
    m_themeSystem->setText(tr("Follow the &System"));
    m_themeDark->setText(tr("&Dark"));
    m_languageSystem->setText(tr("&System Language"));
    m_preferences->setText(tr("&Preferences…"));
    m_showTiles->setText(tr("Show &Tile Grid"));
    m_showTiles->setToolTip(tr("Draw the tiles the current tiling settings cut each frame into"));
    m_modelManager->setText(tr("&Model Manager…"));
    m_modelManager->setToolTip(
        tr("Which FlashVSR model files are there, verify them, choose the "
           "model folder"));
    m_about->setText(tr("&About FlashVSR Studio"));
    m_aboutQt->setText(tr("About &Qt"));
    m_mediaView->setToolTip(
        tr("Double-click to view. Drop files or folders on the window to add "
           "them; Delete removes the selection."));
    rebuildRecentMenu();
    updateMediaLabel();
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) {
        for (const QUrl& url : event->mimeData()->urls()) {
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
        }
    }
    event->ignore();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList paths;
    for (const QUrl& url : event->mimeData()->urls()) {
        if (url.isLocalFile()) {
            paths << url.toLocalFile();
        }
    }
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    openPaths(paths);
}

void MainWindow::saveWindowState() {
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.setParameters(m_parameters->parameters());
    m_settings.setPresetId(m_parameters->presetId());
    m_settings.sync();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_renderer.cancel();
    m_tileRenderer.cancel();
    if (m_runner->activeCount() > 0) {
        engine::log_info("quitting with running jobs: they are offered for resume next time");
    }
    saveWindowState();
    QMainWindow::closeEvent(event);
}

}  // namespace ui
