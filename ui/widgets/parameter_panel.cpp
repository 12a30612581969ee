#include "ui/widgets/parameter_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSpinBox>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace ui {
namespace {

bool isDeviceEditor(const ParameterDef& def) {
    return def.key == QLatin1String("device");
}

QVariantMap withoutStudioOnly(QVariantMap values) {
    for (const ParameterDef& d : parameterCatalog()) {
        if (d.scope == ParameterScope::StudioOnly) {
            values.remove(d.key);
        }
    }
    return values;
}

}  // namespace

ParameterPanel::ParameterPanel(PresetListModel& presets, QWidget* parent)
    : QWidget(parent), m_presets(presets) {
    // Preset bar.
    m_presetLabel = new QLabel(this);
    m_presetCombo = new QComboBox(this);
    m_presetCombo->setModel(&m_presets);
    m_presetCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_presetCombo->setCurrentIndex(-1);
    m_modifiedLabel = new QLabel(this);
    auto tool = [this](QStyle::StandardPixmap icon) {
        auto* b = new QToolButton(this);
        b->setIcon(style()->standardIcon(icon));
        b->setAutoRaise(true);
        return b;
    };
    m_saveButton = tool(QStyle::SP_DialogSaveButton);
    m_importButton = tool(QStyle::SP_DialogOpenButton);
    m_exportButton = tool(QStyle::SP_FileDialogToParent);
    m_deleteButton = tool(QStyle::SP_TrashIcon);
    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(m_presetLabel);
    presetRow->addWidget(m_presetCombo, 1);
    presetRow->addWidget(m_modifiedLabel);
    for (QToolButton* b : {m_saveButton, m_importButton, m_exportButton, m_deleteButton}) {
        presetRow->addWidget(b);
    }

    // Editors, grouped.
    auto* content = new QWidget;
    auto* contentLayout = new QVBoxLayout(content);
    QHash<int, QFormLayout*> forms;
    for (const ParameterDef& def : parameterCatalog()) {
        const int g = static_cast<int>(def.group);
        if (!m_groups.contains(g)) {
            auto* box = new QGroupBox(content);
            auto* form = new QFormLayout(box);
            form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            m_groups.insert(g, box);
            forms.insert(g, form);
            contentLayout->addWidget(box);
        }
        Editor e;
        e.def = &def;
        e.label = new QLabel(content);
        e.editor = createEditor(def, &e.browse);
        e.label->setBuddy(e.editor);
        if (e.browse != nullptr) {
            auto* row = new QHBoxLayout;
            row->addWidget(e.editor, 1);
            row->addWidget(e.browse);
            forms.value(g)->addRow(e.label, row);
        } else {
            forms.value(g)->addRow(e.label, e.editor);
        }
        m_editors.insert(def.key, e);
    }
    contentLayout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_issuesLabel = new QLabel(this);
    m_issuesLabel->setWordWrap(true);
    m_issuesLabel->setTextFormat(Qt::RichText);
    m_exampleLabel = new QLabel(this);
    m_exampleLabel->setWordWrap(true);
    m_exampleLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copyButton = new QPushButton(this);
    m_planLabel = new QLabel(this);
    m_planLabel->setWordWrap(true);
    m_planLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(presetRow);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_issuesLabel);
    layout->addWidget(m_planLabel);
    layout->addWidget(m_exampleLabel);
    layout->addWidget(m_copyButton);

    connect(m_presetCombo, qOverload<int>(&QComboBox::activated), this,
            &ParameterPanel::onPresetActivated);
    connect(m_saveButton, &QToolButton::clicked, this, &ParameterPanel::onSaveClicked);
    connect(m_importButton, &QToolButton::clicked, this, &ParameterPanel::onImportClicked);
    connect(m_exportButton, &QToolButton::clicked, this, &ParameterPanel::onExportClicked);
    connect(m_deleteButton, &QToolButton::clicked, this, &ParameterPanel::onDeleteClicked);
    connect(m_copyButton, &QPushButton::clicked, this, &ParameterPanel::onCopyClicked);

    retranslateUi();
    setParameters(defaultParameters());
}

