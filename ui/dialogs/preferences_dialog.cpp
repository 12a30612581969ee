#include "ui/dialogs/preferences_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ui {

PreferencesDialog::PreferencesDialog(StudioSettings& settings, QWidget* parent)
    : QDialog(parent), m_settings(settings) {
    m_theme = new QComboBox(this);
    m_theme->addItem(QString(), static_cast<int>(Theme::System));
    m_theme->addItem(QString(), static_cast<int>(Theme::Dark));
    m_language = new QComboBox(this);
    m_language->addItem(QString(), QString());
    // Language names are written in their own language, as language pickers do.
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_cacheFrames = new QSpinBox(this);
    m_cacheFrames->setRange(8, 512);
    m_previewMemory = new QSpinBox(this);
    m_previewMemory->setRange(64, 16384);
    m_previewMemory->setSingleStep(256);
    m_pollInterval = new QSpinBox(this);
    m_pollInterval->setRange(250, 10000);
    m_pollInterval->setSingleStep(250);
    m_themeLabel = new QLabel(this);
    m_languageLabel = new QLabel(this);
    m_cacheLabel = new QLabel(this);
    m_previewLabel = new QLabel(this);
    m_pollLabel = new QLabel(this);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);

    auto* form = new QFormLayout;
    form->addRow(m_themeLabel, m_theme);
    form->addRow(m_languageLabel, m_language);
    form->addRow(m_cacheLabel, m_cacheFrames);
    form->addRow(m_previewLabel, m_previewMemory);
    form->addRow(m_pollLabel, m_pollInterval);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_theme->setCurrentIndex(m_theme->findData(static_cast<int>(m_settings.theme())));
    m_language->setCurrentIndex(std::max(0, m_language->findData(m_settings.language())));
    m_cacheFrames->setValue(m_settings.viewerCacheFrames());
    m_previewMemory->setValue(m_settings.previewMemoryMiB());
    m_pollInterval->setValue(m_settings.devicePollIntervalMs());
    retranslateUi();
}

void PreferencesDialog::apply() {
    m_settings.setTheme(static_cast<Theme>(m_theme->currentData().toInt()));
    m_settings.setLanguage(m_language->currentData().toString());
    m_settings.setViewerCacheFrames(m_cacheFrames->value());
    m_settings.setPreviewMemoryMiB(m_previewMemory->value());
    m_settings.setDevicePollIntervalMs(m_pollInterval->value());
}

void PreferencesDialog::retranslateUi() {
    setWindowTitle(tr("Preferences"));
    m_themeLabel->setText(tr("Theme:"));
    m_theme->setItemText(0, tr("Follow the system"));
    m_theme->setItemText(1, tr("Dark"));
    m_languageLabel->setText(tr("Language:"));
    m_language->setItemText(0, tr("System language"));
    m_cacheLabel->setText(tr("Viewer cache:"));
    m_cacheFrames->setSuffix(tr(" frames"));
    m_cacheFrames->setToolTip(tr("Decoded frames the viewer keeps for quick scrubbing."));
    m_previewLabel->setText(tr("Preview memory:"));
    m_previewMemory->setSuffix(tr(" MiB"));
    m_previewMemory->setToolTip(
        tr("Memory for rendered comparison frames; longer ranges are cut to fit."));
    m_pollLabel->setText(tr("GPU polling interval:"));
    m_pollInterval->setSuffix(tr(" ms"));
}

void PreferencesDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QDialog::changeEvent(event);
}

}  // namespace ui
