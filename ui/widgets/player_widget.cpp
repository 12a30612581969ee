#include "ui/widgets/player_widget.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace ui {

QString formatTimecode(qint64 frame, double fps) {
    if (fps <= 0.0) {
        return QString::number(frame);
    }
    const qint64 base = std::max<qint64>(1, std::llround(fps));
    const qint64 ff = frame % base;
    const qint64 totalSeconds = frame / base;
    return QStringLiteral("%1:%2:%3:%4")
        .arg(totalSeconds / 3600, 2, 10, QLatin1Char('0'))
        .arg((totalSeconds / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(totalSeconds % 60, 2, 10, QLatin1Char('0'))
        .arg(ff, 2, 10, QLatin1Char('0'));
}

QAction* PlayerWidget::makeAction(const QKeySequence& key) {
    auto* action = new QAction(this);
    action->setShortcut(key);
    action->setShortcutContext(Qt::WindowShortcut);
    addAction(action);
    return action;
}

PlayerWidget::PlayerWidget(FrameReader& reader, QWidget* parent)
    : QWidget(parent), m_reader(reader) {
    m_canvas = new ImageCanvas(this);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setEnabled(false);
    m_positionLabel = new QLabel(this);
    m_rangeLabel = new QLabel(this);
    m_speedLabel = new QLabel(this);
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::PreciseTimer);

    m_play = makeAction(Qt::Key_Space);
    connect(m_play, &QAction::triggered, this, &PlayerWidget::togglePlayback);
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_pause = makeAction(Qt::Key_K);
    connect(m_pause, &QAction::triggered, this, &PlayerWidget::pause);
    m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_shuttleForward = makeAction(Qt::Key_L);
    connect(m_shuttleForward, &QAction::triggered, this, &PlayerWidget::shuttleForward);
    m_shuttleForward->setIcon(style()->standardIcon(QStyle::SP_MediaSeekForward));
    m_shuttleReverse = makeAction(Qt::Key_J);
    connect(m_shuttleReverse, &QAction::triggered, this, &PlayerWidget::shuttleReverse);
    m_shuttleReverse->setIcon(style()->standardIcon(QStyle::SP_MediaSeekBackward));
    m_next = makeAction(Qt::Key_Right);
    m_next->setIcon(style()->standardIcon(QStyle::SP_ArrowRight));
    connect(m_next, &QAction::triggered, this, [this] { stepFrames(1); });
    m_previous = makeAction(Qt::Key_Left);
    m_previous->setIcon(style()->standardIcon(QStyle::SP_ArrowLeft));
    connect(m_previous, &QAction::triggered, this, [this] { stepFrames(-1); });
    m_first = makeAction(Qt::Key_Home);
    m_first->setIcon(style()->standardIcon(QStyle::SP_MediaSkipBackward));
    connect(m_first, &QAction::triggered, this, [this] { seek(0); });
    m_last = makeAction(Qt::Key_End);
    m_last->setIcon(style()->standardIcon(QStyle::SP_MediaSkipForward));
    connect(m_last, &QAction::triggered, this, [this] { seek(frameCount() - 1); });
    m_setIn = makeAction(Qt::Key_I);
    connect(m_setIn, &QAction::triggered, this, [this] { setInPoint(m_current); });
    m_setOut = makeAction(Qt::Key_O);
    connect(m_setOut, &QAction::triggered, this, [this] { setOutPoint(m_current); });
    m_goIn = makeAction(QKeySequence(Qt::SHIFT | Qt::Key_I));
    connect(m_goIn, &QAction::triggered, this, [this] { seek(rangeFirst()); });
    m_goOut = makeAction(QKeySequence(Qt::SHIFT | Qt::Key_O));
    connect(m_goOut, &QAction::triggered, this, [this] { seek(rangeLast()); });
    m_clearInOut = makeAction(QKeySequence(Qt::ALT | Qt::Key_X));
    connect(m_clearInOut, &QAction::triggered, this, &PlayerWidget::clearInOut);
    m_loop = makeAction(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_loop->setCheckable(true);
    m_fit = makeAction(Qt::Key_F);
    connect(m_fit, &QAction::triggered, m_canvas, &ImageCanvas::zoomToFit);
    m_actualSize = makeAction(Qt::Key_1);
    connect(m_actualSize, &QAction::triggered, m_canvas, &ImageCanvas::zoomToActualSize);
    m_zoomIn = makeAction(QKeySequence::ZoomIn);
    connect(m_zoomIn, &QAction::triggered, m_canvas, &ImageCanvas::zoomIn);
    m_zoomOut = makeAction(QKeySequence::ZoomOut);
    connect(m_zoomOut, &QAction::triggered, m_canvas, &ImageCanvas::zoomOut);

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 2);
    for (QAction* a :
         {m_first, m_previous, m_shuttleReverse, m_play, m_shuttleForward, m_next, m_last}) {
        auto* button = new QToolButton(this);
        button->setDefaultAction(a);
        button->setAutoRaise(true);
        controls->addWidget(button);
    }
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_positionLabel);
    auto* info = new QHBoxLayout;
    info->setContentsMargins(8, 0, 8, 2);
    info->addWidget(m_rangeLabel, 1);
    info->addWidget(m_speedLabel);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_canvas, 1);
    layout->addLayout(controls);
    layout->addLayout(info);

    connect(&m_reader, &FrameReader::opened, this, &PlayerWidget::onReaderOpened);
    connect(&m_reader, &FrameReader::frameDecoded, this, &PlayerWidget::onReaderFrameDecoded);
    connect(&m_reader, &FrameReader::frameCountCorrected, this,
            &PlayerWidget::onReaderFrameCountCorrected);
    connect(&m_reader, &FrameReader::openFailed, this, [this] {
        m_canvas->setImage(QImage());
        setSpeed(0);
    });
    connect(m_timer, &QTimer::timeout, this, &PlayerWidget::onTimerTimeout);
    connect(m_slider, &QSlider::valueChanged, this, &PlayerWidget::onSliderValueChanged);
    retranslateUi();
}

