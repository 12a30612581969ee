#pragma once
// Offered at start when the last session ended while jobs were running (a crash, a power loss,
// or quitting mid-job): lists those jobs with the progress their checkpoints hold ("120 / 480
// frames") and resumes the ticked ones; the others stay Paused. Threads: UI thread only.

#include <QDialog>
#include <QList>
#include <QString>
#include <QStringList>

class QTreeWidget;

namespace ui {

class JobQueueModel;

struct ResumeCandidate {
    QString id;
    QString name;
    QString output;
    bool checkpointFound = false;
    qint64 framesDone = 0;
    qint64 framesTotal = 0;
};

// The model's interrupted jobs, with their checkpoint progress (ui/bridge/checkpoint_progress).
QList<ResumeCandidate> resumeCandidates(const JobQueueModel& model);

class ResumeDialog : public QDialog {
    Q_OBJECT
  public:
    ResumeDialog(const QList<ResumeCandidate>& candidates, QWidget* parent = nullptr);

    // Ticked jobs (all, initially).
    QStringList selectedIds() const;
    QTreeWidget* list() const { return m_list; }
    // "120 / 480 frames (25%)", or "no checkpoint: starts over".
    static QString progressText(const ResumeCandidate& candidate);

  private:
    QTreeWidget* m_list;
};

}  // namespace ui
