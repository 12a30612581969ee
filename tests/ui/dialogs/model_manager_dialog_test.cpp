// Model manager (ui/dialogs/model_manager_dialog.*): the golden shrunk v1.1 model folder lists
// every file present with its size, Verify computes SHA-256 on a worker thread, an empty folder
// lists every file missing with where to get it, and the folder is persisted.

#include "ui/dialogs/model_manager_dialog.h"

#include "ui/settings/studio_settings.h"
#include "ui_test.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

namespace {

QTreeWidgetItem* versionItem(const ui::ModelManagerDialog& d, const QString& version) {
    return d.tree()->topLevelItem(
        static_cast<int>(ui::ModelManagerDialog::versions().indexOf(version)));
}

QTreeWidgetItem* fileItem(QTreeWidgetItem* top, const QString& name) {
    for (int i = 0; i < top->childCount(); ++i) {
        if (top->child(i)->text(ui::ModelManagerDialog::FileColumn) == name) {
            return top->child(i);
        }
    }
    return nullptr;
}

QString sha256Of(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        return {};
    }
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&f);
    return QString::fromLatin1(hash.result().toHex());
}

}  // namespace

class ModelManagerDialogTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void listsVerifiesAndPersists() {
        QTemporaryDir dir;
        QSettings store(dir.filePath("studio.ini"), QSettings::IniFormat);
        ui::StudioSettings settings(store);
        const QString golden = QStringLiteral(FVSR_SHARED_DIR "/golden/models/v1.1");
        if (!QFileInfo(golden).isDir()) {
            QSKIP("no golden model folder");
        }
        ui::ModelManagerDialog dialog(settings);
        QSignalSpy changed(&dialog, &ui::ModelManagerDialog::folderChanged);
        dialog.setFolder(golden);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(settings.modelFolder(), QDir::cleanPath(golden));
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        // v1.1: DiT, LQ projector, TCDecoder, Wan VAE and prompt, all present with their sizes.
        QTreeWidgetItem* v11 = versionItem(dialog, "1.1");
        QCOMPARE(v11->childCount(), 5);
        for (const char* name :
             {"diffusion_pytorch_model_streaming_dmd.safetensors", "LQ_proj_in.ckpt",
              "TCDecoder.ckpt", "Wan2.1_VAE.pth", "posi_prompt.pth"}) {
            QTreeWidgetItem* item = fileItem(v11, name);
            QVERIFY2(item != nullptr, name);
            QVERIFY2(item->data(ui::ModelManagerDialog::StatusColumn, Qt::UserRole).toBool(), name);
            QCOMPARE(item->data(ui::ModelManagerDialog::SizeColumn, Qt::UserRole).toULongLong(),
                     static_cast<qulonglong>(QFileInfo(golden + "/" + name).size()));
            QVERIFY(item->text(ui::ModelManagerDialog::HashColumn).isEmpty());  // not yet
        }

        // Verify: SHA-256 of every file, computed on a worker thread.
        QSignalSpy finished(&dialog, &ui::ModelManagerDialog::verificationFinished);
        QVERIFY(dialog.verify());
        QVERIFY(dialog.isVerifying());
        QVERIFY(!dialog.verify());  // one at a time
        QVERIFY(finished.wait(30000));
        QVERIFY(!dialog.isVerifying());
        v11 = versionItem(dialog, "1.1");
        const QString tc = golden + "/TCDecoder.ckpt";
        QCOMPARE(fileItem(v11, "TCDecoder.ckpt")->text(ui::ModelManagerDialog::HashColumn),
                 sha256Of(tc));

        // An empty folder: every file of both versions missing, with where to download it.
        QTemporaryDir empty;
        dialog.setFolder(empty.path());
        for (const QString& version : ui::ModelManagerDialog::versions()) {
            QTreeWidgetItem* top = versionItem(dialog, version);
            QCOMPARE(top->childCount(), 5);
            for (int i = 0; i < top->childCount(); ++i) {
                QTreeWidgetItem* item = top->child(i);
                QVERIFY(!item->data(ui::ModelManagerDialog::StatusColumn, Qt::UserRole).toBool());
                QVERIFY(!item->text(ui::ModelManagerDialog::StatusColumn).isEmpty());
                QVERIFY(!item->toolTip(ui::ModelManagerDialog::StatusColumn).isEmpty());
                QVERIFY2(item->text(ui::ModelManagerDialog::SourceColumn).startsWith("http"),
                         qPrintable(item->text(ui::ModelManagerDialog::SourceColumn)));
            }
        }
        QCOMPARE(settings.modelFolder(), QDir::cleanPath(empty.path()));
        // A new dialog starts from the persisted folder.
        ui::ModelManagerDialog again(settings);
        QCOMPARE(again.folder(), QDir::cleanPath(empty.path()));
    }
};

FVSR_UI_TEST(ModelManagerDialogTest)
#include "model_manager_dialog_test.moc"
