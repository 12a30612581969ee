#pragma once
// Tools > Model Manager: for FlashVSR 1.0 and 1.1, every file the version needs (tiny and full
// mode), present or missing, its size, its problem with the translated advice and where to
// download it; SHA-256 on demand ("Verify", which reads every byte on a worker thread and compares
// with the released files); and the model folder, persisted in StudioSettings.
//
// Threads: UI thread only. verify() starts one worker thread; destroying the dialog waits for it
// (reading a 5.7 GB DiT takes a while, so the window stays until it ends).

#include "engine/core/result.h"

#include <QDialog>
#include <QString>

#include <vector>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QThread;
class QToolButton;
class QTreeWidget;

namespace engine::model {
struct ModelFileSummary;  // engine/model/checkpoint/model_folder_summary.h
}

namespace ui {

class StudioSettings;

class ModelManagerDialog : public QDialog {
    Q_OBJECT
  public:
    // The versions listed, in order (top-level rows of tree()).
    static const QStringList& versions();  // {"1.0", "1.1"}
    enum Column { FileColumn, StatusColumn, SizeColumn, HashColumn, SourceColumn, ColumnCount };

    // `settings` must outlive the dialog; the folder shown first is settings.modelFolder().
    explicit ModelManagerDialog(StudioSettings& settings, QWidget* parent = nullptr);
    ~ModelManagerDialog() override;

    // "" = the engine's default folder.
    QString folder() const { return m_folder; }
    // Persists the folder, emits folderChanged and checks it again (headers only, fast).
    void setFolder(const QString& folder);
    // The folder a version's files are looked up in (a default folder's v1.x sub-folder when
    // it exists).
    QString folderFor(const QString& version) const;
    // Checks presence and structure again (synchronous, headers only).
    void refresh();
    // SHA-256 of every present file on a worker thread; verificationFinished() when done.
    // false while a verification is already running.
    bool verify();
    bool isVerifying() const { return m_thread != nullptr; }

    QTreeWidget* tree() const { return m_tree; }

  signals:
    void folderChanged(const QString& folder);
    void verificationFinished();

  protected:
    void changeEvent(QEvent* event) override;

  private:
    using Summaries = std::vector<engine::model::ModelFileSummary>;
    void showFiles(const QString& version, const engine::Result<Summaries>& files);
    void retranslateUi();

    StudioSettings& m_settings;
    QString m_folder;
    QLabel* m_folderLabel;
    QLineEdit* m_folderEdit;
    QToolButton* m_browse;
    QPushButton* m_defaultButton;
    QTreeWidget* m_tree;
    QPushButton* m_verifyButton;
    QLabel* m_statusLabel;
    QDialogButtonBox* m_buttons;
    QThread* m_thread = nullptr;
};

}  // namespace ui
