#pragma once
// Preferences: appearance (theme, language), viewer cache, preview memory, device polling.
// Reads the values from StudioSettings on construction; apply() writes them back (the window
// then applies theme and language). Threads: UI thread only.

#include "ui/settings/studio_settings.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QSpinBox;

namespace ui {

class PreferencesDialog : public QDialog {
    Q_OBJECT
  public:
    // `settings` must outlive the dialog.
    explicit PreferencesDialog(StudioSettings& settings, QWidget* parent = nullptr);

    void apply();
    QComboBox* themeBox() const { return m_theme; }
    QComboBox* languageBox() const { return m_language; }

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void retranslateUi();

    StudioSettings& m_settings;
    QComboBox* m_theme;
    QComboBox* m_language;
    QSpinBox* m_cacheFrames;
    QSpinBox* m_previewMemory;
    QSpinBox* m_pollInterval;
    QLabel* m_themeLabel;
    QLabel* m_languageLabel;
    QLabel* m_cacheLabel;
    QLabel* m_previewLabel;
    QLabel* m_pollLabel;
    QDialogButtonBox* m_buttons;
};

}  // namespace ui