QWidget* ParameterPanel::createEditor(const ParameterDef& def, QToolButton** browse) {
    *browse = nullptr;
    switch (def.type) {
        case ParameterType::Integer: {
            auto* spin = new QSpinBox(this);
            // The value below the range (or 0 when the range starts there) shows the automatic
            // label: absent for optional entries, 0 for zero-means-auto entries.
            const bool below = def.optional || (def.zeroLabel != nullptr && def.minimum > 0);
            spin->setRange(static_cast<int>(below ? def.minimum - 1 : def.minimum),
                           static_cast<int>(def.maximum));
            spin->setSingleStep(static_cast<int>(def.step));
            spin->setAccelerated(true);
            connect(spin, qOverload<int>(&QSpinBox::valueChanged), this,
                    &ParameterPanel::onEditorChanged);
            return spin;
        }
        case ParameterType::Real: {
            auto* spin = new QDoubleSpinBox(this);
            spin->setDecimals(def.decimals);
            spin->setRange(def.optional ? def.minimum - def.step : def.minimum, def.maximum);
            spin->setSingleStep(def.step);
            spin->setAccelerated(true);
            connect(spin, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
                    &ParameterPanel::onEditorChanged);
            return spin;
        }
        case ParameterType::Choice: {
            auto* combo = new QComboBox(this);
            for (const ParameterChoice& c : def.choices) {
                combo->addItem(QString(), c.value);
            }
            connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this,
                    &ParameterPanel::onEditorChanged);
            return combo;
        }
        case ParameterType::Boolean: {
            auto* check = new QCheckBox(this);
            connect(check, &QCheckBox::toggled, this, &ParameterPanel::onEditorChanged);
            return check;
        }
        case ParameterType::Path: {
            auto* edit = new QLineEdit(this);
            edit->setClearButtonEnabled(true);
            connect(edit, &QLineEdit::textChanged, this, &ParameterPanel::onEditorChanged);
            auto* button = new QToolButton(this);
            button->setIcon(style()->standardIcon(QStyle::SP_DirOpenIcon));
            connect(button, &QToolButton::clicked, this, [this, edit] {
                const QString dir = QFileDialog::getExistingDirectory(
                    this, tr("Choose a folder"),
                    edit->text().isEmpty() ? QDir::homePath() : edit->text());
                if (!dir.isEmpty()) {
                    edit->setText(QDir::toNativeSeparators(dir));
                }
            });
            *browse = button;
            return edit;
        }
        case ParameterType::Rate:
        case ParameterType::Text:
            break;
    }
    if (isDeviceEditor(def)) {
        auto* combo = new QComboBox(this);
        combo->setEditable(true);
        combo->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")});
        connect(combo, &QComboBox::currentTextChanged, this, &ParameterPanel::onEditorChanged);
        return combo;
    }
    auto* edit = new QLineEdit(this);
    connect(edit, &QLineEdit::textChanged, this, &ParameterPanel::onEditorChanged);
    return edit;
}

void ParameterPanel::writeEditor(const Editor& e, const QVariant& value) {
    const ParameterDef& d = *e.def;
    if (auto* spin = qobject_cast<QSpinBox*>(e.editor)) {
        const bool automatic = !value.isValid() || (d.zeroLabel != nullptr && value.toInt() == 0);
        spin->setValue(automatic ? spin->minimum() : value.toInt());
    } else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(e.editor)) {
        dspin->setValue(value.isValid() ? value.toDouble() : dspin->minimum());
    } else if (auto* check = qobject_cast<QCheckBox*>(e.editor)) {
        check->setChecked(value.toBool());
    } else if (auto* combo = qobject_cast<QComboBox*>(e.editor)) {
        if (isDeviceEditor(d)) {
            combo->setCurrentText(value.toString());
        } else {
            const int i = combo->findData(value.isValid() ? value.toString() : QString());
            combo->setCurrentIndex(std::max(i, 0));
        }
    } else if (auto* edit = qobject_cast<QLineEdit*>(e.editor)) {
        edit->setText(d.type == ParameterType::Path ? QDir::toNativeSeparators(value.toString())
                                                    : value.toString());
    }
}

