#pragma once
// The Parameters dock: one editor per catalog entry (ui/settings/parameters.h), grouped as
// model, quality, performance & memory, tiling, segments & resume, output and HDR, with the label,
// tooltip and unit from the catalog; a preset picker with save / import / export / delete; the
// validation issues; the planner's prediction for the open input; the output name the current input
// would get; and "Copy command line" (the equivalent `flashvsr` call). Choosing a preset keeps the
// output folder and name pattern. Threads: UI thread only.

#include "ui/bridge/plan_readout.h"
#include "ui/models/preset_list_model.h"
#include "ui/settings/parameters.h"

#include <QHash>
#include <QVariantMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QGroupBox;
class QToolButton;

namespace ui {

class ParameterPanel : public QWidget {
    Q_OBJECT
  public:
    // `presets` must outlive the panel.
    explicit ParameterPanel(PresetListModel& presets, QWidget* parent = nullptr);

    QVariantMap parameters() const { return m_values; }
    void setParameters(const QVariantMap& values);
    QString presetId() const { return m_presetId; }
    // Applies the preset (keeping output folder and name); false for an unknown id.
    bool selectPreset(const QString& id);
    bool isModified() const;  // values differ from the selected preset

    // The input the live output-name example and the command line use.
    void setCurrentInput(const QString& path);
    QString currentInput() const { return m_input; }
    // The open input's size, frame count and rate, for the planner's prediction shown below the
    // editors (peak memory, temporary disk, duration, tiles); recomputed when values change.
    void setInputInfo(const PlanInput& input);
    const PlanReadout& plan() const { return m_plan; }
    // cuda:N entries offered by the Device editor.
    void setAvailableDevices(const QStringList& devices);

    QList<ParameterIssue> issues() const { return m_issues; }
    QString outputPathFor(const QString& inputPath) const;
    QString commandLine(const QString& inputPath) const;
    QWidget* editor(const QString& key) const { return m_editors.value(key).editor; }

    // What the preset buttons do after their file or name dialog.
    bool savePresetAs(const QString& name, QString* error);
    bool importPresetFile(const QString& path, QString* error);
    bool exportPresetFile(const QString& path, QString* error) const;
    bool deleteCurrentPreset(QString* error);

  signals:
    void parametersChanged(const QVariantMap& values);
    void presetSelected(const QString& id);
    void commandLineCopied(const QString& commandLine);

  protected:
    void changeEvent(QEvent* event) override;

  private:
    struct Editor {
        const ParameterDef* def = nullptr;
        QLabel* label = nullptr;
        QWidget* editor = nullptr;
        QToolButton* browse = nullptr;
    };
    QWidget* createEditor(const ParameterDef& def, QToolButton** browse);
    void writeEditor(const Editor& e, const QVariant& value);
    QVariant readEditor(const Editor& e) const;
    void onEditorChanged();
    void onPresetActivated(int row);
    void onSaveClicked();
    void onImportClicked();
    void onExportClicked();
    void onDeleteClicked();
    void onCopyClicked();
    void refresh();
    void retranslateUi();

    PresetListModel& m_presets;
    QHash<QString, Editor> m_editors;
    QHash<int, QGroupBox*> m_groups;
    QComboBox* m_presetCombo;
    QLabel* m_presetLabel;
    QLabel* m_modifiedLabel;
    QToolButton* m_saveButton;
    QToolButton* m_importButton;
    QToolButton* m_exportButton;
    QToolButton* m_deleteButton;
    QLabel* m_issuesLabel;
    QLabel* m_exampleLabel;
    QPushButton* m_copyButton;
    QLabel* m_planLabel;

    QVariantMap m_values;
    QList<ParameterIssue> m_issues;
    QString m_presetId;
    QString m_input;
    PlanInput m_inputInfo;
    PlanReadout m_plan;
    bool m_updating = false;
};

}  // namespace ui
