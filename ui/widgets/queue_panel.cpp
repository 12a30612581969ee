#include "ui/widgets/queue_panel.h"

#include "ui/bridge/error_text.h"

#include <QApplication>
#include <QComboBox>
#include <QDropEvent>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPlainTextEdit>
#include <QStandardItemModel>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace ui {
namespace {

// Draws the Progress column as a progress bar with the model's text on it.
class ProgressDelegate : public QStyledItemDelegate {
  public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter,
               const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        const double fraction = index.data(JobQueueModel::ProgressRole).toDouble();
        if (fraction < 0.0) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 2, -2, -2);
        bar.minimum = 0;
        bar.maximum = 1000;
        bar.progress = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000.0);
        bar.text = index.data(Qt::DisplayRole).toString();
        bar.textVisible = true;
        bar.state = option.state | QStyle::State_Horizontal;
        bar.palette = option.palette;
        bar.fontMetrics = option.fontMetrics;
        const QWidget* widget = option.widget;
        QStyle* style = widget != nullptr ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }
};

}  // namespace

void QueueTableView::dropEvent(QDropEvent* event) {
    const QString rowsType = QString::fromLatin1(JobQueueModel::kRowsMimeType);
    if (event->source() != this || !event->mimeData()->hasFormat(rowsType)) {
        QTableView::dropEvent(event);
        return;
    }
    // Drop above the row under the cursor (below it in its lower half), or at the end.
    const QPoint pos = event->position().toPoint();
    const QModelIndex at = indexAt(pos);
    int row = model()->rowCount();
    if (at.isValid()) {
        row = at.row();
        if (pos.y() > visualRect(at).center().y()) {
            ++row;
        }
    }
    model()->dropMimeData(event->mimeData(), Qt::MoveAction, row, 0, {});
    event->setDropAction(Qt::CopyAction);
    event->accept();
    stopAutoScroll();
    setState(NoState);
    viewport()->update();
}

