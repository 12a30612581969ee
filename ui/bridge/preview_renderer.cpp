#include "ui/bridge/preview_renderer.h"

#include "engine/imaging/resize.h"
#include "engine/io/media.h"
#include "ui/bridge/frame_image.h"

#include <QCoreApplication>

namespace ui {

PreviewRenderer::PreviewRenderer(QObject* parent) : QObject(parent) {}

PreviewRenderer::~PreviewRenderer() {
    m_cancel = true;
    m_worker.join();
}

qint64 PreviewRenderer::framesWithinBudget(int outputWidth, int outputHeight, qint64 budgetBytes) {
    const qint64 pairBytes = qint64(outputWidth) * outputHeight * 3 * 2;
    if (pairBytes <= 0) {
        return 1;
    }
    return std::max<qint64>(1, budgetBytes / pairBytes);
}

QString PreviewRenderer::upscalerName(PreviewUpscaler upscaler) {
    switch (upscaler) {
        case PreviewUpscaler::Bicubic:
            return tr("Bicubic");
        case PreviewUpscaler::Lanczos:
            return tr("Lanczos-3");
    }
    return {};
}

void PreviewRenderer::cancel() {
    m_cancel = true;
}

void PreviewRenderer::start(const PreviewRequest& request) {
    m_cancel = true;
    m_worker.join();
    m_cancel = false;
    m_running = true;
    m_worker.start([this, request](quint64 generation) { run(request, generation); });
}

void PreviewRenderer::run(PreviewRequest request, quint64 generation) {
    auto post = [this, generation](auto function) { m_worker.post(generation, function); };
    auto fail = [&](const engine::Error& error) {
        post([this, error] {
            m_running = false;
            emit failed(error);
        });
    };
    engine::io::SourceOptions options;
    options.input = std::filesystem::u8path(request.path.toStdString());
    options.first_frame = request.firstFrame;
    auto source = engine::io::open_source(options);
    if (!source) {
        fail(source.error());
        return;
    }
    const auto& info = source.value()->info();
    const int outWidth = info.width * request.scale;
    const int outHeight = info.height * request.scale;
    const qint64 frames =
        std::min(request.lastFrame - request.firstFrame + 1,
                 framesWithinBudget(outWidth, outHeight, request.memoryBudgetBytes));
    const qint64 first = request.firstFrame;
    post([this, first, frames] { emit started(first, frames); });

    engine::imaging::ResizeOptions beforeOptions;
    beforeOptions.filter = engine::imaging::ResizeFilter::Bicubic;
    beforeOptions.output_type = engine::SampleType::U8;
    engine::imaging::ResizeOptions afterOptions = beforeOptions;
    afterOptions.filter = request.upscaler == PreviewUpscaler::Lanczos
                              ? engine::imaging::ResizeFilter::Lanczos3
                              : engine::imaging::ResizeFilter::Bicubic;
    qint64 done = 0;
    for (; done < frames && !m_cancel; ++done) {
        auto next = source.value()->next();
        if (!next) {
            fail(next.error());
            return;
        }
        if (!next.value()) {
            break;
        }
        const engine::Frame& frame = *next.value();
        auto before = engine::imaging::resize(frame, outWidth, outHeight, beforeOptions);
        if (!before) {
            fail(before.error());
            return;
        }
        auto after = engine::imaging::resize(frame, outWidth, outHeight, afterOptions);
        if (!after) {
            fail(after.error());
            return;
        }
        const qint64 index = first + done;
        const QImage beforeImage = frameToImage(before.value());
        const QImage afterImage = frameToImage(after.value());
        post([this, index, beforeImage, afterImage] {
            emit frameRendered(index, beforeImage, afterImage);
        });
    }
    const bool cancelled = m_cancel;
    post([this, done, cancelled] {
        m_running = false;
        emit finished(done, cancelled);
    });
}

}  // namespace ui
