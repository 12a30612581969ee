#pragma once
// The words for engine errors (style.md §6): the engine returns a stable code plus facts
// (context) and an English detail for the log; this turns them into what a person reads, in
// the current UI language. Every ErrorCode has its own text. Threads: any (pure function;
// translation uses the installed QTranslators).

#include "engine/core/error.h"

#include <QCoreApplication>
#include <QString>

namespace ui {

struct ErrorText {
    QString title;    // short: "Cannot open the video"
    QString what;     // what happened, with names and numbers from the context
    QString todo;     // the one thing to do
    QString details;  // technical: code name, engine detail, context facts (collapsible)
};

class ErrorTextBuilder {
    Q_DECLARE_TR_FUNCTIONS(ErrorText)

  public:
    static ErrorText build(const engine::Error& error);
};

inline ErrorText errorText(const engine::Error& error) {
    return ErrorTextBuilder::build(error);
}

}  // namespace ui
