#pragma once
// Decodes frames of one video or image sequence for the viewer, with the engine's
// FrameSource (engine/io) on a worker thread, into QImages kept in a small bounded cache.
//
// Threads: every public method is called on the UI thread (the thread that owns the reader);
// signals are emitted there too. The worker thread only decodes: it holds the FrameSource and
// posts results back with queued invocations. Requests coalesce: while the worker is busy,
// newer requestFrame() calls replace older ones, so scrubbing never builds a backlog.
//
// Random access: going forward a few frames decodes through them; going backward or far
// forward reopens the source at that frame (the engine seeks frame-accurately).

#include "engine/core/error.h"

#include <QCache>
#include <QImage>
#include <QObject>
#include <QString>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

namespace ui {

struct MediaInfo {
    QString path;
    int width = 0;
    int height = 0;
    qint64 frameCount = -1;  // -1 when unknown
    bool frameCountExact = false;
    double fps = 0.0;  // 0 when unknown
    QString codec;
    QString container;
    int bitDepth = 8;
    double durationSeconds = 0.0;
    bool hdr = false;  // PQ or HLG transfer
};

class FrameReader : public QObject {
    Q_OBJECT
  public:
    explicit FrameReader(int cacheFrames = 48, QObject* parent = nullptr);
    ~FrameReader() override;  // stops and joins the worker

    // Opens a file, folder or printf pattern; opened() or openFailed() follows.
    void open(const QString& path);
    void close();
    bool isOpen() const { return m_open; }
    const MediaInfo& mediaInfo() const { return m_info; }

    // Asks for a frame (0-based). A cached frame is delivered at once through frameDecoded;
    // otherwise the worker decodes it. Out-of-range indices are ignored.
    void requestFrame(qint64 index);
    QImage cachedFrame(qint64 index) const;
    void setCacheFrames(int frames);
    int cacheFrames() const { return m_cache.maxCost(); }

  signals:
    void opened(const ui::MediaInfo& info);
    void openFailed(const QString& path, const engine::Error& error);
    void frameDecoded(qint64 index, const QImage& image);
    void decodeFailed(qint64 index, const engine::Error& error);
    // The source ended before the estimated frame count: `frameCount` is the real count.
    void frameCountCorrected(qint64 frameCount);

  private:
    struct Request {
        bool open = false;
        QString path;
        std::optional<qint64> frame;
        bool stop = false;
        quint64 generation = 0;
    };
    void workerLoop();

    // UI-thread state.
    MediaInfo m_info;
    bool m_open = false;
    QCache<qint64, QImage> m_cache;
    quint64 m_generation = 0;  // bumped by open()/close(); stale results are dropped

    // Shared with the worker.
    std::mutex m_mutex;
    std::condition_variable m_wake;
    Request m_pending;
    std::thread m_worker;
};

}  // namespace ui

Q_DECLARE_METATYPE(ui::MediaInfo)
