#include "ui/dialogs/error_dialog.h"

namespace ui {

ErrorDialog::ErrorDialog(const ErrorText& text, bool isCancellation, QWidget* parent)
    : QMessageBox(parent) {
    setIcon(isCancellation ? QMessageBox::Information : QMessageBox::Warning);
    setWindowTitle(text.title);
    setTextFormat(Qt::RichText);
    setText(QStringLiteral("<b>%1</b>").arg(text.title.toHtmlEscaped()));
    setInformativeText(
        QStringLiteral("%1<br><br>%2").arg(text.what.toHtmlEscaped(), text.todo.toHtmlEscaped()));
    setDetailedText(text.details);
    setStandardButtons(QMessageBox::Close);
}

ErrorDialog::ErrorDialog(const engine::Error& error, QWidget* parent)
    : ErrorDialog(errorText(error), error.code == engine::ErrorCode::Cancelled, parent) {}

}  // namespace ui
