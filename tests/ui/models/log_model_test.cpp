// LogModel and LogFilterModel (ui/models/log_model.*).

#include "ui/models/log_model.h"

#include "ui_test.h"

#include <QAbstractItemModelTester>
#include <QTest>

class LogModelTest : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void boundedAndFiltered() {
        ui::LogModel model(20);
        ui::LogFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QDateTime now = QDateTime::currentDateTime();
        for (int i = 0; i < 25; ++i) {
            model.append(now, i % 3 == 0 ? engine::LogLevel::Warning : engine::LogLevel::Info,
                         QStringLiteral("message %1").arg(i));
        }
        QVERIFY(model.rowCount() <= 20);
        QCOMPARE(
            model.data(model.index(model.rowCount() - 1, ui::LogModel::MessageColumn)).toString(),
            "message 24");
        filter.setMinimumLevel(engine::LogLevel::Warning);
        for (int r = 0; r < filter.rowCount(); ++r) {
            QCOMPARE(filter.data(filter.index(r, 0), ui::LogModel::LevelRole).toInt(),
                     int(engine::LogLevel::Warning));
        }
        QVERIFY(filter.rowCount() > 0);
        filter.setText("MESSAGE 24");
        QCOMPARE(filter.rowCount(), 1);
        QVERIFY(model.rowText(model.rowCount() - 1).endsWith(" [warning] message 24"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(filter.rowCount(), 0);
    }
};

FVSR_UI_TEST(LogModelTest)
#include "log_model_test.moc"
