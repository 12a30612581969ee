// JobQueueModel, JobStore and the resume offer (ui/models/job_queue_model.*, job_store.*,
// ui/bridge/checkpoint_progress.*, ui/dialogs/resume_dialog.*): the model under
// QAbstractItemModelTester, persistence across a simulated restart, the resume offer after a
// simulated crash, and drag and drop onto the queue view.

#include "ui/models/job_queue_model.h"

#include "engine/jobs/manifest.h"
#include "ui/bridge/after_queue.h"
#include "ui/bridge/job_runner.h"
#include "ui/dialogs/resume_dialog.h"
#include "ui/models/job_store.h"
#include "ui/widgets/queue_panel.h"
#include "ui_test.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMenu>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>

#include <memory>

namespace {

QVariantMap bicubic(const QString& outputFolder) {
    return {{"upscaler", "bicubic"},
            {"scale", 2},
            {"output_folder", outputFolder},
            {"codec", "ffv1"},
            {"quality", "lossless"}};
}

// Session services that do nothing (the panel needs an AfterQueue).
class NoServices : public ui::SessionServices {
  public:
    bool powerManagementAvailable() const override { return false; }
    bool notificationsAvailable() const override { return false; }
    bool suspend(QString*) override { return false; }
    bool powerOff(QString*) override { return false; }
    bool inhibit(const QString&, QString*) override { return false; }
    void releaseInhibitor() override {}
    bool isInhibiting() const override { return false; }
    bool notify(const QString&, const QString&, bool) override { return false; }
};

}  // namespace

class JobQueueModelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void passesTheModelTesterThroughEveryOperation() {
        QTemporaryDir dir;
        ui::JobStore store(dir.filePath("queue.sqlite"));
        QVERIFY2(store.isOpen(), qPrintable(store.lastError()));
        ui::JobQueueModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QVariantMap values = bicubic(dir.filePath("out"));
        const QString a = model.addJob(dir.filePath("a.mp4"), values);
        const QString b = model.addJob(dir.filePath("b.mp4"), values);
        const QString c = model.addJob(dir.filePath("c.mp4"), values);
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(ui::JobQueueModel::ColumnCount));
        QCOMPARE(model.data(model.index(0, ui::JobQueueModel::NameColumn)).toString(),
                 QString("a.mp4"));
        QCOMPARE(model.data(model.index(0, ui::JobQueueModel::OutputColumn)).toString(),
                 QString("a_bicubic_x2.mkv"));
        QCOMPARE(model.data(model.index(0, ui::JobQueueModel::StateColumn)).toString(),
                 QString("Queued"));
        QCOMPARE(QString::fromStdString(model.jobAt(0).spec.job_id), a);

        // Reorder: move up/down and drag.
        QVERIFY(model.moveJob(c, 0));
        QCOMPARE(model.ids(), (QStringList{c, a, b}));
        QVERIFY(model.moveJob(c, 2));
        QCOMPARE(model.ids(), (QStringList{a, b, c}));
        QVERIFY(!model.moveJob(a, 0));
        std::unique_ptr<QMimeData> mime(model.mimeData({model.index(2, 0)}));
        QVERIFY(model.dropMimeData(mime.get(), Qt::MoveAction, 0, 0, {}));
        QCOMPARE(model.ids(), (QStringList{c, a, b}));

        // Duplicate lands below the original with its own output and id.
        const QString d = model.duplicateJob(a);
        QCOMPARE(model.rowOfId(d), 2);
        QCOMPARE(model.jobById(d)->input, model.jobById(a)->input);
        QVERIFY(model.jobById(d)->output != model.jobById(a)->output);
        QVERIFY(model.jobById(d)->output.endsWith("a_bicubic_x2_2.mkv"));

        // Progress, then edit settings of a queued job; a running one cannot be edited/removed.
        model.setJobState(b, ui::QueueJobState::Running);
        model.setJobProgress(b, 30, 120, 12.5, 7000, "cpu");
        QCOMPARE(
            model.data(model.index(model.rowOfId(b), ui::JobQueueModel::ProgressColumn)).toString(),
            QString("30 / 120 (25%)"));
        QCOMPARE(model.data(model.index(model.rowOfId(b), ui::JobQueueModel::FpsColumn)).toString(),
                 QString("12.5"));
        QCOMPARE(model.data(model.index(model.rowOfId(b), ui::JobQueueModel::EtaColumn)).toString(),
                 QString("0:07"));
        QCOMPARE(model.data(model.index(model.rowOfId(b), 0), ui::JobQueueModel::ProgressRole)
                     .toDouble(),
                 0.25);
        QVERIFY(!model.removeJob(b));
        QVERIFY(!model.setJobParameters(b, values));
        QVariantMap lanczos = values;
        lanczos.insert("upscaler", "lanczos");
        QVERIFY(model.setJobParameters(c, lanczos));
        QCOMPARE(model.jobById(c)->spec.upscaler, engine::jobs::UpscalerKind::Lanczos);
        QVERIFY(model.jobById(c)->output.endsWith("c_lanczos_x2.mkv"));
        QCOMPARE(model.jobById(c)->spec.resume, engine::jobs::ResumePolicy::CleanStart);
        QVariantMap broken = values;
        broken.insert("input_fps", "fast");
        engine::Error error;
        QVERIFY(!model.setJobParameters(c, broken, &error));
        QCOMPARE(error.code, engine::ErrorCode::InvalidArgument);

        QVERIFY(model.removeJob(d));
        QVERIFY(model.removeRows(0, 1));
        QCOMPARE(model.ids(), (QStringList{a, b}));
        QCOMPARE(ui::JobQueueModel::formatDuration(3723000), QString("1:02:03"));
    }

    void survivesARestart() {
        QTemporaryDir dir;
        const QString db = dir.filePath("data/queue.sqlite");
        QStringList order;
        {
            ui::JobStore store(db);
            ui::JobQueueModel model(&store);
            const QVariantMap values = bicubic(dir.filePath("out"));
            const QString a = model.addJob(dir.filePath("a.mp4"), values);
            const QString b = model.addJob(dir.filePath("b.mp4"), values);
            const QString c = model.addJob(dir.filePath("c seq"), values);
            model.moveJob(c, 0);
            model.setJobState(a, ui::QueueJobState::Paused);
            engine::Error failure(engine::ErrorCode::DiskFull, "no space left");
            failure.with("path", "/out/b.mkv").with("needed_bytes", "1000");
            model.setJobError(b, failure);
            model.setJobState(b, ui::QueueJobState::Failed);
            order = model.ids();
        }
        ui::JobStore store(db);
        ui::JobQueueModel model(&store);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.ids(), order);
        QCOMPARE(model.jobAt(0).name, QString("c seq"));
        QCOMPARE(model.jobAt(0).state, ui::QueueJobState::Queued);
        QCOMPARE(model.jobAt(1).state, ui::QueueJobState::Paused);
        QCOMPARE(model.jobAt(2).state, ui::QueueJobState::Failed);
        QVERIFY(model.jobAt(2).error.has_value());
        QCOMPARE(model.jobAt(2).error->code, engine::ErrorCode::DiskFull);
        QCOMPARE(model.jobAt(2).error->get("needed_bytes"), std::string("1000"));
        QCOMPARE(model.jobAt(1).parameters.value("upscaler").toString(), QString("bicubic"));
        QCOMPARE(model.jobAt(1).spec.upscaler, engine::jobs::UpscalerKind::Bicubic);
        QCOMPARE(model.jobAt(1).spec.scale, 2);
        QCOMPARE(QString::fromStdString(model.jobAt(1).spec.job_id), model.jobAt(1).id);
        QVERIFY(model.interruptedJobIds().isEmpty());
        // Removing is written too.
        QVERIFY(model.removeJob(order.at(1)));
        ui::JobQueueModel again(&store);
        QCOMPARE(again.ids(), (QStringList{order.at(0), order.at(2)}));
    }

    void persistsProgressWhileRunning() {
        QTemporaryDir dir;
        const QString db = dir.filePath("queue.sqlite");
        QString id;
        {
            ui::JobStore store(db);
            ui::JobQueueModel model(&store);
            QCOMPARE(model.progressPersistIntervalMs(), 2000);
            id = model.addJob(dir.filePath("long.mp4"), bicubic(dir.filePath("out")));
            model.setJobState(id, ui::QueueJobState::Running);
            // The first report of a run is written at once, later ones at most every interval.
            model.setJobProgress(id, 10, 400, 5.0, 78000, "cuda:1");
            model.setJobProgress(id, 12, 400, 5.0, 77000, "cuda:1");
            {
                ui::JobQueueModel view(&store);
                QCOMPARE(view.jobById(id)->framesDone, qint64(10));
                QCOMPARE(view.jobById(id)->framesTotal, qint64(400));
                QCOMPARE(view.jobById(id)->device, QString("cuda:1"));
            }
            model.setProgressPersistIntervalMs(50);
            QTest::qWait(60);
            model.setJobProgress(id, 120, 400, 5.0, 56000, "cuda:1");
            // No state change follows: the process dies while the job runs.
        }
        ui::JobStore store(db);
        ui::JobQueueModel model(&store);
        QCOMPARE(model.interruptedJobIds(), QStringList{id});
        QCOMPARE(model.jobById(id)->framesDone, qint64(120));
        QCOMPARE(model.jobById(id)->framesTotal, qint64(400));
        const QModelIndex progress = model.index(0, ui::JobQueueModel::ProgressColumn);
        QCOMPARE(model.data(progress, ui::JobQueueModel::ProgressRole).toDouble(), 0.3);
    }

    void offersInterruptedJobsForResume() {
        QTemporaryDir dir;
        const QString db = dir.filePath("queue.sqlite");
        QString running;
        QString paused;
        {
            ui::JobStore store(db);
            ui::JobQueueModel model(&store);
            model.setCheckpointRoot(dir.filePath("checkpoints"));
            const QVariantMap values = bicubic(dir.filePath("out"));
            running = model.addJob(dir.filePath("long.mp4"), values);
            paused = model.addJob(dir.filePath("other.mp4"), values);
            model.setJobState(running, ui::QueueJobState::Running);
            model.setJobState(paused, ui::QueueJobState::Paused);

            // The engine had finished 20 of 40 frames when the power went.
            engine::jobs::Manifest manifest;
            manifest.job_id = running.toStdString();
            manifest.spec = model.jobById(running)->spec;
            manifest.plan.first = 0;
            manifest.plan.end = 40;
            manifest.plan.max_segment_frames = 20;
            for (int i = 0; i < 2; ++i) {
                engine::jobs::Segment segment;
                segment.index = i;
                segment.first = segment.input_first = 20 * i;
                segment.end = segment.input_end = 20 * (i + 1);
                manifest.plan.segments.push_back(segment);
            }
            engine::jobs::SegmentRecord first;
            first.index = 0;
            first.first = 0;
            first.end = 20;
            manifest.add_finished(first);
            const auto folder = engine::jobs::checkpoint_dir_for(manifest.spec);
            QCOMPARE(QString::fromStdString(folder.string()),
                     QDir(dir.filePath("checkpoints")).filePath(running));
            std::filesystem::create_directories(folder);
            QVERIFY(engine::jobs::write_manifest(folder / engine::jobs::manifest_file_name(0, -1),
                                                 manifest)
                        .ok());
            // No clean shutdown: the store still says Running.
        }
        ui::JobStore store(db);
        ui::JobQueueModel model(&store);
        QCOMPARE(model.interruptedJobIds(), QStringList{running});
        QCOMPARE(model.jobById(running)->state, ui::QueueJobState::Paused);
        QCOMPARE(model.jobById(paused)->state, ui::QueueJobState::Paused);

        const QList<ui::ResumeCandidate> candidates = ui::resumeCandidates(model);
        QCOMPARE(candidates.size(), 1);
        QCOMPARE(candidates.first().id, running);
        QVERIFY(candidates.first().checkpointFound);
        QCOMPARE(candidates.first().framesDone, qint64(20));
        QCOMPARE(candidates.first().framesTotal, qint64(40));

        ui::ResumeDialog dialog(candidates);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.list()->topLevelItemCount(), 1);
        QCOMPARE(dialog.list()->topLevelItem(0)->text(0), QString("long.mp4"));
        QCOMPARE(dialog.list()->topLevelItem(0)->text(1), QString("20 / 40 frames (50%)"));
        QCOMPARE(dialog.selectedIds(), QStringList{running});
        dialog.list()->topLevelItem(0)->setCheckState(0, Qt::Unchecked);
        QVERIFY(dialog.selectedIds().isEmpty());
        dialog.list()->topLevelItem(0)->setCheckState(0, Qt::Checked);
        dialog.accept();

        model.resolveInterrupted(dialog.selectedIds());
        QVERIFY(model.interruptedJobIds().isEmpty());
        QCOMPARE(model.jobById(running)->state, ui::QueueJobState::Queued);
        QCOMPARE(model.jobById(paused)->state, ui::QueueJobState::Paused);
        ui::JobQueueModel reloaded(&store);
        QVERIFY(reloaded.interruptedJobIds().isEmpty());
        QCOMPARE(reloaded.jobById(running)->state, ui::QueueJobState::Queued);

        ui::ResumeCandidate none;
        QCOMPARE(ui::ResumeDialog::progressText(none), QString("No checkpoint: starts over"));
    }

    void dropsOntoTheQueueView() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("drop/seq"), 3, 16, 8));
        ui::JobQueueModel model(nullptr);
        ui::JobRunner runner(model);
        NoServices services;
        ui::AfterQueue after(services);
        ui::QueuePanel panel(model, runner, after);
        panel.resize(700, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(!after.isAvailable(ui::AfterQueueAction::Suspend));
        QVERIFY(after.isAvailable(ui::AfterQueueAction::RunCommand));
        QWidget* viewport = panel.view()->viewport();

        // Files and folders from outside: announced for the window to scan and add.
        QSignalSpy dropped(&model, &ui::JobQueueModel::pathsDropped);
        QMimeData files;
        files.setUrls({QUrl::fromLocalFile(dir.filePath("drop")),
                       QUrl(QStringLiteral("https://example.com/x.mp4"))});
        const QPoint inside(40, 40);
        QDragEnterEvent enter(inside, Qt::CopyAction, &files, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(inside, Qt::CopyAction, &files, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
        QDropEvent drop(inside, Qt::CopyAction, &files, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &drop);
        QCOMPARE(dropped.size(), 1);
        QCOMPARE(dropped.first().at(0).toStringList(), QStringList{dir.filePath("drop")});
        QCOMPARE(dropped.first().at(1).toInt(), -1);

        // Rows dragged within the table reorder the queue.
        const QVariantMap values = bicubic(dir.filePath("out"));
        const QString a = model.addJob(dir.filePath("a.mp4"), values);
        const QString b = model.addJob(dir.filePath("b.mp4"), values);
        const QString c = model.addJob(dir.filePath("c.mp4"), values);
        std::unique_ptr<QMimeData> rows(model.mimeData({model.index(2, 0)}));
        const QRect first = panel.view()->visualRect(model.index(0, 0));
        const QPoint top(first.center().x(), first.top() + 2);
        QDragEnterEvent enterRows(top, Qt::MoveAction, rows.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enterRows);
        QVERIFY(enterRows.isAccepted());
        QDragMoveEvent moveRows(top, Qt::MoveAction, rows.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &moveRows);
        QDropEvent dropRows(top, Qt::MoveAction, rows.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &dropRows);
        QCOMPARE(model.ids(), (QStringList{c, a, b}));

        // Toolbar: move down, the context menu, and the error of a failed job with details.
        panel.selectJob(c);
        QVERIFY(panel.downAction()->isEnabled());
        QVERIFY(!panel.upAction()->isEnabled());
        panel.downAction()->trigger();
        QCOMPARE(model.ids(), (QStringList{a, c, b}));
        std::unique_ptr<QMenu> menu(panel.createContextMenu());
        QVERIFY(menu->actions().contains(panel.pauseAction()));
        model.setJobError(b, engine::Error(engine::ErrorCode::ZeroFrames, "no frames"));
        model.setJobState(b, ui::QueueJobState::Failed);
        panel.selectJob(b);
        QVERIFY(!panel.errorTitle().isEmpty());
        QVERIFY(panel.retryAction()->isEnabled());
        QVERIFY(!panel.detailsVisible());
        panel.detailsButton()->click();
        QVERIFY(panel.detailsVisible());
        panel.selectJob(a);
        QVERIFY(panel.errorTitle().isEmpty());
    }
};

FVSR_UI_TEST(JobQueueModelTest)
#include "job_queue_model_test.moc"
