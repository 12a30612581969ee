#pragma once
// The Log dock: engine messages (through EngineBridge) with a minimum-level filter, a text
// filter, Save (plain text, every row the filter shows) and Clear. Threads: UI thread only.

#include "ui/models/log_model.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;

namespace ui {

class LogPanel : public QWidget {
    Q_OBJECT
  public:
    // `model` must outlive the panel.
    explicit LogPanel(LogModel& model, QWidget* parent = nullptr);

    LogFilterModel* filterModel() const { return m_filter; }
    void setMinimumLevel(engine::LogLevel level);
    // Writes the rows the filter shows, oldest first; false with a reason in *error.
    bool saveTo(const QString& path, QString* error) const;

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void onSaveClicked();
    void retranslateUi();

    LogModel& m_model;
    LogFilterModel* m_filter;
    QComboBox* m_level;
    QLineEdit* m_search;
    QPushButton* m_save;
    QPushButton* m_clear;
    QTableView* m_view;
};

}  // namespace ui
