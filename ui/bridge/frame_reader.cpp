#include "ui/bridge/frame_reader.h"

#include "engine/io/media.h"
#include "ui/bridge/frame_image.h"

#include <QFileInfo>

#include <limits>

namespace ui {
namespace {

// Forward gaps up to this many frames are decoded through instead of reopening (a reopen scans
// the container and seeks to a key frame, which costs about as much).
constexpr qint64 kMaxForwardDecode = 30;

MediaInfo toMediaInfo(const QString& path, const engine::io::VideoInfo& v) {
    MediaInfo m;
    m.path = path;
    m.width = v.width;
    m.height = v.height;
    m.frameCount = v.frame_count;
    m.frameCountExact = v.frame_count_exact;
    m.fps = v.frame_rate.valid() ? v.frame_rate.to_double() : 0.0;
    m.codec = QString::fromStdString(v.codec_name);
    m.container = QString::fromStdString(v.container);
    m.bitDepth = v.bit_depth;
    m.durationSeconds = v.duration_seconds;
    m.hdr = v.color.is_pq() || v.color.is_hlg();
    return m;
}

engine::io::SourceOptions sourceOptions(const QString& path, qint64 first) {
    engine::io::SourceOptions o;
    o.input = std::filesystem::u8path(path.toStdString());
    o.first_frame = first;
    o.preferred_type = engine::SampleType::U8;  // display only
    return o;
}

}  // namespace

FrameReader::FrameReader(int cacheFrames, QObject* parent) : QObject(parent) {
    qRegisterMetaType<ui::MediaInfo>();
    m_cache.setMaxCost(std::max(cacheFrames, 1));
    m_worker = std::thread([this] { workerLoop(); });
}

FrameReader::~FrameReader() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending = Request{};
        m_pending.stop = true;
    }
    m_wake.notify_one();
    m_worker.join();
}

void FrameReader::open(const QString& path) {
    ++m_generation;
    m_open = false;
    m_info = MediaInfo{};
    m_info.path = path;
    m_cache.clear();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.open = true;
        m_pending.path = path;
        m_pending.frame.reset();
        m_pending.generation = m_generation;
    }
    m_wake.notify_one();
}

void FrameReader::close() {
    ++m_generation;
    m_open = false;
    m_info = MediaInfo{};
    m_cache.clear();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.open = true;
        m_pending.path.clear();
        m_pending.frame.reset();
        m_pending.generation = m_generation;
    }
    m_wake.notify_one();
}

void FrameReader::requestFrame(qint64 index) {
    if (!m_open || index < 0 || (m_info.frameCount >= 0 && index >= m_info.frameCount)) {
        return;
    }
    if (const QImage* cached = m_cache.object(index)) {
        emit frameDecoded(index, *cached);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending.frame = index;
        m_pending.generation = m_generation;
    }
    m_wake.notify_one();
}

QImage FrameReader::cachedFrame(qint64 index) const {
    const QImage* cached = m_cache.object(index);
    return cached != nullptr ? *cached : QImage();
}

void FrameReader::setCacheFrames(int frames) {
    m_cache.setMaxCost(std::max(frames, 1));
}

void FrameReader::workerLoop() {
    std::unique_ptr<engine::io::FrameSource> source;
    QString path;
    qint64 position = 0;  // index of the frame next() returns
    quint64 generation = 0;
    for (;;) {
        Request request;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] {
                return m_pending.stop || m_pending.open || m_pending.frame.has_value();
            });
            request = m_pending;
            m_pending.open = false;
            m_pending.frame.reset();
            if (request.open) {
                // A frame request that came with the open is served after it.
                m_pending.frame = request.frame;
                request.frame.reset();
            }
        }
        if (request.stop) {
            return;
        }
        if (request.open) {
            source.reset();
            path = request.path;
            generation = request.generation;
            position = 0;
            if (path.isEmpty()) {
                continue;
            }
            auto result = engine::io::open_source(sourceOptions(path, 0));
            if (!result) {
                const engine::Error error = result.error();
                QMetaObject::invokeMethod(
                    this,
                    [this, generation, path, error] {
                        if (generation == m_generation) {
                            emit openFailed(path, error);
                        }
                    },
                    Qt::QueuedConnection);
                continue;
            }
            source = std::move(result.value());
            const MediaInfo info = toMediaInfo(path, source->info());
            QMetaObject::invokeMethod(
                this,
                [this, generation, info] {
                    if (generation != m_generation) {
                        return;
                    }
                    m_info = info;
                    m_open = true;
                    emit opened(info);
                },
                Qt::QueuedConnection);
            continue;
        }
        if (!request.frame || !source || request.generation != generation) {
            continue;
        }
        const qint64 index = *request.frame;
        if (index < position || index > position + kMaxForwardDecode) {
            auto reopened = engine::io::open_source(sourceOptions(path, index));
            if (!reopened) {
                const engine::Error error = reopened.error();
                QMetaObject::invokeMethod(
                    this,
                    [this, generation, index, error] {
                        if (generation == m_generation) {
                            emit decodeFailed(index, error);
                        }
                    },
                    Qt::QueuedConnection);
                continue;
            }
            source = std::move(reopened.value());
            position = index;
        }
        std::optional<engine::Frame> frame;
        std::optional<engine::Error> failure;
        while (position <= index) {
            auto next = source->next();
            if (!next) {
                failure = next.error();
                break;
            }
            if (!next.value()) {
                break;  // end of the source
            }
            ++position;
            if (position > index) {
                frame = std::move(*next.value());
            }
        }
        if (failure) {
            // The source is in an unknown state after an error; reopen on the next request.
            position = std::numeric_limits<qint64>::max();
            const engine::Error error = *failure;
            QMetaObject::invokeMethod(
                this,
                [this, generation, index, error] {
                    if (generation == m_generation) {
                        emit decodeFailed(index, error);
                    }
                },
                Qt::QueuedConnection);
            continue;
        }
        if (!frame) {
            const qint64 count = position;
            position = std::numeric_limits<qint64>::max();
            QMetaObject::invokeMethod(
                this,
                [this, generation, count] {
                    if (generation == m_generation && count != m_info.frameCount) {
                        m_info.frameCount = count;
                        m_info.frameCountExact = true;
                        emit frameCountCorrected(count);
                    }
                },
                Qt::QueuedConnection);
            continue;
        }
        const QImage image = frameToImage(*frame);
        QMetaObject::invokeMethod(
            this,
            [this, generation, index, image] {
                if (generation != m_generation) {
                    return;
                }
                m_cache.insert(index, new QImage(image), 1);
                emit frameDecoded(index, image);
            },
            Qt::QueuedConnection);
    }
}

}  // namespace ui
