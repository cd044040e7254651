#pragma once
// Child processes made with fork(): the C++ counterpart of multiprocessing.Process and of
// Pool.map over chunks. A child shares nothing with its parent but memory mapped as shared
// (see shared_memory.hpp) before the fork.

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/shared_memory.hpp"

namespace parlab {

/// How a child process ended.
struct exit_status {
    bool exited = false;    ///< true: it called exit/_exit or returned; `code` holds the code
    int code = 0;
    bool signaled = false;  ///< true: a signal killed it; `signal` holds the number
    int signal = 0;
    std::string error;      ///< the message of an exception the child's function threw

    [[nodiscard]] bool ok() const noexcept { return exited && code == 0; }
    /// "exited with code 3", "killed by signal SIGSEGV (Segmentation fault)", ...
    [[nodiscard]] std::string describe() const;
};

/// Builds an exit_status from a waitpid() status word.
[[nodiscard]] exit_status exit_status_from_wait(int wait_status);

/// "SIGSEGV" for 11 and so on; "signal N" for one without a name.
[[nodiscard]] std::string signal_name(int signal);

/// A child process that failed: it threw, exited non-zero or was killed by a signal.
class process_error : public std::runtime_error {
public:
    process_error(const std::string& what, exit_status status)
        : std::runtime_error(what), status_(std::move(status)) {}
    [[nodiscard]] const exit_status& status() const noexcept { return status_; }

private:
    exit_status status_;
};

/// A forked child running one function. The child ends with _exit: 0 when the function
/// returns, 1 when it throws (the message reaches the parent), so no destructor or atexit
/// handler of the parent runs twice. Move-only; the destructor kills and reaps a child that was
/// never joined.
class process {
public:
    process() = default;
    /// Forks a child that runs `body()`. Throws std::system_error when fork fails.
    [[nodiscard]] static process start(std::function<void()> body);

    process(process&& other) noexcept;
    process& operator=(process&& other) noexcept;
    process(const process&) = delete;
    process& operator=(const process&) = delete;
    ~process();

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    [[nodiscard]] bool joinable() const noexcept { return pid_ > 0; }
    /// Waits for the child to end and tells how. Throws std::logic_error when not joinable.
    exit_status join();
    /// join(), then throws process_error when the child did not end with code 0.
    void join_or_throw();

private:
    pid_t pid_ = 0;
    int error_fd_ = -1;  // read end of a pipe carrying the child's exception message
};

/// Calls body(task) once for every task in [0, tasks) across `workers` forked processes that
/// take tasks one at a time from a shared counter (like Pool.map with chunks). It replaces
///     for (std::size_t task = 0; task < tasks; ++task) body(task);
/// Results travel back only through shared memory made before the call. Throws process_error
/// naming the first worker that failed, after every worker has ended.
void fork_for_each(std::size_t tasks, std::size_t workers, const std::function<void(std::size_t)>& body);

/// Like fork_for_each, but body(task) returns a value that comes back in task order.
/// T must be trivially copyable: it travels through a shared array.
template <class T, class Body>
[[nodiscard]] std::vector<T> fork_map(std::size_t tasks, std::size_t workers, Body&& body) {
    shared_array<T> results(tasks);
    fork_for_each(tasks, workers, [&](std::size_t task) { results[task] = body(task); });
    return {results.begin(), results.end()};
}

}  // namespace parlab