qint64 PlayerWidget::frameCount() const {
    return m_reader.isOpen() ? std::max<qint64>(m_reader.mediaInfo().frameCount, 0) : 0;
}

qint64 PlayerWidget::rangeFirst() const {
    return m_in >= 0 ? m_in : 0;
}

qint64 PlayerWidget::rangeLast() const {
    return m_out >= 0 ? m_out : std::max<qint64>(frameCount() - 1, 0);
}

QList<QAction*> PlayerWidget::playbackActions() const {
    return {m_play, m_pause, m_shuttleReverse, m_shuttleForward, m_previous, m_next,       m_first,
            m_last, m_setIn, m_setOut,         m_goIn,           m_goOut,    m_clearInOut, m_loop};
}

QList<QAction*> PlayerWidget::zoomActions() const {
    return {m_fit, m_actualSize, m_zoomIn, m_zoomOut};
}

void PlayerWidget::seek(qint64 frame) {
    const qint64 count = frameCount();
    if (count <= 0) {
        return;
    }
    m_current = std::clamp<qint64>(frame, 0, count - 1);
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(static_cast<int>(m_current));
    }
    m_waiting = true;
    m_reader.requestFrame(m_current);
    updateLabels();
    emit currentFrameChanged(m_current);
}

void PlayerWidget::stepFrames(qint64 delta) {
    setSpeed(0);
    seek(m_current + delta);
}

void PlayerWidget::togglePlayback() {
    if (m_speed != 0) {
        setSpeed(0);
        return;
    }
    // Playing from the last frame of the range starts again at its first.
    if (m_current >= rangeLast()) {
        seek(rangeFirst());
    }
    setSpeed(1);
}

void PlayerWidget::pause() {
    setSpeed(0);
}

void PlayerWidget::shuttleForward() {
    setSpeed(m_speed <= 0 ? 1 : std::min(m_speed * 2, 8));
}

void PlayerWidget::shuttleReverse() {
    setSpeed(m_speed >= 0 ? -1 : std::max(m_speed * 2, -8));
}

void PlayerWidget::setInPoint(qint64 frame) {
    if (frameCount() <= 0) {
        return;
    }
    m_in = std::clamp<qint64>(frame, 0, frameCount() - 1);
    if (m_out >= 0 && m_out < m_in) {
        m_out = -1;
    }
    updateLabels();
    emit inOutChanged(m_in, m_out);
}

void PlayerWidget::setOutPoint(qint64 frame) {
    if (frameCount() <= 0) {
        return;
    }
    m_out = std::clamp<qint64>(frame, 0, frameCount() - 1);
    if (m_in >= 0 && m_in > m_out) {
        m_in = -1;
    }
    updateLabels();
    emit inOutChanged(m_in, m_out);
}

void PlayerWidget::clearInOut() {
    m_in = -1;
    m_out = -1;
    updateLabels();
    emit inOutChanged(m_in, m_out);
}

