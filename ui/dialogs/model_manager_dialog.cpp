#include "ui/dialogs/model_manager_dialog.h"

#include "engine/jobs/processor.h"
#include "engine/model/checkpoint/model_folder_summary.h"
#include "ui/bridge/error_text.h"
#include "ui/settings/studio_settings.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QStyle>
#include <QThread>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <memory>
#include <utility>

namespace ui {
namespace {

using engine::model::FileChecksum;
using engine::model::ModelFileSummary;

QString checksumText(FileChecksum checksum) {
    switch (checksum) {
        case FileChecksum::NotChecked:
            return {};
        case FileChecksum::Matched:
            return ModelManagerDialog::tr("matches the released file");
        case FileChecksum::NoReference:
            return ModelManagerDialog::tr("no released checksum to compare with");
        case FileChecksum::Different:
            return ModelManagerDialog::tr("differs from the released file");
    }
    return {};
}

}  // namespace

const QStringList& ModelManagerDialog::versions() {
    static const QStringList list = {QStringLiteral("1.0"), QStringLiteral("1.1")};
    return list;
}

ModelManagerDialog::ModelManagerDialog(StudioSettings& settings, QWidget* parent)
    : QDialog(parent), m_settings(settings), m_folder(settings.modelFolder()) {
    m_folderLabel = new QLabel(this);
    m_folderEdit = new QLineEdit(this);
    m_folderEdit->setText(QDir::toNativeSeparators(m_folder));
    m_folderEdit->setClearButtonEnabled(true);
    m_browse = new QToolButton(this);
    m_browse->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
    m_defaultButton = new QPushButton(this);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folderLabel);
    folderRow->addWidget(m_folderEdit, 1);
    folderRow->addWidget(m_browse);
    folderRow->addWidget(m_defaultButton);

    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(ColumnCount);
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(true);
    for (const QString& v : versions()) {
        auto* item = new QTreeWidgetItem(m_tree);
        item->setData(FileColumn, Qt::UserRole, v);
        item->setFirstColumnSpanned(false);
        item->setExpanded(true);
    }

    m_verifyButton = new QPushButton(this);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setWordWrap(true);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_verifyButton);
    bottom->addWidget(m_statusLabel, 1);
    bottom->addWidget(m_buttons);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(folderRow);
    layout->addWidget(m_tree, 1);
    layout->addLayout(bottom);
    resize(900, 420);

    connect(m_folderEdit, &QLineEdit::editingFinished, this,
            [this] { setFolder(QDir::fromNativeSeparators(m_folderEdit->text().trimmed())); });
    connect(m_browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Choose the model folder"), m_folder.isEmpty() ? QDir::homePath() : m_folder);
        if (!dir.isEmpty()) {
            setFolder(dir);
        }
    });
    connect(m_defaultButton, &QPushButton::clicked, this, [this] { setFolder(QString()); });
    connect(m_verifyButton, &QPushButton::clicked, this, [this] { verify(); });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    retranslateUi();
    refresh();
}

ModelManagerDialog::~ModelManagerDialog() {
    if (m_thread != nullptr) {
        // The worker holds no pointer to the dialog; its finished() connection dies with us.
        m_thread->wait();
        delete m_thread;
    }
}

void ModelManagerDialog::setFolder(const QString& folder) {
    const QString cleaned = folder.isEmpty() ? QString() : QDir::cleanPath(folder);
    m_folderEdit->setText(QDir::toNativeSeparators(cleaned));
    if (cleaned != m_folder) {
        m_folder = cleaned;
        m_settings.setModelFolder(cleaned);
        emit folderChanged(cleaned);
    }
    refresh();
}

QString ModelManagerDialog::folderFor(const QString& version) const {
    engine::jobs::JobSpec spec;
    spec.model.model_dir = std::filesystem::path(m_folder.toStdString());
    spec.model.version = version == QLatin1String("1.0") ? engine::jobs::ModelVersion::V10
                                                         : engine::jobs::ModelVersion::V11;
    return QString::fromStdString(engine::jobs::resolve_model_dir(spec).u8string());
}

void ModelManagerDialog::refresh() {
    for (const QString& v : versions()) {
        showFiles(v,
                  engine::model::summarize_model_folder(
                      std::filesystem::path(folderFor(v).toStdString()), v.toStdString(), false));
    }
    m_statusLabel->clear();
}