QVariant ParameterPanel::readEditor(const Editor& e) const {
    const ParameterDef& d = *e.def;
    if (auto* spin = qobject_cast<QSpinBox*>(e.editor)) {
        if (d.optional && spin->value() < d.minimum) {
            return {};
        }
        if (d.zeroLabel != nullptr && spin->value() == spin->minimum()) {
            return 0;
        }
        return spin->value();
    }
    if (auto* dspin = qobject_cast<QDoubleSpinBox*>(e.editor)) {
        if (d.optional && dspin->value() < d.minimum) {
            return {};
        }
        return dspin->value();
    }
    if (auto* check = qobject_cast<QCheckBox*>(e.editor)) {
        return check->isChecked();
    }
    if (auto* combo = qobject_cast<QComboBox*>(e.editor)) {
        const QString v = isDeviceEditor(d) ? combo->currentText().trimmed().toLower()
                                            : combo->currentData().toString();
        return d.optional && v.isEmpty() ? QVariant() : QVariant(v);
    }
    if (auto* edit = qobject_cast<QLineEdit*>(e.editor)) {
        const QString v = d.type == ParameterType::Path
                              ? QDir::fromNativeSeparators(edit->text().trimmed())
                              : edit->text().trimmed();
        return d.optional && v.isEmpty() ? QVariant() : QVariant(v);
    }
    return {};
}

void ParameterPanel::setParameters(const QVariantMap& values) {
    const QVariantMap full = withDefaults(values);
    m_updating = true;
    for (const Editor& e : std::as_const(m_editors)) {
        writeEditor(e, full.value(e.def->key));
    }
    m_updating = false;
    onEditorChanged();
}

bool ParameterPanel::selectPreset(const QString& id) {
    const int row = m_presets.rowOfId(id);
    const std::optional<Preset> preset = m_presets.presetAt(row);
    if (!preset) {
        return false;
    }
    QVariantMap values = presetParameters(*preset);
    for (const ParameterDef& d : parameterCatalog()) {
        if (d.scope == ParameterScope::StudioOnly) {
            if (m_values.contains(d.key)) {
                values.insert(d.key, m_values.value(d.key));
            } else {
                values.remove(d.key);
            }
        }
    }
    m_presetId = id;
    m_presetCombo->setCurrentIndex(row);
    setParameters(values);
    emit presetSelected(id);
    return true;
}

bool ParameterPanel::isModified() const {
    const std::optional<Preset> preset = m_presets.presetAt(m_presets.rowOfId(m_presetId));
    if (!preset) {
        return false;
    }
    return withoutStudioOnly(presetParameters(*preset)) != withoutStudioOnly(m_values);
}

void ParameterPanel::setCurrentInput(const QString& path) {
    m_input = path;
    refresh();
}

void ParameterPanel::setInputInfo(const PlanInput& input) {
    m_inputInfo = input;
    refresh();
}

