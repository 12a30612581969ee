#pragma once
// The viewer: a frame canvas with transport controls. Frames come from a FrameReader (bridge),
// which decodes on its own thread. Playback advances only after the requested frame arrived,
// so a slow decoder slows playback down instead of skipping the display.
//
// Keys (window shortcuts of the actions below): Space play/pause, J/K/L shuttle (J and L
// again double the speed up to 8x), Left/Right one frame, Home/End, I/O set in/out points,
// Shift+I/Shift+O go to in/out (Up/Down stay with spin boxes), Alt+X clears them, Ctrl+L loops
// playback over the in..out range (FlashVSR's artefacts are temporal: they show in motion),
// F fit, 1 actual size, +/- zoom.
// Threads: UI thread only.

#include "ui/bridge/frame_reader.h"
#include "ui/widgets/image_canvas.h"

#include <QAction>
#include <QWidget>

class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace ui {

class PlayerWidget : public QWidget {
    Q_OBJECT
  public:
    // `reader` must outlive the widget.
    explicit PlayerWidget(FrameReader& reader, QWidget* parent = nullptr);

    qint64 currentFrame() const { return m_current; }
    qint64 frameCount() const;
    qint64 inPoint() const { return m_in; }    // -1 when unset
    qint64 outPoint() const { return m_out; }  // -1 when unset
    // The in..out range with unset ends replaced by the first / last frame.
    qint64 rangeFirst() const;
    qint64 rangeLast() const;
    int playbackSpeed() const { return m_speed; }  // 0 paused, negative = reverse
    ImageCanvas* canvas() const { return m_canvas; }

    // Every playback and zoom action, for menus and toolbars.
    QList<QAction*> playbackActions() const;
    QList<QAction*> zoomActions() const;
    QAction* playAction() const { return m_play; }
    QAction* loopAction() const { return m_loop; }
    // Looping: playback that reaches the end of the in..out range (the start, in reverse)
    // continues from the other end instead of stopping.
    bool isLooping() const;
    void setLooping(bool loop);

    void seek(qint64 frame);
    void stepFrames(qint64 delta);
    void togglePlayback();
    void pause();
    void shuttleForward();
    void shuttleReverse();
    void setInPoint(qint64 frame);
    void setOutPoint(qint64 frame);
    void clearInOut();

  signals:
    void currentFrameChanged(qint64 frame);
    void inOutChanged(qint64 inPoint, qint64 outPoint);
    void playbackSpeedChanged(int speed);

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void onReaderOpened(const ui::MediaInfo& info);
    void onReaderFrameDecoded(qint64 index, const QImage& image);
    void onReaderFrameCountCorrected(qint64 frameCount);
    void onTimerTimeout();
    void onSliderValueChanged(int value);
    void setSpeed(int speed);
    void updateLabels();
    void retranslateUi();
    QAction* makeAction(const QKeySequence& key);

    FrameReader& m_reader;
    ImageCanvas* m_canvas;
    QSlider* m_slider;
    QLabel* m_positionLabel;
    QLabel* m_rangeLabel;
    QLabel* m_speedLabel;
    QTimer* m_timer;
    qint64 m_current = 0;
    qint64 m_displayed = -1;
    qint64 m_in = -1;
    qint64 m_out = -1;
    int m_speed = 0;
    bool m_waiting = false;  // requested frame not displayed yet

    QAction* m_play;
    QAction* m_pause;
    QAction* m_shuttleForward;
    QAction* m_shuttleReverse;
    QAction* m_next;
    QAction* m_previous;
    QAction* m_first;
    QAction* m_last;
    QAction* m_setIn;
    QAction* m_setOut;
    QAction* m_goIn;
    QAction* m_goOut;
    QAction* m_clearInOut;
    QAction* m_loop;
    QAction* m_fit;
    QAction* m_actualSize;
    QAction* m_zoomIn;
    QAction* m_zoomOut;
};

// "00:01:02:03" (hours, minutes, seconds, frames) at `fps`; the frame number when fps <= 0.
QString formatTimecode(qint64 frame, double fps);

}  // namespace ui
