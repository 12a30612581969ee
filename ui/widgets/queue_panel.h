#pragma once
// The Queue dock: the job table (JobQueueModel) with a progress bar column, a toolbar (add the
// current file(s) with the current settings, start/stop the queue, pause, resume, cancel, retry,
// remove, duplicate, up, down, load a job's settings into the panel, apply the panel's settings
// to the selected jobs), the after-queue action, a per-job context menu and, for a failed job,
// its error in the user's words with the technical details collapsible.
//
// Files and folders dropped on the table arrive as JobQueueModel::pathsDropped (the window adds
// them); rows dragged inside the table reorder the queue.
// Threads: UI thread only. The model, runner and after-queue controller must outlive the panel.

#include "ui/bridge/after_queue.h"
#include "ui/bridge/job_runner.h"
#include "ui/models/job_queue_model.h"

#include <QTableView>
#include <QWidget>

#include <functional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QPlainTextEdit;
class QToolBar;
class QToolButton;

namespace ui {

// Reorders by moving rows itself (and tells the drag it copied, so QAbstractItemView does not
// remove the dragged rows afterwards); other drops (files) go to the model as usual.
class QueueTableView : public QTableView {
    Q_OBJECT
  public:
    using QTableView::QTableView;

  protected:
    void dropEvent(QDropEvent* event) override;
};

class QueuePanel : public QWidget {
    Q_OBJECT
  public:
    QueuePanel(JobQueueModel& model,
               JobRunner& runner,
               AfterQueue& afterQueue,
               QWidget* parent = nullptr);

    QueueTableView* view() const { return m_view; }
    QStringList selectedIds() const;
    void selectJob(const QString& id);

    QAction* addAction() const { return m_add; }
    QAction* startAction() const { return m_start; }
    QAction* stopAction() const { return m_stop; }
    QAction* pauseAction() const { return m_pause; }
    QAction* resumeAction() const { return m_resume; }
    QAction* cancelAction() const { return m_cancel; }
    QAction* retryAction() const { return m_retry; }
    QAction* removeAction() const { return m_remove; }
    QAction* duplicateAction() const { return m_duplicate; }
    QAction* upAction() const { return m_up; }
    QAction* downAction() const { return m_down; }
    QAction* editAction() const { return m_edit; }
    QAction* applyAction() const { return m_apply; }
    QComboBox* afterQueueBox() const { return m_afterBox; }
    QLineEdit* commandEdit() const { return m_command; }
    // The error shown for the current job ("" when it did not fail), and its details toggle.
    QString errorTitle() const;
    QToolButton* detailsButton() const { return m_detailsButton; }
    bool detailsVisible() const;
    // The context menu of the current selection (what a right click shows).
    QMenu* createContextMenu();

  signals:
    void addCurrentRequested();
    void editSettingsRequested(const QString& id);
    void applySettingsRequested(const QStringList& ids);

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void updateActions();
    void updateErrorPanel();
    void onAfterQueueChanged();
    void forSelected(const std::function<bool(const QString&)>& operation);
    void moveSelected(int delta);
    void retranslateUi();

    JobQueueModel& m_model;
    JobRunner& m_runner;
    AfterQueue& m_afterQueue;
    QueueTableView* m_view;
    QToolBar* m_toolBar;
    QAction* m_add;
    QAction* m_start;
    QAction* m_stop;
    QAction* m_pause;
    QAction* m_resume;
    QAction* m_cancel;
    QAction* m_retry;
    QAction* m_remove;
    QAction* m_duplicate;
    QAction* m_up;
    QAction* m_down;
    QAction* m_edit;
    QAction* m_apply;
    QLabel* m_afterLabel;
    QComboBox* m_afterBox;
    QLineEdit* m_command;
    QWidget* m_errorPanel;
    QLabel* m_errorText;
    QToolButton* m_detailsButton;
    QPlainTextEdit* m_details;
};

}  // namespace ui
