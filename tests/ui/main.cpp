// Runs the registered QtTest classes under one QApplication (offscreen platform, set by CTest).

#include "ui_test.h"

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QTest>

#include <cstdio>
#include <memory>

namespace ui_test {

std::map<std::string, Factory>& registry() {
    static std::map<std::string, Factory> tests;
    return tests;
}

bool writeColourSequence(const QString& folder, int frames, int width, int height) {
    QDir().mkpath(folder);
    for (int i = 0; i < frames; ++i) {
        QImage image(width, height, QImage::Format_RGB888);
        image.fill(qRgb(10 * i, 255 - 10 * i, 128));
        const QString name = QStringLiteral("f_%1.png").arg(i, 4, 10, QLatin1Char('0'));
        if (!image.save(QDir(folder).filePath(name))) {
            return false;
        }
    }
    return true;
}

}  // namespace ui_test

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("flashvsr-studio-tests"));
    QStringList args = QApplication::arguments();
    std::string only;
    if (args.size() > 1 && !args.at(1).startsWith(QLatin1Char('-'))) {
        only = args.takeAt(1).toStdString();
    }
    int failures = 0;
    bool found = false;
    for (const auto& [name, factory] : ui_test::registry()) {
        if (!only.empty() && name != only) {
            continue;
        }
        found = true;
        std::unique_ptr<QObject> test(factory());
        failures += QTest::qExec(test.get(), args);
    }
    if (!found) {
        std::fprintf(stderr, "no test class named %s\n", only.c_str());
        return 2;
    }
    return failures == 0 ? 0 : 1;
}