bool ModelManagerDialog::verify() {
    if (m_thread != nullptr) {
        return false;
    }
    std::vector<std::pair<QString, std::filesystem::path>> jobs;
    for (const QString& v : versions()) {
        jobs.emplace_back(v, std::filesystem::path(folderFor(v).toStdString()));
    }
    using Results = std::vector<std::pair<QString, engine::Result<Summaries>>>;
    auto results = std::make_shared<Results>();
    m_thread = QThread::create([jobs, results] {
        for (const auto& [version, folder] : jobs) {
            results->emplace_back(version, engine::model::summarize_model_folder(
                                               folder, version.toStdString(), true));
        }
    });
    connect(m_thread, &QThread::finished, this, [this, results] {
        m_thread->deleteLater();
        m_thread = nullptr;
        for (const auto& [version, files] : *results) {
            showFiles(version, files);
        }
        m_verifyButton->setEnabled(true);
        m_statusLabel->setText(tr("Checksums computed."));
        emit verificationFinished();
    });
    m_verifyButton->setEnabled(false);
    m_statusLabel->setText(tr("Computing checksums (reads every byte)…"));
    m_thread->start(QThread::LowPriority);
    return true;
}

void ModelManagerDialog::showFiles(const QString& version, const engine::Result<Summaries>& files) {
    QTreeWidgetItem* top = m_tree->topLevelItem(static_cast<int>(versions().indexOf(version)));
    if (top == nullptr) {
        return;
    }
    qDeleteAll(top->takeChildren());
    const QString folder = QDir::toNativeSeparators(folderFor(version));
    if (!files.ok()) {
        top->setText(StatusColumn, errorText(files.error()).what);
        return;
    }
    int missing = 0;
    int problems = 0;
    const QLocale locale;
    for (const ModelFileSummary& f : files.value()) {
        auto* item = new QTreeWidgetItem(top);
        item->setText(FileColumn, QString::fromStdString(f.file_name));
        item->setToolTip(FileColumn, QString::fromStdString(f.path.u8string()));
        QString status;
        QString tip;
        if (f.problem) {
            const ErrorText text = errorText(*f.problem);
            status = text.title;
            tip = text.what + QLatin1Char('\n') + text.todo;
            ++(f.present ? problems : missing);
            item->setIcon(StatusColumn,
                          style()->standardIcon(f.present ? QStyle::SP_MessageBoxWarning
                                                          : QStyle::SP_MessageBoxCritical));
        } else {
            status = tr("Present");
            item->setIcon(StatusColumn, style()->standardIcon(QStyle::SP_DialogApplyButton));
        }
        item->setText(StatusColumn, status);
        item->setToolTip(StatusColumn, tip);
        item->setData(StatusColumn, Qt::UserRole, f.present);
        if (f.present) {
            item->setText(SizeColumn, locale.formattedDataSize(static_cast<qint64>(f.size_bytes)));
            item->setData(SizeColumn, Qt::UserRole, static_cast<qulonglong>(f.size_bytes));
        }
        if (!f.sha256.empty()) {
            item->setText(HashColumn, QString::fromStdString(f.sha256));
            item->setToolTip(HashColumn, checksumText(f.checksum));
        }
        const QString source = QString::fromStdString(f.download_source);
        item->setText(SourceColumn, f.present && !f.problem ? QString() : source);
        item->setToolTip(SourceColumn,
                         tr("Download %1 from %2 into %3")
                             .arg(QString::fromStdString(f.file_name), source, folder));
        item->setData(SourceColumn, Qt::UserRole, source);
    }
    top->setText(FileColumn, tr("FlashVSR %1").arg(version));
    top->setToolTip(FileColumn, folder);
    top->setText(StatusColumn, missing == 0 && problems == 0
                                   ? tr("Complete")
                                   : tr("%1 missing, %2 with problems").arg(missing).arg(problems));
    top->setText(SizeColumn, folder);
    top->setExpanded(true);
}

void ModelManagerDialog::retranslateUi() {
    setWindowTitle(tr("Model Manager"));
    m_folderLabel->setText(tr("Model folder:"));
    m_folderEdit->setPlaceholderText(tr("Default ($FLASHVSR_MODEL_DIR or the models folder)"));
    m_browse->setToolTip(tr("Choose the model folder"));
    m_defaultButton->setText(tr("Use Default"));
    m_verifyButton->setText(tr("&Verify"));
    m_verifyButton->setToolTip(
        tr("Compute the SHA-256 of every file and compare it with the released files"));
    m_tree->setHeaderLabels(
        {tr("File"), tr("Status"), tr("Size"), tr("SHA-256"), tr("Where to get it")});
}

void ModelManagerDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        refresh();
    }
    QDialog::changeEvent(event);
}

}  // namespace ui
