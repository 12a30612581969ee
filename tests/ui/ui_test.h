#pragma once
// The QtTest suite of the GUI runs as one executable (one link, one QApplication). Each test
// file defines a QObject test class and registers it with FVSR_UI_TEST(Class); main.cpp runs
// every class, or the one named by the first argument (CTest runs one class per test).

#include <QObject>

#include <functional>
#include <map>
#include <string>

namespace ui_test {

using Factory = std::function<QObject*()>;
std::map<std::string, Factory>& registry();

struct Registration {
    Registration(const char* name, Factory factory) {
        registry().emplace(name, std::move(factory));
    }
};

// A folder of `frames` PNG pictures (width x height) whose frame i is filled with
// qRgb(10 * i, 255 - 10 * i, 128): the decoded colour tells which frame arrived.
bool writeColourSequence(const QString& folder, int frames, int width, int height);

}  // namespace ui_test

#define FVSR_UI_TEST(Class) \
    static const ui_test::Registration registration_##Class(#Class, [] { return new Class; });
