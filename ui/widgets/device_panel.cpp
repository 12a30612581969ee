#include "ui/widgets/device_panel.h"

#include <QCheckBox>
#include <QEvent>
#include <QFrame>
#include <QLabel>
#include <QProgressBar>
#include <QScrollArea>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace ui {
namespace {

const QColor kGraphColors[] = {QColor(0x4c, 0x9a, 0xff), QColor(0xff, 0x8c, 0x42),
                               QColor(0x5c, 0xd6, 0x7a), QColor(0xe0, 0x5a, 0xb8),
                               QColor(0xf2, 0xd0, 0x4b), QColor(0x9b, 0x7b, 0xff),
                               QColor(0x3c, 0xd0, 0xd0), QColor(0xd9, 0x53, 0x4f)};

QCustomPlot* makePlot(QWidget* parent) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumHeight(110);
    plot->yAxis->setRange(0, 100);
    plot->xAxis->setRange(-120, 0);
    plot->setBackground(Qt::transparent);
    plot->axisRect()->setBackground(Qt::transparent);
    const QColor text = parent->palette().color(QPalette::WindowText);
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(QColor(128, 128, 128, 60)));
    }
    plot->legend->setVisible(false);
    return plot;
}

}  // namespace

DevicePanel::DevicePanel(DeviceListModel& model, QWidget* parent)
    : QWidget(parent), m_model(model) {
    m_clock.start();
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    auto* cards = new QWidget(this);
    m_cardLayout = new QVBoxLayout(cards);
    m_cardLayout->setContentsMargins(0, 0, 0, 0);
    m_memoryPlot = makePlot(this);
    m_loadPlot = makePlot(this);
    m_throughputPlot = makePlot(this);
    m_throughputPlot->yAxis->setRange(0, 1);
    // Opaque: it is often the only plot shown (CPU machines), and a transparent QCustomPlot
    // buffer shows stale pixels in window grabs.
    m_throughputPlot->setBackground(palette().color(QPalette::Window));
    m_throughputPlot->setVisible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_status);
    layout->addWidget(cards);
    layout->addWidget(m_memoryPlot, 1);
    layout->addWidget(m_loadPlot, 1);
    layout->addWidget(m_throughputPlot, 1);

    connect(&m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex&, const QModelIndex&, const QList<int>& roles) {
                // A tick is no new poll: no plot sample.
                if (roles == QList<int>{Qt::CheckStateRole}) {
                    updateCards();
                } else {
                    onModelChanged();
                }
            });
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &DevicePanel::onModelChanged);
    connect(&m_model, &QAbstractItemModel::rowsRemoved, this, &DevicePanel::onModelChanged);
    connect(&m_model, &QAbstractItemModel::modelReset, this, &DevicePanel::onModelChanged);
    rebuildCards();
    retranslateUi();
}

void DevicePanel::setDeviceJobs(const QMap<QString, QString>& jobsByDevice) {
    if (jobsByDevice == m_deviceJobs) {
        return;
    }
    m_deviceJobs = jobsByDevice;
    updateCards();
}

QString DevicePanel::cardJobText(int row) const {
    return row >= 0 && row < m_cards.size() ? m_cards.at(row).job->text() : QString();
}

QCheckBox* DevicePanel::useCheckBox(int row) const {
    return row >= 0 && row < m_cards.size() ? m_cards.at(row).use : nullptr;
}

QString DevicePanel::statusText() const {
    return m_status->text();
}

int DevicePanel::historyLength(int row) const {
    return row >= 0 && row < m_history.size() ? static_cast<int>(m_history.at(row).seconds.size())
                                              : 0;
}

