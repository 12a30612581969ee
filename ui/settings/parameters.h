#pragma once
// The job parameters the GUI edits: one catalog entry per engine parameter of the `flashvsr`
// command line (app/cli/cli_options.cpp), with the same key (the option name without dashes),
// the same accepted values and ranges, plus two GUI-only output naming entries. Values travel
// as a QVariantMap keyed by those names, so a preset file, the panel and the command line
// agree on every name.
//
// Conventions of a value map:
//  - Integer -> int, Real -> double, Boolean -> bool, Choice/Path/Rate/Text -> QString.
//  - An optional parameter that is absent (or an empty string) means "automatic": the CLI
//    option is left out and the engine picks its default (e.g. CRF from the quality preset).
//
// Labels and tooltips are stored untranslated (context "Parameters") and translated on use.
// Threads: everything here is reentrant; the catalog is immutable after first use.

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

namespace ui {

enum class ParameterGroup { Model, Quality, Performance, Tiling, Segments, Output, Hdr };
enum class ParameterType { Integer, Real, Choice, Boolean, Path, Rate, Text };
// Whether the parameter is a `flashvsr` command-line option or a GUI-only setting.
enum class ParameterScope { CommandLine, StudioOnly };

struct ParameterChoice {
    QString value;      // as on the command line ("tiny-long"); "" = automatic
    const char* label;  // untranslated, context "Parameters"
};

struct ParameterDef {
    QString key;
    ParameterGroup group = ParameterGroup::Model;
    ParameterType type = ParameterType::Integer;
    ParameterScope scope = ParameterScope::CommandLine;
    const char* label = nullptr;      // untranslated, context "Parameters"
    const char* tooltip = nullptr;    // untranslated, context "Parameters"
    const char* unit = nullptr;       // untranslated suffix ("frames"), or nullptr
    const char* autoLabel = nullptr;  // shown when an optional value is automatic
    QVariant defaultValue;            // invalid for optional parameters that default to automatic
    double minimum = 0.0;
    double maximum = 0.0;
    double step = 1.0;
    int decimals = 0;
    bool optional = false;
    // Integer only: 0 is accepted besides [minimum, maximum] and means "automatic" (shown as
    // zeroLabel, written "auto" on the command line), e.g. tile_size.
    const char* zeroLabel = nullptr;
    // Boolean only: a command-line flag without a value (--keep_checkpoint), written when true.
    bool flag = false;
    QList<ParameterChoice> choices;
};

enum class IssueSeverity { Warning, Error };

struct ParameterIssue {
    QString key;  // the parameter the issue is shown next to
    IssueSeverity severity = IssueSeverity::Error;
    QString message;  // translated
};

// Every parameter, in panel order.
const QList<ParameterDef>& parameterCatalog();
const ParameterDef* findParameter(const QString& key);
QString groupTitle(ParameterGroup group);  // translated
QString parameterLabel(const ParameterDef& def);
QString parameterTooltip(const ParameterDef& def);
QString parameterUnit(const ParameterDef& def);
QString choiceLabel(const ParameterChoice& choice);

// The catalog defaults (those of the command line); optional parameters are absent.
QVariantMap defaultParameters();
// `values` over the defaults; unknown keys are dropped, values converted to the catalog type.
QVariantMap withDefaults(const QVariantMap& values);

// The translated problem with one value on its own (type, range, choice, rate), or empty.
QString checkValue(const ParameterDef& def, const QVariant& value);

// checkValue() for every entry plus combinations the engine would refuse (codec vs container, bit
// depth vs format, CRF range per codec, precision vs device, ...).
QList<ParameterIssue> validateParameters(const QVariantMap& values);
bool hasErrors(const QList<ParameterIssue>& issues);

// "24", "23.976" (-> 24000/1001) or "30000/1001"; false when the text is not a rate.
bool parseRate(const QString& text, int* numerator, int* denominator);

// The container or picture format the output gets: output_format, or mkv / png by mode.
QString effectiveOutputFormat(const QVariantMap& values);
bool isPictureOutput(const QVariantMap& values);

// The output path for `inputPath`: output_folder (empty: the input's folder) + output_pattern
// with {name} {scale} {upscaler} {mode} {codec} {format} {date} replaced + the extension
// (pictures: a folder, no extension). Characters not allowed in file names become '_'. Never
// the input itself: a result equal to the input (or inside it for a folder input of the same
// name) gets "_upscaled" appended.
QString resolveOutputPath(const QString& pattern,
                          const QString& inputPath,
                          const QVariantMap& values);
inline constexpr const char* kDefaultOutputPattern = "{name}_{upscaler}_x{scale}";

// `flashvsr` arguments for these values: options that differ from the defaults, then
// --input / --output. StudioOnly parameters are left out.
QStringList commandLineArguments(const QVariantMap& values,
                                 const QString& inputPath,
                                 const QString& outputPath);
// Joins arguments into one shell line, quoting where needed (POSIX sh rules).
QString shellJoin(const QStringList& arguments);

}  // namespace ui