void ParameterPanel::setAvailableDevices(const QStringList& devices) {
    auto* combo = qobject_cast<QComboBox*>(editor(QStringLiteral("device")));
    if (combo == nullptr) {
        return;
    }
    const QString current = combo->currentText();
    const QSignalBlocker block(combo);
    combo->clear();
    combo->addItems(
        QStringList{QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")} +
        devices);
    combo->setCurrentText(current);
}

QString ParameterPanel::outputPathFor(const QString& inputPath) const {
    return resolveOutputPath(m_values.value(QStringLiteral("output_pattern")).toString(), inputPath,
                             m_values);
}

QString ParameterPanel::commandLine(const QString& inputPath) const {
    return QStringLiteral("flashvsr ") +
           shellJoin(commandLineArguments(m_values, inputPath, outputPathFor(inputPath)));
}

void ParameterPanel::onEditorChanged() {
    if (m_updating) {
        return;
    }
    QVariantMap values;
    for (const Editor& e : std::as_const(m_editors)) {
        const QVariant v = readEditor(e);
        if (v.isValid()) {
            values.insert(e.def->key, v);
        }
    }
    m_values = values;
    refresh();
    emit parametersChanged(m_values);
}

void ParameterPanel::refresh() {
    m_issues = validateParameters(m_values);
    QStringList lines;
    for (const Editor& e : std::as_const(m_editors)) {
        e.editor->setProperty("issue", QString());
    }
    for (const ParameterIssue& issue : std::as_const(m_issues)) {
        const bool error = issue.severity == IssueSeverity::Error;
        lines << QStringLiteral("<span style=\"color:%1\">%2 %3</span>")
                     .arg(error ? QStringLiteral("#e5534b") : QStringLiteral("#d29922"),
                          error ? QStringLiteral("✖") : QStringLiteral("⚠"),
                          issue.message.toHtmlEscaped());
        if (QWidget* w = editor(issue.key)) {
            w->setProperty("issue", error ? QStringLiteral("error") : QStringLiteral("warning"));
        }
    }
    for (const Editor& e : std::as_const(m_editors)) {
        // Re-polish so the theme's [issue="error"] rules apply.
        e.editor->style()->unpolish(e.editor);
        e.editor->style()->polish(e.editor);
    }
    m_issuesLabel->setText(lines.join(QStringLiteral("<br>")));
    m_issuesLabel->setVisible(!lines.isEmpty());
    const QString example =
        m_input.isEmpty() ? QDir::home().filePath(QStringLiteral("clip.mp4")) : m_input;
    m_exampleLabel->setText(tr("Output: %1").arg(QDir::toNativeSeparators(outputPathFor(example))));
    m_exampleLabel->setToolTip(m_input.isEmpty() ? tr("Example for an input named clip.mp4")
                                                 : QDir::toNativeSeparators(m_input));
    m_copyButton->setEnabled(!hasErrors(m_issues));
    if (hasErrors(m_issues)) {
        m_plan = PlanReadout{};
        m_planLabel->clear();
    } else {
        m_plan = planReadout(m_values, m_input, m_inputInfo);
        m_planLabel->setText(m_plan.text);
        m_planLabel->setToolTip(m_plan.details);
    }
    m_planLabel->setVisible(!m_planLabel->text().isEmpty());
    m_modifiedLabel->setText(isModified() ? tr("(modified)") : QString());
    m_deleteButton->setEnabled(m_presetId.startsWith(QLatin1String("user:")));
}

void ParameterPanel::onPresetActivated(int row) {
    const std::optional<Preset> preset = m_presets.presetAt(row);
    if (preset) {
        selectPreset(preset->id);
    }
}

bool ParameterPanel::savePresetAs(const QString& name, QString* error) {
    const std::optional<QString> id = m_presets.savePreset(name, m_values, error);
    if (!id) {
        return false;
    }
    m_presetId = *id;
    m_presetCombo->setCurrentIndex(m_presets.rowOfId(*id));
    refresh();
    emit presetSelected(*id);
    return true;
}

bool ParameterPanel::importPresetFile(const QString& path, QString* error) {
    const std::optional<QString> id = m_presets.importPreset(path, error);
    return id && selectPreset(*id);
}

bool ParameterPanel::exportPresetFile(const QString& path, QString* error) const {
    Preset p;
    p.name = QFileInfo(path).completeBaseName();
    if (const std::optional<Preset> current = m_presets.presetAt(m_presets.rowOfId(m_presetId));
        current && !isModified()) {
        p.name = presetDisplayName(*current);
    }
    p.values = m_values;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(presetToJson(p)) < 0 || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

bool ParameterPanel::deleteCurrentPreset(QString* error) {
    if (!m_presets.removePreset(m_presetId, error)) {
        return false;
    }
    m_presetId.clear();
    m_presetCombo->setCurrentIndex(-1);
    refresh();
    return true;
}

void ParameterPanel::onSaveClicked() {
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save preset"), tr("Preset name:"),
                                               QLineEdit::Normal, QString(), &ok);
    QString error;
    if (ok && !name.trimmed().isEmpty() && !savePresetAs(name, &error)) {
        QMessageBox::warning(this, tr("Save preset"), error);
    }
}

void ParameterPanel::onImportClicked() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Import preset"), QDir::homePath(),
                                                      tr("Presets (*.json)"));
    QString error;
    if (!path.isEmpty() && !importPresetFile(path, &error)) {
        QMessageBox::warning(
            this, tr("Import preset"),
            tr("%1 cannot be imported: %2").arg(QDir::toNativeSeparators(path), error));
    }
}

