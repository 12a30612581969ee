#include "ui/dialogs/resume_dialog.h"

#include "ui/bridge/checkpoint_progress.h"
#include "ui/models/job_queue_model.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ui {

QList<ResumeCandidate> resumeCandidates(const JobQueueModel& model) {
    QList<ResumeCandidate> out;
    for (const QString& id : model.interruptedJobIds()) {
        const QueueJob* job = model.jobById(id);
        if (job == nullptr) {
            continue;
        }
        const CheckpointProgress progress = readCheckpointProgress(job->spec);
        ResumeCandidate c;
        c.id = id;
        c.name = job->name;
        c.output = job->output;
        c.checkpointFound = progress.found;
        c.framesDone = progress.framesDone;
        c.framesTotal = progress.framesTotal;
        out << c;
    }
    return out;
}

QString ResumeDialog::progressText(const ResumeCandidate& c) {
    if (!c.checkpointFound) {
        return tr("No checkpoint: starts over");
    }
    const int percent =
        c.framesTotal > 0 ? static_cast<int>(100 * c.framesDone / c.framesTotal) : 0;
    return tr("%1 / %2 frames (%3%)").arg(c.framesDone).arg(c.framesTotal).arg(percent);
}

ResumeDialog::ResumeDialog(const QList<ResumeCandidate>& candidates, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Resume interrupted jobs"));
    auto* intro = new QLabel(
        tr("FlashVSR Studio stopped while these jobs were running. Finished segments are kept; "
           "ticked jobs continue from their checkpoints, the others stay paused in the queue."),
        this);
    intro->setWordWrap(true);
    m_list = new QTreeWidget(this);
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Job"), tr("Checkpoint"), tr("Output")});
    for (const ResumeCandidate& c : candidates) {
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, c.name);
        item->setText(1, progressText(c));
        item->setText(2, QDir::toNativeSeparators(c.output));
        item->setData(0, Qt::UserRole, c.id);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(0, Qt::Checked);
    }
    m_list->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(tr("&Resume Ticked"), QDialogButtonBox::AcceptRole);
    buttons->addButton(tr("Keep &Paused"), QDialogButtonBox::RejectRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addWidget(buttons);
    resize(640, 300);
}

QStringList ResumeDialog::selectedIds() const {
    QStringList ids;
    for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_list->topLevelItem(i);
        if (item->checkState(0) == Qt::Checked) {
            ids << item->data(0, Qt::UserRole).toString();
        }
    }
    return ids;
}

}  // namespace ui
