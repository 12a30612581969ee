// JobRunner end to end (ui/bridge/job_runner.*): real jobs with the bicubic upscaler on tiny
// generated picture sequences, through the engine's JobQueue on one CPU worker; events arrive
// on the UI thread and update the model; failure, retry, pause/resume and cancel of queued jobs.

#include "ui/bridge/job_runner.h"

#include "ui/models/job_store.h"
#include "ui_test.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

QVariantMap bicubicPictures(const QString& outputFolder) {
    return {{"upscaler", "bicubic"},
            {"scale", 2},
            {"output_mode", "pictures"},
            {"output_folder", outputFolder},
            {"threads", 1}};
}

}  // namespace

class JobRunnerTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void runsAQueueToTheEnd() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("clip"), 6, 16, 8));
        ui::JobStore store(dir.filePath("queue.sqlite"));
        ui::JobQueueModel model(&store);
        model.setCheckpointRoot(dir.filePath("checkpoints"));
        const QString id = model.addJob(dir.filePath("clip"), bicubicPictures(dir.filePath("out")));
        QVERIFY(!id.isEmpty());
        ui::JobRunner runner(model);
        QCOMPARE(runner.workerDevices(), QStringList{"cpu"});
        QSignalSpy busy(&runner, &ui::JobRunner::busyChanged);
        QSignalSpy finished(&runner, &ui::JobRunner::queueFinished);
        QSignalSpy succeeded(&runner, &ui::JobRunner::jobSucceeded);
        QSignalSpy states(&model, &ui::JobQueueModel::jobStateChanged);

        runner.startQueue();
        QVERIFY(runner.isQueueRunning());
        QCOMPARE(runner.activeCount(), 1);
        QCOMPARE(model.jobById(id)->state, ui::QueueJobState::Running);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.first().at(0).toInt(), 1);
        QCOMPARE(finished.first().at(1).toInt(), 0);
        QCOMPARE(succeeded.size(), 1);
        QCOMPARE(busy.size(), 2);
        QCOMPARE(busy.at(0).at(0).toBool(), true);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
        QVERIFY(!runner.isQueueRunning());

        const ui::QueueJob* job = model.jobById(id);
        QCOMPARE(job->state, ui::QueueJobState::Succeeded);
        QCOMPARE(job->framesTotal, qint64(6));
        QCOMPARE(job->framesDone, qint64(6));
        QCOMPARE(job->device, QString("cpu"));
        QVERIFY(!job->error.has_value());
        const QDir out(job->output);
        const QStringList frames = out.entryList({"*.png"}, QDir::Files, QDir::Name);
        QCOMPARE(frames.size(), 6);
        const QImage first(out.filePath(frames.first()));
        QCOMPARE(first.size(), QSize(32, 16));
        // Uniform colour frames stay uniform through bicubic: frame 0 is qRgb(0, 255, 128).
        QVERIFY(qAbs(qRed(first.pixel(5, 5)) - 0) <= 1);
        QVERIFY(qAbs(qGreen(first.pixel(5, 5)) - 255) <= 1);
        // The finished state is in the store.
        ui::JobQueueModel reloaded(&store);
        QCOMPARE(reloaded.jobById(id)->state, ui::QueueJobState::Succeeded);
        QVERIFY(states.size() >= 2);
    }

    void failsRetriesAndHoldsQueuedJobs() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("good"), 4, 16, 8));
        QDir().mkpath(dir.filePath("bad"));
        QFile broken(dir.filePath("bad/f_0000.png"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("this is not a png");
        broken.close();
        ui::JobQueueModel model(nullptr);
        model.setCheckpointRoot(dir.filePath("checkpoints"));
        const QVariantMap values = bicubicPictures(dir.filePath("out"));
        const QString bad = model.addJob(dir.filePath("bad"), values);
        const QString held = model.addJob(dir.filePath("good"), values);
        const QString dropped = model.addJob(dir.filePath("good"), values);
        ui::JobRunner runner(model);
        QSignalSpy failed(&runner, &ui::JobRunner::jobFailed);
        QSignalSpy finished(&runner, &ui::JobRunner::queueFinished);

        // A queued job can be held (paused) or cancelled before it starts.
        QVERIFY(runner.pauseJob(held));
        QCOMPARE(model.jobById(held)->state, ui::QueueJobState::Paused);
        QVERIFY(runner.cancelJob(dropped));
        QCOMPARE(model.jobById(dropped)->state, ui::QueueJobState::Cancelled);
        QVERIFY(!runner.resumeJob(bad));

        runner.startQueue();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).toString(), bad);
        const ui::QueueJob* job = model.jobById(bad);
        QCOMPARE(job->state, ui::QueueJobState::Failed);
        QVERIFY(job->error.has_value());
        QVERIFY(job->error->code != engine::ErrorCode::Ok);
        QCOMPARE(finished.first().at(1).toInt(), 1);
        QCOMPARE(model.jobById(held)->state, ui::QueueJobState::Paused);

        // Resume the held job and retry the cancelled one: both run to the end.
        QVERIFY(runner.resumeJob(held));
        QVERIFY(runner.retryJob(dropped));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        QCOMPARE(model.jobById(held)->state, ui::QueueJobState::Succeeded);
        QCOMPARE(model.jobById(dropped)->state, ui::QueueJobState::Succeeded);
        QVERIFY(model.jobById(held)->output != model.jobById(dropped)->output);
        QCOMPARE(finished.last().at(0).toInt(), 2);
        // Retrying the bad input fails again, with the same kind of error.
        const engine::ErrorCode code = model.jobById(bad)->error->code;
        QVERIFY(runner.retryJob(bad));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 30000);
        QCOMPARE(model.jobById(bad)->error->code, code);
    }

    void pausesAndResumesARunningJob() {
        QTemporaryDir dir;
        QVERIFY(ui_test::writeColourSequence(dir.filePath("clip"), 40, 32, 16));
        ui::JobQueueModel model(nullptr);
        model.setCheckpointRoot(dir.filePath("checkpoints"));
        const QString id = model.addJob(dir.filePath("clip"), bicubicPictures(dir.filePath("out")));
        // Small segments, so a pause keeps finished ones in the checkpoint.
        engine::jobs::JobSpec spec = model.jobById(id)->spec;
        spec.segments.max_segment_frames = 12;
        spec.segments.min_segment_frames = 4;
        spec.segments.scene_cuts = false;
        model.setJobSpec(id, spec);
        ui::JobRunner runner(model);
        QSignalSpy busy(&runner, &ui::JobRunner::busyChanged);
        QSignalSpy finished(&runner, &ui::JobRunner::queueFinished);

        runner.startQueue();
        QVERIFY(runner.pauseJob(id));
        QCOMPARE(model.jobById(id)->state, ui::QueueJobState::Stopping);
        QVERIFY(!runner.resumeJob(id));  // not before the engine stopped it
        QTRY_COMPARE_WITH_TIMEOUT(model.jobById(id)->state, ui::QueueJobState::Paused, 30000);
        QCOMPARE(runner.activeCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!busy.isEmpty() && !busy.last().at(0).toBool(), 5000);
        // Paused is not "the queue finished": no after-queue action fires.
        QCOMPARE(finished.size(), 0);

        QVERIFY(runner.resumeJob(id));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(model.jobById(id)->state, ui::QueueJobState::Succeeded);
        QCOMPARE(QDir(model.jobById(id)->output).entryList({"*.png"}, QDir::Files).size(), 40);
    }

    void picksOneWorkerPerGpu() {
        engine::gpu::DeviceQuery none;
        QCOMPARE(ui::JobRunner::defaultDevices(none), QStringList{"cpu"});
        engine::gpu::DeviceQuery two;
        two.devices.resize(2);
        two.devices[0].index = 0;
        two.devices[1].index = 1;
        QCOMPARE(ui::JobRunner::defaultDevices(two), (QStringList{"cuda:0", "cuda:1"}));
    }
};

FVSR_UI_TEST(JobRunnerTest)
#include "job_runner_test.moc"