void DevicePanel::addThroughputSample(const QString& device, double fps) {
    const double now = m_clock.elapsed() / 1000.0;
    int series = -1;
    for (int i = 0; i < m_throughput.size(); ++i) {
        if (m_throughput.at(i).device == device) {
            series = i;
        }
    }
    if (series < 0) {
        series = static_cast<int>(m_throughput.size());
        m_throughput.append(Throughput{device, {}, {}});
        QCPGraph* g = m_throughputPlot->addGraph();
        g->setPen(QPen(kGraphColors[series % int(std::size(kGraphColors))], 2));
        g->setName(device);
        m_throughputPlot->legend->setVisible(true);
    }
    Throughput& t = m_throughput[series];
    t.seconds.append(now);
    t.fps.append(fps);
    if (t.seconds.size() > kHistorySamples) {
        t.seconds.removeFirst();
        t.fps.removeFirst();
    }
    double peak = 1.0;
    for (int i = 0; i < m_throughput.size(); ++i) {
        const Throughput& s = m_throughput.at(i);
        QVector<double> ago(s.seconds.size());
        for (int k = 0; k < s.seconds.size(); ++k) {
            ago[k] = s.seconds.at(k) - now;
            peak = std::max(peak, s.fps.at(k));
        }
        m_throughputPlot->graph(i)->setData(ago, s.fps, true);
    }
    m_throughputPlot->yAxis->setRange(0, peak * 1.15);
    m_throughputPlot->setVisible(true);
    m_throughputPlot->replot(QCustomPlot::rpQueuedReplot);
}

int DevicePanel::throughputSampleCount(const QString& device) const {
    for (const Throughput& t : m_throughput) {
        if (t.device == device) {
            return static_cast<int>(t.seconds.size());
        }
    }
    return 0;
}

bool DevicePanel::throughputPlotVisible() const {
    return m_throughputPlot->isVisibleTo(this);
}

void DevicePanel::onModelChanged() {
    if (m_cards.size() != m_model.rowCount()) {
        rebuildCards();
    }
    recordSample();
    updateCards();
    updatePlots();
    retranslateUi();
}

