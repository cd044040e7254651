// Lab 06: your file. Tasks 1 to 4 are marked TODO(task N).
// `./parlab grade worker-pool` checks your work.

#include "worker_pool.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace parlab::lab06 {

namespace {

// Reads exactly `bytes` bytes (a pipe may hand over less per read()). False at end-of-file
// before the first byte: the other side closed (a worker that died, a pool that ended).
bool read_record(int fd, void* data, std::size_t bytes) {
    auto* at = static_cast<char*>(data);
    std::size_t got = 0;
    while (got < bytes) {
        const ssize_t n = ::read(fd, at + got, bytes - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot read from a pool pipe");
        if (n == 0) {
            if (got == 0) return false;
            throw std::runtime_error("a pool pipe ended in the middle of a record");
        }
        got += static_cast<std::size_t>(n);
    }
    return true;
}

void write_record(int fd, const void* data, std::size_t bytes) {
    const auto* at = static_cast<const char*>(data);
    while (bytes > 0) {
        const ssize_t n = ::write(fd, at, bytes);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot write to a pool pipe");
        at += n;
        bytes -= static_cast<std::size_t>(n);
    }
}

// Sends a chunk to a worker; false when the worker has died (its task pipe has no reader left).
// Such a write raises SIGPIPE, which would end the whole program: it is blocked in this thread
// for the write, and one it raised is taken off again before the old mask returns.
bool send_chunk(int fd, const chunk_record& chunk) {
    sigset_t pipe_signal, old;
    ::sigemptyset(&pipe_signal);
    ::sigaddset(&pipe_signal, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
    bool sent = true;
    try {
        write_record(fd, &chunk, sizeof chunk);
    } catch (const std::system_error& error) {
        if (error.code().value() != EPIPE) {
            ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
            throw;
        }
        sent = false;
        const timespec now{};
        (void)::sigtimedwait(&pipe_signal, nullptr, &now);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return sent;
}

// A worker's life: take a chunk of task indices from the task pipe, run each task and send its
// record, until the pool closes the task pipe (end-of-file).
void worker_loop(const task_body& body, int tasks, int results) {
    chunk_record chunk;
    while (read_record(tasks, &chunk, sizeof chunk)) {
        for (std::uint64_t task = chunk.first; task < chunk.last; ++task) {
            result_record record;
            record.task = task;
            try {
                record.value = body(static_cast<std::size_t>(task));
                record.ok = 1;
            } catch (const std::exception& error) {
                std::strncpy(record.message, error.what(), max_message);
            } catch (...) {
                std::strncpy(record.message, "an exception that is not a std::exception", max_message);
            }
            write_record(results, &record, sizeof record);
        }
    }
}

}  // namespace

process_pool::process_pool(std::size_t workers, task_body body) : body_(std::move(body)) {
    if (workers == 0) throw std::invalid_argument("process_pool: workers must be at least 1");
    // Task 1: the workers are forked once, here, and live as long as the pool; each map only
    // sends them task indices.
    workers_.resize(workers);
    for (std::size_t w = 0; w < workers; ++w) start_worker(w);
}

process_pool::~process_pool() {
    // Closing a worker's task pipe is its signal to end; closing its result pipe makes a worker
    // still busy with a chunk die on its next write instead of blocking on a full pipe.
    for (worker& w : workers_) {
        w.tasks = unique_fd();
        w.results = unique_fd();
    }
    for (worker& w : workers_) {
        try {
            if (w.child.joinable()) (void)w.child.join();
        } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor never throws
        }
    }
}

void process_pool::start_worker(std::size_t index) {
    pipe_ends task_pipe = make_pipe();
    pipe_ends result_pipe = make_pipe();
    // The child must not keep the parent's ends of other workers' pipes: a copy of a task pipe's
    // write end would keep that worker from ever seeing end-of-file.
    std::vector<int> foreign = {task_pipe.write.get(), result_pipe.read.get()};
    for (std::size_t j = 0; j < workers_.size(); ++j) {
        if (j == index) continue;
        if (workers_[j].tasks) foreign.push_back(workers_[j].tasks.get());
        if (workers_[j].results) foreign.push_back(workers_[j].results.get());
    }
    const int tasks = task_pipe.read.get();
    const int results = result_pipe.write.get();
    workers_[index].child = process::start([this, foreign, tasks, results] {
        for (const int fd : foreign) ::close(fd);
        worker_loop(body_, tasks, results);
    });
    workers_[index].tasks = std::move(task_pipe.write);
    workers_[index].results = std::move(result_pipe.read);
    // task_pipe.read and result_pipe.write close here: only the child holds them now.
}

std::vector<double> process_pool::map(std::size_t tasks, std::size_t chunksize) {
    std::vector<double> values(tasks);
    std::size_t lowest_failed = tasks;
    std::string failure;
    // Task 1: results arrive in any order; each goes to its task's place.
    map_unordered(
        tasks,
        [&](const task_outcome& outcome) {
            if (outcome.ok) {
                values[outcome.task] = outcome.value;
            } else if (outcome.task < lowest_failed) {
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
    // Task 3: the queue holds chunks of consecutive tasks; an idle worker gets the next one.
    std::deque<chunk_record> queue;
    for (std::size_t first = 0; first < tasks; first += chunksize)
        queue.push_back({first, std::min(first + chunksize, tasks)});
    struct running {
        bool busy = false;
        std::uint64_t next = 0;  // the first task of its chunk not yet reported
        std::uint64_t last = 0;
    };
    std::vector<running> state(workers_.size());
    auto hand_out = [&](std::size_t w) {
        state[w].busy = !queue.empty();
        if (queue.empty()) return;
        const chunk_record chunk = queue.front();
        queue.pop_front();
        if (!send_chunk(workers_[w].tasks.get(), chunk)) {
            // it died while idle (killed from outside): a new worker takes its place and the chunk
            (void)workers_[w].child.join();
            workers_[w] = worker{};
            start_worker(w);
            if (!send_chunk(workers_[w].tasks.get(), chunk))
                throw std::runtime_error("worker " + std::to_string(w) + " died as soon as it was started");
        }
        state[w] = {true, chunk.first, chunk.last};
    };
    for (std::size_t w = 0; w < workers_.size(); ++w) hand_out(w);

    // Task 2: wait on every busy worker's result pipe at once (poll), and report whatever comes
    // first: the parent never waits on one worker while another has a result ready.
    std::size_t reported = 0;
    std::vector<pollfd> watched;
    std::vector<std::size_t> owner;
    while (reported < tasks) {
        watched.clear();
        owner.clear();
        for (std::size_t w = 0; w < workers_.size(); ++w) {
            if (!state[w].busy) continue;
            watched.push_back({workers_[w].results.get(), POLLIN, 0});
            owner.push_back(w);
        }
        if (watched.empty()) throw std::logic_error("map_unordered: tasks are left but no worker is busy");
        if (::poll(watched.data(), watched.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "cannot poll the workers' result pipes");
        }
        for (std::size_t i = 0; i < watched.size(); ++i) {
            if (watched[i].revents == 0) continue;
            const std::size_t w = owner[i];
            result_record record;
            task_outcome outcome;
            if (read_record(workers_[w].results.get(), &record, sizeof record)) {
                outcome.task = static_cast<std::size_t>(record.task);
                outcome.ok = record.ok != 0;
                outcome.value = record.value;
                if (!outcome.ok) outcome.error = describe_failure(outcome.task, record.message);
                state[w].next = record.task + 1;
                if (state[w].next == state[w].last) hand_out(w);
            } else {
                // Task 1: the worker died (end-of-file on its result pipe). Its current task
                // fails with how it ended; the rest of its chunk goes back to the queue; a new
                // worker takes its place and the pool keeps going.
                const exit_status status = workers_[w].child.join();
                outcome.task = static_cast<std::size_t>(state[w].next);
                outcome.error = describe_crash(outcome.task, w, status);
                if (state[w].next + 1 < state[w].last) queue.push_front({state[w].next + 1, state[w].last});
                workers_[w] = worker{};
                start_worker(w);
                hand_out(w);
            }
            ++reported;
            on_result(outcome);
        }
    }
}

double fit_serial_fraction(std::span<const speedup_point> points) {
    // Task 4: 1/S - 1/p = f (1 - 1/p) is a line through the origin in f; least squares gives
    // f = sum(a b) / sum(a a).
    double ab = 0;
    double aa = 0;
    for (const speedup_point& point : points) {
        if (!(point.speedup > 0) || point.workers == 0)
            throw std::invalid_argument("fit_serial_fraction: every speedup must be positive, every worker count >= 1");
        const double p = static_cast<double>(point.workers);
        const double a = 1.0 - 1.0 / p;
        const double b = 1.0 / point.speedup - 1.0 / p;
        ab += a * b;
        aa += a * a;
    }
    if (aa == 0) throw std::invalid_argument("fit_serial_fraction: needs a point with at least 2 workers");
    return ab / aa;
}

}  // namespace parlab::lab06
