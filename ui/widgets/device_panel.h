#pragma once
// The Devices dock: a card per NVIDIA GPU (name, memory used / total, load, temperature, and a
// "Use for the queue" tick bound to DeviceListModel's check state) and
// QCustomPlot charts of memory use and load over the last minutes. Fed by a DeviceListModel
// (which EngineBridge's NVML polling updates); without an NVIDIA driver or GPU it says so.
// A third chart shows the queue's throughput (frames per second per worker device), fed by
// JobRunner::throughputSampled; it appears with the first sample, GPU or not.
// Threads: UI thread only.

#include "ui/models/device_list_model.h"

#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QString>
#include <QVector>
#include <QWidget>

class QCheckBox;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QVBoxLayout;

namespace ui {

class DevicePanel : public QWidget {
    Q_OBJECT
  public:
    static constexpr int kHistorySamples = 600;

    // `model` must outlive the panel.
    explicit DevicePanel(DeviceListModel& model, QWidget* parent = nullptr);

    int cardCount() const { return static_cast<int>(m_cards.size()); }
    // What each worker runs now: device ("cuda:0") -> job names; cards of other GPUs say idle.
    void setDeviceJobs(const QMap<QString, QString>& jobsByDevice);
    // The card's current-job line (tests, screenshots); "" for a row without a card.
    QString cardJobText(int row) const;
    // The card's "Use for the queue" box (tests), null for a row without a card.
    QCheckBox* useCheckBox(int row) const;
    QString statusText() const;
    int historyLength(int row) const;

    // One throughput sample of a worker device ("cpu", "cuda:0"), in frames per second.
    void addThroughputSample(const QString& device, double fps);
    int throughputSampleCount(const QString& device) const;
    bool throughputPlotVisible() const;

  protected:
    void changeEvent(QEvent* event) override;

  private:
    struct Card {
        QWidget* frame = nullptr;
        QLabel* name = nullptr;
        QProgressBar* memory = nullptr;
        QLabel* details = nullptr;
        QLabel* job = nullptr;
        QCheckBox* use = nullptr;
    };
    struct Throughput {
        QString device;
        QVector<double> seconds;
        QVector<double> fps;
    };
    struct History {
        QVector<double> seconds;
        QVector<double> memoryPercent;
        QVector<double> loadPercent;
    };
    void onModelChanged();
    void rebuildCards();
    void updateCards();
    void recordSample();
    void updatePlots();
    void retranslateUi();

    DeviceListModel& m_model;
    QLabel* m_status;
    QVBoxLayout* m_cardLayout;
    QList<Card> m_cards;
    QCustomPlot* m_memoryPlot;
    QCustomPlot* m_loadPlot;
    QCustomPlot* m_throughputPlot;
    QList<Throughput> m_throughput;
    QList<History> m_history;
    QElapsedTimer m_clock;
    QMap<QString, QString> m_deviceJobs;
};

}  // namespace ui
