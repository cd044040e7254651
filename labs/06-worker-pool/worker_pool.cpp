// Lab 06: your file. Tasks 1 to 4 are marked TODO(task N).
// `./parlab grade worker-pool` checks your work.

#include "worker_pool.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace parlab::lab06 {

process_pool::process_pool(std::size_t workers, task_body body) : body_(std::move(body)) {
    if (workers == 0) throw std::invalid_argument("process_pool: workers must be at least 1");
    // TODO(task 1): no worker is started: every task runs in the caller (see map_unordered).
    // Fork the workers here, once, with start_worker; each map only sends them task indices.
    workers_.resize(workers);
}

process_pool::~process_pool() {
    // TODO(task 1): end the workers: close each one's task pipe (end-of-file tells it to stop)
    // and its result pipe, then join each child. A destructor never throws.
}

void process_pool::start_worker(std::size_t index) {
    // TODO(task 1): make a task pipe and a result pipe (parlab::make_pipe), fork the worker with
    // parlab::process::start, and keep the parent's ends in workers_[index]. In the child, close
    // the parent's ends, also those of the other workers, then loop: read a chunk_record from the
    // task pipe, run body_ on each of its tasks and write one result_record per task (catch what
    // the body throws and send its what()), until end-of-file. read() and write() may move fewer
    // bytes than asked: loop.
    (void)index;
}

std::vector<double> process_pool::map(std::size_t tasks, std::size_t chunksize) {
    std::vector<double> values;
    std::size_t lowest_failed = tasks;
    std::string failure;
    // TODO(task 1): this keeps the values in the order they are reported, which is input order
    // only while everything runs in one process. Put each value at its task's place.
    map_unordered(
        tasks,
        [&](const task_outcome& outcome) {
            values.push_back(outcome.value);
            if (!outcome.ok && outcome.task < lowest_failed) {
                lowest_failed = outcome.task;
                failure = outcome.error;
            }
        },
        chunksize);
    if (lowest_failed < tasks) throw task_error(failure, lowest_failed);
    return values;
}

void process_pool::map_unordered(std::size_t tasks, const std::function<void(const task_outcome&)>& on_result,
                                 std::size_t chunksize) {
    if (chunksize == 0) throw std::invalid_argument("map_unordered: chunksize must be at least 1");
    // TODO(task 1): every task runs here, in the caller, one after another. Hand the tasks to the
    // workers through their task pipes and report each result record that comes back with
    // on_result (map, above, needs this too). A worker whose result pipe ends (read() returns 0)
    // died: join it, fail its current task with describe_crash, put the rest of its chunk back,
    // and start a new worker.
    // TODO(task 2): a slow task must not hold back the others: wait on all busy workers' result
    // pipes at once (poll), report each record as it arrives, and give an idle worker the next
    // chunk at once.
    // TODO(task 3): chunks of `chunksize` consecutive tasks; this ignores chunksize.
    (void)chunksize;
    for (std::size_t task = 0; task < tasks; ++task) {
        task_outcome outcome;
        outcome.task = task;
        try {
            outcome.value = body_(task);
            outcome.ok = true;
        } catch (const std::exception& error) {
            outcome.error = describe_failure(task, error.what());
        }
        on_result(outcome);
    }
}

double fit_serial_fraction(std::span<const speedup_point> points) {
    // TODO(task 4): fit Amdahl's serial fraction by least squares as worker_pool.hpp defines it,
    // and refuse points without information (see the header).
    (void)points;
    throw std::logic_error("fit_serial_fraction is not written yet (task 4)");
}

}  // namespace parlab::lab06