QueuePanel::QueuePanel(JobQueueModel& model,
                       JobRunner& runner,
                       AfterQueue& afterQueue,
                       QWidget* parent)
    : QWidget(parent), m_model(model), m_runner(runner), m_afterQueue(afterQueue) {
    m_view = new QueueTableView(this);
    m_view->setObjectName(QStringLiteral("QueueView"));
    m_view->setModel(&m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setDragEnabled(true);
    m_view->setAcceptDrops(true);
    m_view->setDropIndicatorShown(true);
    m_view->setDragDropMode(QAbstractItemView::DragDrop);
    m_view->setDefaultDropAction(Qt::MoveAction);
    m_view->setDragDropOverwriteMode(false);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->setVisible(false);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setItemDelegateForColumn(JobQueueModel::ProgressColumn, new ProgressDelegate(m_view));
    QHeaderView* header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(JobQueueModel::NameColumn, QHeaderView::Stretch);
    header->resizeSection(JobQueueModel::ProgressColumn, 170);
    header->resizeSection(JobQueueModel::FpsColumn, 60);
    header->resizeSection(JobQueueModel::EtaColumn, 70);
    header->resizeSection(JobQueueModel::DeviceColumn, 70);
    header->resizeSection(JobQueueModel::OutputColumn, 200);

    auto action = [this](QStyle::StandardPixmap icon) {
        auto* a = new QAction(this);
        if (icon != QStyle::SP_CustomBase) {
            a->setIcon(style()->standardIcon(icon));
        }
        return a;
    };
    m_add = action(QStyle::SP_FileDialogNewFolder);
    m_start = action(QStyle::SP_MediaPlay);
    m_stop = action(QStyle::SP_MediaStop);
    m_pause = action(QStyle::SP_MediaPause);
    m_resume = action(QStyle::SP_MediaSeekForward);
    m_cancel = action(QStyle::SP_DialogCancelButton);
    m_retry = action(QStyle::SP_BrowserReload);
    m_remove = action(QStyle::SP_TrashIcon);
    m_remove->setShortcut(QKeySequence::Delete);
    m_remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_duplicate = action(QStyle::SP_FileDialogContentsView);
    m_up = action(QStyle::SP_ArrowUp);
    m_down = action(QStyle::SP_ArrowDown);
    m_edit = action(QStyle::SP_FileDialogDetailedView);
    m_apply = action(QStyle::SP_DialogApplyButton);
    QWidget::addAction(m_remove);

    connect(m_add, &QAction::triggered, this, &QueuePanel::addCurrentRequested);
    connect(m_start, &QAction::triggered, &m_runner, &JobRunner::startQueue);
    connect(m_stop, &QAction::triggered, &m_runner, &JobRunner::stopQueue);
    connect(m_pause, &QAction::triggered, this,
            [this] { forSelected([this](const QString& id) { return m_runner.pauseJob(id); }); });
    connect(m_resume, &QAction::triggered, this,
            [this] { forSelected([this](const QString& id) { return m_runner.resumeJob(id); }); });
    connect(m_cancel, &QAction::triggered, this,
            [this] { forSelected([this](const QString& id) { return m_runner.cancelJob(id); }); });
    connect(m_retry, &QAction::triggered, this,
            [this] { forSelected([this](const QString& id) { return m_runner.retryJob(id); }); });
    connect(m_remove, &QAction::triggered, this,
            [this] { forSelected([this](const QString& id) { return m_model.removeJob(id); }); });
    connect(m_duplicate, &QAction::triggered, this, [this] {
        forSelected([this](const QString& id) { return !m_model.duplicateJob(id).isEmpty(); });
    });
    connect(m_up, &QAction::triggered, this, [this] { moveSelected(-1); });
    connect(m_down, &QAction::triggered, this, [this] { moveSelected(+1); });
    connect(m_edit, &QAction::triggered, this, [this] {
        const QStringList ids = selectedIds();
        if (ids.size() == 1) {
            emit editSettingsRequested(ids.first());
        }
    });
    connect(m_apply, &QAction::triggered, this,
            [this] { emit applySettingsRequested(selectedIds()); });

    m_toolBar = new QToolBar(this);
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonIconOnly);
    m_toolBar->addAction(m_add);
    m_toolBar->addSeparator();
    m_toolBar->addActions({m_start, m_stop});
    m_toolBar->addSeparator();
    m_toolBar->addActions({m_pause, m_resume, m_cancel, m_retry});
    m_toolBar->addSeparator();
    m_toolBar->addActions({m_up, m_down, m_duplicate, m_remove});
    m_toolBar->addSeparator();
    m_toolBar->addActions({m_edit, m_apply});

    m_afterLabel = new QLabel(this);
    m_afterBox = new QComboBox(this);
    m_afterBox->setObjectName(QStringLiteral("AfterQueueBox"));
    for (AfterQueueAction a :
         {AfterQueueAction::Nothing, AfterQueueAction::Quit, AfterQueueAction::Suspend,
          AfterQueueAction::PowerOff, AfterQueueAction::RunCommand}) {
        m_afterBox->addItem(QString(), static_cast<int>(a));
    }
    m_command = new QLineEdit(this);
    m_command->setObjectName(QStringLiteral("AfterQueueCommand"));
    m_command->setVisible(false);
    connect(m_afterBox, &QComboBox::currentIndexChanged, this, &QueuePanel::onAfterQueueChanged);
    connect(m_command, &QLineEdit::textChanged, this,
            [this](const QString& text) { m_afterQueue.setCommand(text); });
    auto* after = new QHBoxLayout;
    after->addWidget(m_afterLabel);
    after->addWidget(m_afterBox);
    after->addWidget(m_command, 1);
    after->addStretch();

    m_errorPanel = new QWidget(this);
    m_errorText = new QLabel(m_errorPanel);
    m_errorText->setWordWrap(true);
    m_errorText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailsButton = new QToolButton(m_errorPanel);
    m_detailsButton->setCheckable(true);
    m_detailsButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_detailsButton->setArrowType(Qt::RightArrow);
    m_details = new QPlainTextEdit(m_errorPanel);
    m_details->setReadOnly(true);
    m_details->setMaximumHeight(90);
    m_details->setVisible(false);
    connect(m_detailsButton, &QToolButton::toggled, this, [this](bool on) {
        m_details->setVisible(on);
        m_detailsButton->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });
    auto* errorLayout = new QVBoxLayout(m_errorPanel);
    errorLayout->setContentsMargins(0, 0, 0, 0);
    errorLayout->addWidget(m_errorText);
    errorLayout->addWidget(m_detailsButton, 0, Qt::AlignLeft);
    errorLayout->addWidget(m_details);
    m_errorPanel->setVisible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_errorPanel);
    layout->addLayout(after);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updateErrorPanel();
    });
    connect(&m_model, &QAbstractItemModel::dataChanged, this, [this] {
        updateActions();
        updateErrorPanel();
    });
    connect(&m_model, &QAbstractItemModel::rowsRemoved, this, &QueuePanel::updateActions);
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &QueuePanel::updateActions);
    connect(&m_model, &QAbstractItemModel::rowsMoved, this, &QueuePanel::updateActions);
    connect(&m_runner, &JobRunner::busyChanged, this, &QueuePanel::updateActions);
    connect(&m_runner, &JobRunner::queueFinished, this, &QueuePanel::updateActions);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu* menu = createContextMenu();
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_view->viewport()->mapToGlobal(pos));
    });
    retranslateUi();
    updateActions();
}