void DevicePanel::rebuildCards() {
    for (const Card& c : std::as_const(m_cards)) {
        delete c.frame;
    }
    m_cards.clear();
    m_history.clear();
    m_memoryPlot->clearGraphs();
    m_loadPlot->clearGraphs();
    for (int row = 0; row < m_model.rowCount(); ++row) {
        Card c;
        auto* frame = new QFrame(this);
        frame->setFrameShape(QFrame::StyledPanel);
        auto* l = new QVBoxLayout(frame);
        c.frame = frame;
        c.name = new QLabel(frame);
        QFont bold = c.name->font();
        bold.setBold(true);
        c.name->setFont(bold);
        c.memory = new QProgressBar(frame);
        c.memory->setRange(0, 1000);
        c.details = new QLabel(frame);
        c.job = new QLabel(frame);
        c.job->setTextInteractionFlags(Qt::TextSelectableByMouse);
        c.use = new QCheckBox(frame);
        connect(c.use, &QCheckBox::toggled, this, [this, row](bool checked) {
            m_model.setData(m_model.index(row, DeviceListModel::NameColumn),
                            checked ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
            // A refused change (the last GPU) puts the box back.
            updateCards();
        });
        l->addWidget(c.name);
        l->addWidget(c.memory);
        l->addWidget(c.details);
        l->addWidget(c.job);
        l->addWidget(c.use);
        m_cardLayout->addWidget(frame);
        m_cards.append(c);
        m_history.append(History{});
        const QColor color = kGraphColors[row % int(std::size(kGraphColors))];
        for (QCustomPlot* plot : {m_memoryPlot, m_loadPlot}) {
            QCPGraph* g = plot->addGraph();
            g->setPen(QPen(color, 2));
        }
    }
}

void DevicePanel::updateCards() {
    for (int row = 0; row < m_cards.size(); ++row) {
        const Card& c = m_cards.at(row);
        const engine::gpu::DeviceStatus& d = m_model.device(row);
        c.name->setText(m_model.data(m_model.index(row, DeviceListModel::NameColumn)).toString());
        {
            const QSignalBlocker block(c.use);
            c.use->setChecked(m_model.isUsedByQueue(row));
        }
        const QString device = QStringLiteral("cuda:%1").arg(d.index);
        c.job->setText(m_deviceJobs.contains(device)
                           ? tr("Current job: %1").arg(m_deviceJobs.value(device))
                           : tr("Idle"));
        c.use->setText(tr("Use for the queue"));
        c.use->setToolTip(tr("Jobs of the queue run on the ticked GPUs, one worker each."));
        const double fraction = d.memory_total_bytes > 0
                                    ? static_cast<double>(d.memory_used_bytes) /
                                          static_cast<double>(d.memory_total_bytes)
                                    : 0.0;
        c.memory->setValue(static_cast<int>(fraction * 1000.0));
        c.memory->setFormat(
            tr("Memory: %1")
                .arg(m_model.data(m_model.index(row, DeviceListModel::MemoryColumn)).toString()));
        c.details->setText(
            tr("Load %1 · %2 · %3")
                .arg(
                    m_model.data(m_model.index(row, DeviceListModel::UtilizationColumn)).toString(),
                    m_model.data(m_model.index(row, DeviceListModel::TemperatureColumn)).toString(),
                    m_model.data(m_model.index(row, DeviceListModel::PowerColumn)).toString()));
    }
}

void DevicePanel::recordSample() {
    const double now = m_clock.elapsed() / 1000.0;
    for (int row = 0; row < m_history.size() && row < m_model.rowCount(); ++row) {
        const engine::gpu::DeviceStatus& d = m_model.device(row);
        History& h = m_history[row];
        h.seconds.append(now);
        h.memoryPercent.append(d.memory_total_bytes > 0
                                   ? 100.0 * static_cast<double>(d.memory_used_bytes) /
                                         static_cast<double>(d.memory_total_bytes)
                                   : 0.0);
        h.loadPercent.append(d.utilization_percent >= 0 ? d.utilization_percent : 0.0);
        if (h.seconds.size() > kHistorySamples) {
            h.seconds.removeFirst();
            h.memoryPercent.removeFirst();
            h.loadPercent.removeFirst();
        }
    }
}

void DevicePanel::updatePlots() {
    const double now = m_clock.elapsed() / 1000.0;
    for (int row = 0; row < m_history.size(); ++row) {
        const History& h = m_history.at(row);
        QVector<double> ago(h.seconds.size());
        for (int i = 0; i < h.seconds.size(); ++i) {
            ago[i] = h.seconds.at(i) - now;
        }
        if (row < m_memoryPlot->graphCount()) {
            m_memoryPlot->graph(row)->setData(ago, h.memoryPercent, true);
            m_loadPlot->graph(row)->setData(ago, h.loadPercent, true);
        }
    }
    m_memoryPlot->replot(QCustomPlot::rpQueuedReplot);
    m_loadPlot->replot(QCustomPlot::rpQueuedReplot);
}

void DevicePanel::retranslateUi() {
    m_memoryPlot->yAxis->setLabel(tr("Memory %"));
    m_loadPlot->yAxis->setLabel(tr("Load %"));
    m_memoryPlot->xAxis->setLabel(tr("Seconds"));
    m_loadPlot->xAxis->setLabel(tr("Seconds"));
    m_throughputPlot->yAxis->setLabel(tr("Frames/s"));
    m_throughputPlot->xAxis->setLabel(tr("Seconds"));
    if (!m_model.driverAvailable()) {
        m_status->setText(
            tr("No NVIDIA driver found (%1). FlashVSR will run on the CPU, which is very slow; "
               "classic scalers are unaffected.")
                .arg(m_model.driverProblem().isEmpty() ? tr("NVML not available")
                                                       : m_model.driverProblem()));
    } else if (m_model.rowCount() == 0) {
        m_status->setText(tr("The NVIDIA driver %1 reports no GPU.").arg(m_model.driverVersion()));
    } else {
        m_status->setText(tr("NVIDIA driver %1 · %n GPU(s)", nullptr, m_model.rowCount())
                              .arg(m_model.driverVersion()));
    }
    const bool plots = m_model.rowCount() > 0;
    m_memoryPlot->setVisible(plots);
    m_loadPlot->setVisible(plots);
}

void DevicePanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) {
        m_throughputPlot->setBackground(palette().color(QPalette::Window));
        const QColor text = palette().color(QPalette::WindowText);
        for (QCPAxis* axis : {m_throughputPlot->xAxis, m_throughputPlot->yAxis}) {
            axis->setBasePen(QPen(text));
            axis->setTickPen(QPen(text));
            axis->setSubTickPen(QPen(text));
            axis->setTickLabelColor(text);
            axis->setLabelColor(text);
        }
        m_throughputPlot->replot(QCustomPlot::rpQueuedReplot);
    }
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        updateCards();
    }
    QWidget::changeEvent(event);
}

}  // namespace ui
