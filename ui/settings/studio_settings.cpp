#include "ui/settings/studio_settings.h"

#include <QDir>

#include <algorithm>

namespace ui {
namespace {

const QString kRecent = QStringLiteral("files/recent");
const QString kTheme = QStringLiteral("appearance/theme");
const QString kLanguage = QStringLiteral("appearance/language");
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kParameters = QStringLiteral("job/parameters");
const QString kPreset = QStringLiteral("job/preset");
const QString kOpenDir = QStringLiteral("files/lastDirectory");
const QString kCache = QStringLiteral("viewer/cacheFrames");
const QString kPoll = QStringLiteral("devices/pollIntervalMs");
const QString kExcludedDevices = QStringLiteral("devices/excludedFromQueue");
const QString kPreview = QStringLiteral("preview/memoryMiB");

}  // namespace

QStringList StudioSettings::recentFiles() const {
    QStringList list = m_store.value(kRecent).toStringList();
    list.removeDuplicates();
    return list.mid(0, kMaxRecentFiles);
}

void StudioSettings::addRecentFile(const QString& path) {
    const QString clean = QDir::cleanPath(path);
    QStringList list = recentFiles();
    list.removeAll(clean);
    list.prepend(clean);
    m_store.setValue(kRecent, list.mid(0, kMaxRecentFiles));
}

void StudioSettings::removeRecentFile(const QString& path) {
    QStringList list = recentFiles();
    list.removeAll(QDir::cleanPath(path));
    m_store.setValue(kRecent, list);
}

void StudioSettings::clearRecentFiles() {
    m_store.remove(kRecent);
}

Theme StudioSettings::theme() const {
    return m_store.value(kTheme).toString() == QLatin1String("dark") ? Theme::Dark : Theme::System;
}

void StudioSettings::setTheme(Theme theme) {
    m_store.setValue(kTheme,
                     theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("system"));
}

QString StudioSettings::language() const {
    const QString l = m_store.value(kLanguage).toString();
    return (l == QLatin1String("en") || l == QLatin1String("zh_CN")) ? l : QString();
}

void StudioSettings::setLanguage(const QString& language) {
    m_store.setValue(kLanguage, language);
}

QByteArray StudioSettings::windowGeometry() const {
    return m_store.value(kGeometry).toByteArray();
}

void StudioSettings::setWindowGeometry(const QByteArray& geometry) {
    m_store.setValue(kGeometry, geometry);
}

QByteArray StudioSettings::windowState() const {
    return m_store.value(kState).toByteArray();
}

void StudioSettings::setWindowState(const QByteArray& state) {
    m_store.setValue(kState, state);
}

QVariantMap StudioSettings::parameters() const {
    return m_store.value(kParameters).toMap();
}

void StudioSettings::setParameters(const QVariantMap& values) {
    m_store.setValue(kParameters, values);
}

QString StudioSettings::presetId() const {
    return m_store.value(kPreset).toString();
}

void StudioSettings::setPresetId(const QString& id) {
    m_store.setValue(kPreset, id);
}

QString StudioSettings::modelFolder() const {
    return m_store.value(QStringLiteral("models/folder")).toString();
}

void StudioSettings::setModelFolder(const QString& folder) {
    m_store.setValue(QStringLiteral("models/folder"), folder);
}

QString StudioSettings::lastOpenDirectory() const {
    return m_store.value(kOpenDir, QDir::homePath()).toString();
}

void StudioSettings::setLastOpenDirectory(const QString& directory) {
    m_store.setValue(kOpenDir, directory);
}

int StudioSettings::viewerCacheFrames() const {
    return std::clamp(m_store.value(kCache, 48).toInt(), 8, 512);
}

void StudioSettings::setViewerCacheFrames(int frames) {
    m_store.setValue(kCache, std::clamp(frames, 8, 512));
}

int StudioSettings::devicePollIntervalMs() const {
    return std::clamp(m_store.value(kPoll, 1000).toInt(), 250, 10000);
}

void StudioSettings::setDevicePollIntervalMs(int interval_ms) {
    m_store.setValue(kPoll, std::clamp(interval_ms, 250, 10000));
}

QList<int> StudioSettings::excludedQueueDevices() const {
    QList<int> ordinals;
    for (const QString& s : m_store.value(kExcludedDevices).toStringList()) {
        bool ok = false;
        const int ordinal = s.toInt(&ok);
        if (ok && ordinal >= 0 && !ordinals.contains(ordinal)) {
            ordinals << ordinal;
        }
    }
    return ordinals;
}

void StudioSettings::setExcludedQueueDevices(const QList<int>& ordinals) {
    QStringList list;
    for (int ordinal : ordinals) {
        list << QString::number(ordinal);
    }
    m_store.setValue(kExcludedDevices, list);
}

int StudioSettings::previewMemoryMiB() const {
    return std::clamp(m_store.value(kPreview, 1024).toInt(), 64, 16384);
}

void StudioSettings::setPreviewMemoryMiB(int mebibytes) {
    m_store.setValue(kPreview, std::clamp(mebibytes, 64, 16384));
}

}  // namespace ui