QStringList QueuePanel::selectedIds() const {
    QList<int> rows;
    for (const QModelIndex& i : m_view->selectionModel()->selectedRows()) {
        rows << i.row();
    }
    std::sort(rows.begin(), rows.end());
    QStringList ids;
    for (int r : rows) {
        ids << m_model.jobAt(r).id;
    }
    return ids;
}

void QueuePanel::selectJob(const QString& id) {
    const int row = m_model.rowOfId(id);
    if (row >= 0) {
        m_view->selectionModel()->setCurrentIndex(
            m_model.index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
}

void QueuePanel::forSelected(const std::function<bool(const QString&)>& operation) {
    for (const QString& id : selectedIds()) {
        operation(id);
    }
    updateActions();
}

void QueuePanel::moveSelected(int delta) {
    QStringList ids = selectedIds();
    if (ids.isEmpty()) {
        return;
    }
    // Moving down starts with the lowest row, so the rows never jump over each other.
    if (delta > 0) {
        std::reverse(ids.begin(), ids.end());
    }
    for (const QString& id : ids) {
        const int row = m_model.rowOfId(id);
        const int target = row + delta;
        if (target < 0 || target >= m_model.rowCount() || ids.contains(m_model.jobAt(target).id)) {
            continue;
        }
        m_model.moveJob(id, target);
    }
    QItemSelection selection;
    for (const QString& id : std::as_const(ids)) {
        const int row = m_model.rowOfId(id);
        selection.select(m_model.index(row, 0), m_model.index(row, JobQueueModel::ColumnCount - 1));
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

QMenu* QueuePanel::createContextMenu() {
    auto* menu = new QMenu(this);
    menu->addActions({m_pause, m_resume, m_cancel, m_retry});
    menu->addSeparator();
    menu->addActions({m_edit, m_apply, m_duplicate});
    menu->addSeparator();
    menu->addActions({m_up, m_down});
    menu->addSeparator();
    menu->addAction(m_remove);
    return menu;
}

void QueuePanel::updateActions() {
    const QStringList ids = selectedIds();
    bool anyPausable = false;
    bool anyPaused = false;
    bool anyCancellable = false;
    bool anyRetryable = false;
    bool anyRemovable = false;
    bool allEditable = !ids.isEmpty();
    for (const QString& id : ids) {
        const QueueJob* job = m_model.jobById(id);
        if (job == nullptr) {
            continue;
        }
        const QueueJobState s = job->state;
        anyPausable = anyPausable || s == QueueJobState::Running || s == QueueJobState::Queued;
        anyPaused = anyPaused || s == QueueJobState::Paused;
        anyCancellable = anyCancellable || s == QueueJobState::Running ||
                         s == QueueJobState::Queued || s == QueueJobState::Paused;
        anyRetryable = anyRetryable || s == QueueJobState::Failed || s == QueueJobState::Cancelled;
        anyRemovable = anyRemovable || !isActiveState(s);
        allEditable = allEditable && m_model.isEditable(id);
    }
    bool anyQueued = false;
    for (int r = 0; r < m_model.rowCount(); ++r) {
        anyQueued = anyQueued || m_model.jobAt(r).state == QueueJobState::Queued;
    }
    m_start->setEnabled(anyQueued &&
                        m_runner.activeCount() < std::max<int>(1, m_runner.workerDevices().size()));
    m_stop->setEnabled(m_runner.isQueueRunning() || m_runner.activeCount() > 0);
    m_pause->setEnabled(anyPausable);
    m_resume->setEnabled(anyPaused);
    m_cancel->setEnabled(anyCancellable);
    m_retry->setEnabled(anyRetryable);
    m_remove->setEnabled(anyRemovable);
    m_duplicate->setEnabled(!ids.isEmpty());
    m_up->setEnabled(!ids.isEmpty() && m_model.rowOfId(ids.first()) > 0);
    m_down->setEnabled(!ids.isEmpty() && m_model.rowOfId(ids.last()) < m_model.rowCount() - 1);
    m_edit->setEnabled(ids.size() == 1);
    m_apply->setEnabled(allEditable);
}

void QueuePanel::updateErrorPanel() {
    const QStringList ids = selectedIds();
    const QueueJob* job = ids.size() == 1 ? m_model.jobById(ids.first()) : nullptr;
    if (job == nullptr || job->state != QueueJobState::Failed || !job->error) {
        m_errorPanel->setVisible(false);
        m_errorText->clear();
        return;
    }
    const ErrorText text = errorText(*job->error);
    m_errorText->setText(
        QStringLiteral("<b>%1</b><br>%2<br><i>%3</i>")
            .arg(text.title.toHtmlEscaped(), text.what.toHtmlEscaped(), text.todo.toHtmlEscaped()));
    m_errorText->setProperty("errorTitle", text.title);
    m_details->setPlainText(text.details);
    m_errorPanel->setVisible(true);
}

QString QueuePanel::errorTitle() const {
    return m_errorPanel->isVisibleTo(const_cast<QueuePanel*>(this))
               ? m_errorText->property("errorTitle").toString()
               : QString();
}

bool QueuePanel::detailsVisible() const {
    return m_details->isVisibleTo(const_cast<QueuePanel*>(this));
}

void QueuePanel::onAfterQueueChanged() {
    const auto a = static_cast<AfterQueueAction>(m_afterBox->currentData().toInt());
    m_afterQueue.setAction(a);
    m_command->setVisible(a == AfterQueueAction::RunCommand);
}

void QueuePanel::retranslateUi() {
    m_add->setText(tr("Add to Queue"));
    m_add->setToolTip(
        tr("Add the open file(s) with the current settings (or drop files and "
           "folders on the table)"));
    m_start->setText(tr("Start Queue"));
    m_stop->setText(tr("Stop Queue"));
    m_stop->setToolTip(tr("Pause the running jobs and start no new ones"));
    m_pause->setText(tr("Pause"));
    m_pause->setToolTip(tr("Stop the selected jobs, keeping their finished segments"));
    m_resume->setText(tr("Resume"));
    m_resume->setToolTip(tr("Continue the selected paused jobs from their checkpoints"));
    m_cancel->setText(tr("Cancel"));
    m_retry->setText(tr("Retry"));
    m_retry->setToolTip(tr("Run failed or cancelled jobs again, resuming where they stopped"));
    m_remove->setText(tr("Remove"));
    m_duplicate->setText(tr("Duplicate"));
    m_up->setText(tr("Move Up"));
    m_down->setText(tr("Move Down"));
    m_edit->setText(tr("Load Settings into the Panel"));
    m_edit->setToolTip(tr("Show the job's settings in the Parameters panel to edit them"));
    m_apply->setText(tr("Apply Current Settings"));
    m_apply->setToolTip(tr("Give the selected jobs the Parameters panel's settings"));
    for (QAction* a : m_toolBar->actions()) {
        if (a->toolTip().isEmpty() || a->toolTip() == a->text()) {
            a->setToolTip(a->text());
        }
    }
    m_afterLabel->setText(tr("When the queue is done:"));
    const QStringList labels = {tr("Do nothing"), tr("Quit FlashVSR Studio"),
                                tr("Suspend the computer"), tr("Shut down the computer"),
                                tr("Run a command")};
    auto* items = qobject_cast<QStandardItemModel*>(m_afterBox->model());
    for (int i = 0; i < m_afterBox->count(); ++i) {
        m_afterBox->setItemText(i, labels.value(i));
        const auto a = static_cast<AfterQueueAction>(m_afterBox->itemData(i).toInt());
        const bool available = m_afterQueue.isAvailable(a);
        if (items != nullptr && items->item(i) != nullptr) {
            items->item(i)->setEnabled(available);
        }
        m_afterBox->setItemData(i,
                                available ? QVariant()
                                          : QVariant(tr("Not available: logind (systemd) cannot "
                                                        "be reached on the system bus.")),
                                Qt::ToolTipRole);
    }
    m_command->setPlaceholderText(tr("Command, run with /bin/sh -c"));
    m_detailsButton->setText(tr("Details"));
    updateErrorPanel();
}

void QueuePanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

}  // namespace ui
