#include "ui/dialogs/countdown_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace ui {

CountdownDialog::CountdownDialog(int totalSeconds, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("The queue is finished"));
    m_label = new QLabel(this);
    m_label->setWordWrap(true);
    m_bar = new QProgressBar(this);
    m_bar->setRange(0, std::max(totalSeconds, 1));
    m_bar->setTextVisible(false);
    auto* buttons = new QDialogButtonBox(this);
    m_now = buttons->addButton(tr("Do It &Now"), QDialogButtonBox::AcceptRole);
    m_cancel = buttons->addButton(tr("&Cancel"), QDialogButtonBox::RejectRole);
    m_cancel->setDefault(true);
    connect(m_now, &QPushButton::clicked, this, &CountdownDialog::nowRequested);
    connect(m_cancel, &QPushButton::clicked, this, &CountdownDialog::cancelRequested);
    // Escape and the close button cancel too.
    connect(this, &QDialog::rejected, this, &CountdownDialog::cancelRequested);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(buttons);
    setSecondsLeft(totalSeconds);
}

void CountdownDialog::setText(const QString& text) {
    m_label->setText(text);
}

QString CountdownDialog::text() const {
    return m_label->text();
}

void CountdownDialog::setSecondsLeft(int seconds) {
    m_bar->setValue(std::clamp(seconds, 0, m_bar->maximum()));
}

}  // namespace ui
