#include "ui/widgets/log_panel.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace ui {

LogPanel::LogPanel(LogModel& model, QWidget* parent) : QWidget(parent), m_model(model) {
    m_filter = new LogFilterModel(this);
    m_filter->setSourceModel(&m_model);
    m_level = new QComboBox(this);
    for (engine::LogLevel l : {engine::LogLevel::Debug, engine::LogLevel::Info,
                               engine::LogLevel::Warning, engine::LogLevel::Error}) {
        m_level->addItem(QString(), static_cast<int>(l));
    }
    m_search = new QLineEdit(this);
    m_search->setClearButtonEnabled(true);
    m_save = new QPushButton(this);
    m_clear = new QPushButton(this);
    m_view = new QTableView(this);
    m_view->setModel(m_filter);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(LogModel::TimeColumn,
                                                     QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(LogModel::LevelColumn,
                                                     QHeaderView::ResizeToContents);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 4);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_level);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_save);
    bar->addWidget(m_clear);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_level, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        m_filter->setMinimumLevel(static_cast<engine::LogLevel>(m_level->currentData().toInt()));
    });
    connect(m_search, &QLineEdit::textChanged, m_filter, &LogFilterModel::setText);
    connect(m_save, &QPushButton::clicked, this, &LogPanel::onSaveClicked);
    connect(m_clear, &QPushButton::clicked, &m_model, &LogModel::clear);
    // Follow new rows while the view is scrolled to the bottom.
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, [this] {
        QScrollBar* bar = m_view->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 2) {
            m_view->scrollToBottom();
        }
    });
    m_level->setCurrentIndex(1);
    retranslateUi();
}

void LogPanel::setMinimumLevel(engine::LogLevel level) {
    m_level->setCurrentIndex(m_level->findData(static_cast<int>(level)));
}

bool LogPanel::saveTo(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        *error = file.errorString();
        return false;
    }
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const int sourceRow = m_filter->mapToSource(m_filter->index(row, 0)).row();
        file.write(m_model.rowText(sourceRow).toUtf8());
        file.write("\n");
    }
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void LogPanel::onSaveClicked() {
    const QString name =
        QStringLiteral("flashvsr-studio-%1.log")
            .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save log"), QDir::home().filePath(name), tr("Log files (*.log *.txt)"));
    QString error;
    if (!path.isEmpty() && !saveTo(path, &error)) {
        QMessageBox::warning(this, tr("Save log"),
                             tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), error));
    }
}

void LogPanel::retranslateUi() {
    for (int i = 0; i < m_level->count(); ++i) {
        m_level->setItemText(
            i, tr("%1 and above")
                   .arg(logLevelName(static_cast<engine::LogLevel>(m_level->itemData(i).toInt()))));
    }
    m_level->setToolTip(tr("Show messages of this level and above"));
    m_search->setPlaceholderText(tr("Filter messages"));
    m_save->setText(tr("Save…"));
    m_save->setToolTip(tr("Save the shown messages to a text file"));
    m_clear->setText(tr("Clear"));
}

void LogPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

}  // namespace ui
