#pragma once
// Child processes made with fork(): the C++ counterpart of multiprocessing.Process and of
// Pool.map over chunks. A child shares nothing with its parent but memory mapped as shared
// (see shared_memory.hpp) before the fork.

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
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

/// Joins every process of `children`, also after one of them failed, then throws the first
/// failure as join_or_throw does: no child is left running or unreaped when it throws.
void join_all(std::vector<process>& children);

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

/// How a call made under a time limit (run_with_time_limit, call_with_time_limit) ended.
enum class limited_end {
    returned,   ///< the function returned
    threw,      ///< it threw; the message is the exception's
    timed_out,  ///< it was still running when the time ran out: its whole process group was killed
    crashed,    ///< the child ended otherwise (a signal, or a non-zero exit); the message says how
};

/// What run_with_time_limit reports.
struct limited_run {
    limited_end end = limited_end::returned;
    std::string message;  ///< the exception's message (threw) or how the child ended (crashed)
};

/// Runs body() in a forked child and waits for it at most `seconds` (checking every 0.2 ms).
/// The child leads a process group of its own, so on time-out the whole group is killed with
/// SIGKILL: threads and any processes the body started end with it. A crash or a hang in
/// body() therefore never takes the caller down. Standard output is flushed before the fork
/// so that buffered text is not printed twice. The body's results must travel back through
/// shared memory made before the call (see call_with_time_limit).
[[nodiscard]] limited_run run_with_time_limit(const std::function<void()>& body, double seconds);

/// The result of call_with_time_limit: the value when the call returned, else why not.
template <class T>
struct limited_result {
    std::optional<T> value;  ///< set only when end == limited_end::returned
    limited_end end = limited_end::returned;
    std::string message;     ///< as in limited_run
};

/// Like run_with_time_limit, for a body that returns a value: the value (trivially copyable)
/// comes back through a shared slot. Typical use, running untrusted code in a demo:
///     const auto got = parlab::call_with_time_limit<double>(10.0, [&] { return student_code(); });
///     if (got.value) use(*got.value); else report(got.end, got.message);
template <class T, class Body>
[[nodiscard]] limited_result<T> call_with_time_limit(double seconds, Body&& body) {
    static_assert(std::is_trivially_copyable_v<T>, "the result crosses a process boundary: T must be trivially copyable");
    shared_value<T> slot{};
    limited_run run = run_with_time_limit([&] { *slot = body(); }, seconds);
    limited_result<T> result;
    result.end = run.end;
    result.message = std::move(run.message);
    if (run.end == limited_end::returned) result.value = *slot;
    return result;
}

}  // namespace parlab