void ParameterPanel::onExportClicked() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export preset"), QDir::home().filePath(QStringLiteral("preset.json")),
        tr("Presets (*.json)"));
    QString error;
    if (!path.isEmpty() && !exportPresetFile(path, &error)) {
        QMessageBox::warning(this, tr("Export preset"), error);
    }
}

void ParameterPanel::onDeleteClicked() {
    const std::optional<Preset> preset = m_presets.presetAt(m_presets.rowOfId(m_presetId));
    if (!preset || preset->builtIn) {
        return;
    }
    if (QMessageBox::question(this, tr("Delete preset"),
                              tr("Delete the preset \"%1\"?").arg(preset->name)) !=
        QMessageBox::Yes) {
        return;
    }
    QString error;
    if (!deleteCurrentPreset(&error)) {
        QMessageBox::warning(this, tr("Delete preset"), error);
    }
}

void ParameterPanel::onCopyClicked() {
    const QString input =
        m_input.isEmpty() ? QDir::home().filePath(QStringLiteral("clip.mp4")) : m_input;
    const QString line = commandLine(input);
    QApplication::clipboard()->setText(line);
    emit commandLineCopied(line);
}

void ParameterPanel::retranslateUi() {
    m_presetLabel->setText(tr("Preset:"));
    m_presetCombo->setPlaceholderText(tr("Custom"));
    m_saveButton->setToolTip(tr("Save the current values as a preset"));
    m_importButton->setToolTip(tr("Import a preset file (JSON)"));
    m_exportButton->setToolTip(tr("Export the current values as a preset file (JSON)"));
    m_deleteButton->setToolTip(tr("Delete this preset (your presets only)"));
    m_copyButton->setText(tr("Copy command line"));
    m_copyButton->setToolTip(
        tr("Copy the equivalent flashvsr command for the current input to the clipboard"));
    for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it) {
        // "&" would otherwise become a mnemonic ("Performance & memory").
        it.value()->setTitle(groupTitle(static_cast<ParameterGroup>(it.key()))
                                 .replace(QLatin1Char('&'), QLatin1String("&&")));
    }
    for (const Editor& e : std::as_const(m_editors)) {
        const ParameterDef& d = *e.def;
        const QString unit = parameterUnit(d);
        e.label->setText(parameterLabel(d) + QLatin1Char(':'));
        QString tip = parameterTooltip(d);
        if (d.type == ParameterType::Integer || d.type == ParameterType::Real) {
            tip += QLatin1Char('\n') +
                   tr("Range: %1 to %2")
                       .arg(QString::number(d.minimum), QString::number(d.maximum, 'g', 10));
        }
        if (d.scope == ParameterScope::CommandLine) {
            tip += QLatin1Char('\n') + tr("Command line: --%1").arg(d.key);
        }
        e.label->setToolTip(tip);
        e.editor->setToolTip(tip);
        const char* autoLabel = d.zeroLabel != nullptr ? d.zeroLabel : d.autoLabel;
        const QString autoText =
            autoLabel != nullptr ? QCoreApplication::translate("Parameters", autoLabel) : QString();
        if (auto* spin = qobject_cast<QSpinBox*>(e.editor)) {
            spin->setSuffix(unit.isEmpty() ? QString() : QLatin1Char(' ') + unit);
            spin->setSpecialValueText(autoText);
        } else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(e.editor)) {
            dspin->setSuffix(unit.isEmpty() ? QString() : QLatin1Char(' ') + unit);
            dspin->setSpecialValueText(autoText);
        } else if (auto* combo = qobject_cast<QComboBox*>(e.editor); combo && !isDeviceEditor(d)) {
            for (int i = 0; i < d.choices.size(); ++i) {
                combo->setItemText(i, choiceLabel(d.choices.at(i)));
            }
        } else if (auto* edit = qobject_cast<QLineEdit*>(e.editor)) {
            edit->setPlaceholderText(autoText);
        }
        if (e.browse != nullptr) {
            e.browse->setToolTip(tr("Choose a folder"));
        }
    }
    refresh();
}

void ParameterPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

}  // namespace ui
