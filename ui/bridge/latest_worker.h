#pragma once
// The background thread of a renderer that runs one job at a time for a QObject: start() joins
// the previous job's thread (the owner cancels that job first) and runs the next; post() hands a
// function to the owner's thread, where it runs only if no newer job has started since, so the
// results of a superseded job never reach the UI.
//
// Threads: start(), join() and the posted functions run on the owner's thread; post() is called
// from the job. The owner keeps the worker as a member and cancels + joins in its destructor.

#include <QMetaObject>
#include <QObject>

#include <thread>
#include <utility>

namespace ui {

class LatestWorker {
  public:
    explicit LatestWorker(QObject* owner) : m_owner(owner) {}
    ~LatestWorker() { join(); }
    LatestWorker(const LatestWorker&) = delete;
    LatestWorker& operator=(const LatestWorker&) = delete;

    // Joins the previous job, then runs job(generation) on a new thread.
    template <typename Job>
    void start(Job job) {
        join();
        const quint64 generation = ++m_generation;
        m_thread = std::thread([job = std::move(job), generation]() mutable { job(generation); });
    }

    // Queues `function` to the owner's thread for the job of `generation`.
    template <typename Function>
    void post(quint64 generation, Function function) {
        QMetaObject::invokeMethod(
            m_owner,
            [this, generation, function = std::move(function)]() mutable {
                if (generation == m_generation) {
                    function();
                }
            },
            Qt::QueuedConnection);
    }

    void join() {
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

  private:
    QObject* m_owner;
    std::thread m_thread;
    quint64 m_generation = 0;
};

}  // namespace ui