void PlayerWidget::setSpeed(int speed) {
    if (frameCount() <= 0) {
        speed = 0;
    }
    if (speed == m_speed) {
        return;
    }
    m_speed = speed;
    const double fps = m_reader.mediaInfo().fps > 0.0 ? m_reader.mediaInfo().fps : 25.0;
    if (m_speed == 0) {
        m_timer->stop();
    } else {
        m_timer->start(static_cast<int>(std::lround(1000.0 / fps)));
    }
    m_play->setIcon(
        style()->standardIcon(m_speed == 0 ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    updateLabels();
    emit playbackSpeedChanged(m_speed);
}

void PlayerWidget::onTimerTimeout() {
    if (m_waiting) {
        return;  // the decoder has not delivered the last frame yet
    }
    const qint64 next = m_current + (m_speed > 0 ? 1 : -1) * std::abs(m_speed);
    const qint64 first = rangeFirst();
    const qint64 last = rangeLast();
    if ((m_speed > 0 && m_current >= last) || (m_speed < 0 && m_current <= first)) {
        if (isLooping() && last > first) {
            seek(m_speed > 0 ? first : last);
        } else {
            setSpeed(0);
        }
        return;
    }
    seek(std::clamp(next, first, last));
}

bool PlayerWidget::isLooping() const {
    return m_loop->isChecked();
}

void PlayerWidget::setLooping(bool loop) {
    m_loop->setChecked(loop);
}

void PlayerWidget::onSliderValueChanged(int value) {
    setSpeed(0);
    seek(value);
}

void PlayerWidget::onReaderOpened(const MediaInfo& info) {
    setSpeed(0);
    m_in = -1;
    m_out = -1;
    m_current = 0;
    m_displayed = -1;
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, static_cast<int>(std::max<qint64>(info.frameCount - 1, 0)));
        m_slider->setValue(0);
    }
    m_slider->setEnabled(info.frameCount > 1);
    m_canvas->transform().fitToViewport();
    emit inOutChanged(m_in, m_out);
    seek(0);
}

void PlayerWidget::onReaderFrameDecoded(qint64 index, const QImage& image) {
    if (index != m_current) {
        return;
    }
    m_waiting = false;
    m_displayed = index;
    m_canvas->setImage(image);
}

void PlayerWidget::onReaderFrameCountCorrected(qint64 frameCount) {
    const QSignalBlocker block(m_slider);
    m_slider->setRange(0, static_cast<int>(std::max<qint64>(frameCount - 1, 0)));
    if (m_current >= frameCount) {
        seek(frameCount - 1);
    }
    m_waiting = false;
    updateLabels();
}

void PlayerWidget::updateLabels() {
    const double fps = m_reader.mediaInfo().fps;
    const qint64 count = frameCount();
    m_positionLabel->setText(count > 0 ? tr("%1  (frame %2 of %3)")
                                             .arg(formatTimecode(m_current, fps))
                                             .arg(m_current + 1)
                                             .arg(count)
                                       : QString());
    if (m_in < 0 && m_out < 0) {
        m_rangeLabel->setText(tr("In/out: whole clip"));
    } else {
        m_rangeLabel->setText(tr("In %1 · Out %2 (%3 frames)")
                                  .arg(rangeFirst() + 1)
                                  .arg(rangeLast() + 1)
                                  .arg(rangeLast() - rangeFirst() + 1));
    }
    m_speedLabel->setText(m_speed == 0  ? QString()
                          : m_speed > 0 ? tr("▶ %1×").arg(m_speed)
                                        : tr("◀ %1×").arg(-m_speed));
}

void PlayerWidget::retranslateUi() {
    m_play->setText(tr("Play / Pause"));
    m_pause->setText(tr("Pause"));
    m_shuttleForward->setText(tr("Shuttle forward"));
    m_shuttleReverse->setText(tr("Shuttle reverse"));
    m_next->setText(tr("Next frame"));
    m_previous->setText(tr("Previous frame"));
    m_first->setText(tr("First frame"));
    m_last->setText(tr("Last frame"));
    m_setIn->setText(tr("Set in point"));
    m_setOut->setText(tr("Set out point"));
    m_goIn->setText(tr("Go to in point"));
    m_goOut->setText(tr("Go to out point"));
    m_clearInOut->setText(tr("Clear in/out"));
    m_loop->setText(tr("Loop in/out range"));
    m_fit->setText(tr("Zoom to fit"));
    m_actualSize->setText(tr("Actual size (1:1)"));
    m_zoomIn->setText(tr("Zoom in"));
    m_zoomOut->setText(tr("Zoom out"));
    for (QAction* a : playbackActions() + zoomActions()) {
        a->setToolTip(QStringLiteral("%1 (%2)").arg(
            a->text(), a->shortcut().toString(QKeySequence::NativeText)));
    }
    m_slider->setToolTip(tr("Scrub through the clip"));
    m_canvas->setPlaceholderText(
        tr("Drop videos or folders of pictures here, or use File › Open.\n\nWheel: zoom · Drag: "
           "pan · Double-click: fit · Ctrl+drag or a click on a tile of the grid: preview that "
           "region at full settings"));
    updateLabels();
}

void PlayerWidget::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

}  // namespace ui
