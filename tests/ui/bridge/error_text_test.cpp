// Every engine ErrorCode has its own words (ui/bridge/error_text.*).

#include "ui/bridge/error_text.h"

#include "ui/dialogs/error_dialog.h"
#include "ui_test.h"

#include <QSet>
#include <QTest>

class ErrorTextTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void everyCodeHasItsOwnText() {
        const ui::ErrorText unknown =
            ui::errorText(engine::Error(static_cast<engine::ErrorCode>(250), "x"));
        int codes = 0;
        QSet<QString> whats;
        for (int value = 0; value < 256; ++value) {
            const auto code = static_cast<engine::ErrorCode>(value);
            if (engine::error_code_name(code) == "unknown") {
                continue;
            }
            ++codes;
            engine::Error e(code, "technical detail");
            e.with("path", "/videos/holiday clip.mp4").with("device", "cuda:1");
            const ui::ErrorText t = ui::errorText(e);
            QVERIFY2(!t.title.isEmpty() && t.title != unknown.title,
                     engine::error_code_name(code).data());
            QVERIFY(!t.what.isEmpty());
            QVERIFY(!t.todo.isEmpty());
            QVERIFY(t.details.contains(QString::fromLatin1(engine::error_code_name(code).data())));
            QVERIFY(t.details.contains("technical detail"));
            QVERIFY(t.details.contains("/videos/holiday clip.mp4"));
            whats.insert(t.what);
        }
        QVERIFY(codes >= 34);
        // Codes do not share one generic sentence.
        QVERIFY(whats.size() >= codes - 2);
    }

    void usesContextFacts() {
        engine::Error oom(engine::ErrorCode::OutOfMemory, "CUDA out of memory");
        oom.with("device", "cuda:1").with("width", "3840").with("height", "2160");
        const ui::ErrorText t = ui::errorText(oom);
        QVERIFY(t.what.contains("cuda:1"));
        QVERIFY(t.what.contains("3840×2160"));
        engine::Error missing(engine::ErrorCode::FileNotFound, "no such file");
        missing.with("path", "/a/b/clip.mov");
        QVERIFY(ui::errorText(missing).what.contains("\"clip.mov\""));
    }

    void dialogShowsTheWords() {
        engine::Error e(engine::ErrorCode::DiskFull, "ENOSPC");
        e.with("path", "/out/x.mkv");
        ui::ErrorDialog dialog(e);
        QVERIFY(dialog.text().contains(ui::errorText(e).title.toHtmlEscaped()));
        QVERIFY(dialog.informativeText().contains("x.mkv"));
        QCOMPARE(dialog.detailedText(), ui::errorText(e).details);
        QCOMPARE(dialog.icon(), QMessageBox::Warning);
        ui::ErrorDialog cancelled(engine::Error(engine::ErrorCode::Cancelled, "stop"));
        QCOMPARE(cancelled.icon(), QMessageBox::Information);
    }
};

FVSR_UI_TEST(ErrorTextTest)
#include "error_text_test.moc"
