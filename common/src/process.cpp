#include "parlab/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "parlab/system_error.hpp"

namespace parlab {
namespace {

constexpr std::size_t max_error_message = 4096;

void write_all(int fd, const char* data, std::size_t size) noexcept {
    while (size > 0) {
        const ssize_t n = detail::retry_on_eintr([&] { return ::write(fd, data, size); });
        if (n <= 0) return;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

std::string read_all(int fd) {
    std::string text;
    char buffer[512];
    for (;;) {
        const ssize_t n = detail::retry_on_eintr([&] { return ::read(fd, buffer, sizeof buffer); });
        if (n <= 0) break;
        if (text.size() < max_error_message) text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

}  // namespace

std::string signal_name(int signal) {
    const char* abbrev = sigabbrev_np(signal);
    return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

std::string exit_status::describe() const {
    std::string text;
    if (signaled) {
        const char* what = sigdescr_np(signal);
        text = "killed by signal " + signal_name(signal) + (what != nullptr ? std::string(" (") + what + ")" : "");
    } else if (exited) {
        text = "exited with code " + std::to_string(code);
    } else {
        text = "has not ended";
    }
    if (!error.empty()) text += ": " + error;
    return text;
}

exit_status exit_status_from_wait(int wait_status) {
    exit_status status;
    if (WIFEXITED(wait_status)) {
        status.exited = true;
        status.code = WEXITSTATUS(wait_status);
    } else if (WIFSIGNALED(wait_status)) {
        status.signaled = true;
        status.signal = WTERMSIG(wait_status);
    }
    return status;
}

process process::start(std::function<void()> body) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) detail::throw_errno("cannot make a pipe for a child process");
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int saved = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::system_error(saved, std::generic_category(), "cannot fork a child process");
    }
    if (pid == 0) {
        ::close(fds[0]);
        // A crash in the child must end the child, to be reported to the parent: drop crash
        // handlers inherited from the parent (a test framework's, for example).
        for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGTERM, SIGINT})
            ::signal(sig, SIG_DFL);
        int code = 0;
        try {
            body();
        } catch (const std::exception& error) {
            write_all(fds[1], error.what(), std::strlen(error.what()));
            code = 1;
        } catch (...) {
            const char message[] = "unknown exception";
            write_all(fds[1], message, sizeof message - 1);
            code = 1;
        }
        ::_exit(code);  // skip the parent's destructors and atexit handlers
    }
    ::close(fds[1]);
    process child;
    child.pid_ = pid;
    child.error_fd_ = fds[0];
    return child;
}

process::process(process&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)), error_fd_(std::exchange(other.error_fd_, -1)) {}

process& process::operator=(process&& other) noexcept {
    if (this != &other) {
        process previous(std::move(*this));
        pid_ = std::exchange(other.pid_, 0);
        error_fd_ = std::exchange(other.error_fd_, -1);
    }
    return *this;
}

process::~process() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int ignored = 0;
        detail::retry_on_eintr([&] { return ::waitpid(pid_, &ignored, 0); });
    }
    if (error_fd_ >= 0) ::close(error_fd_);
}

exit_status process::join() {
    if (pid_ <= 0) throw std::logic_error("process::join: no child to join");
    // Read the message first: a child blocked on a full pipe would never exit.
    std::string error = read_all(error_fd_);
    int wait_status = 0;
    if (detail::retry_on_eintr([&] { return ::waitpid(pid_, &wait_status, 0); }) < 0)
        detail::throw_errno("cannot wait for child " + std::to_string(pid_));
    ::close(std::exchange(error_fd_, -1));
    pid_ = 0;
    exit_status status = exit_status_from_wait(wait_status);
    status.error = std::move(error);
    return status;
}

void process::join_or_throw() {
    const pid_t pid = pid_;
    exit_status status = join();
    if (!status.ok()) throw process_error("child process " + std::to_string(pid) + " " + status.describe(), status);
}

void join_all(std::vector<process>& children) {
    std::exception_ptr first_error;
    for (process& child : children) {
        try {
            child.join_or_throw();
        } catch (...) {
            if (!first_error) first_error = std::current_exception();
        }
    }
    if (first_error) std::rethrow_exception(first_error);
}

void fork_for_each(std::size_t tasks, std::size_t workers, const std::function<void(std::size_t)>& body) {
    if (workers == 0) throw std::invalid_argument("fork_for_each: needs at least one worker");
    if (tasks == 0) return;
    if (workers > tasks) workers = tasks;
    static_assert(std::atomic<std::size_t>::is_always_lock_free, "a shared counter needs lock-free atomics");
    shared_value<std::atomic<std::size_t>> next(0);
    std::vector<process> children;
    children.reserve(workers);
    for (std::size_t w = 0; w < workers; ++w) {
        children.push_back(process::start([&] {
            for (std::size_t task = next->fetch_add(1); task < tasks; task = next->fetch_add(1)) body(task);
        }));
    }
    std::optional<process_error> first_failure;
    for (std::size_t w = 0; w < children.size(); ++w) {
        const pid_t pid = children[w].pid();
        exit_status status = children[w].join();
        if (!status.ok() && !first_failure)
            first_failure.emplace("worker " + std::to_string(w) + " (pid " + std::to_string(pid) + ") " +
                                      status.describe(),
                                  status);
    }
    if (first_failure) throw *first_failure;
}

limited_run run_with_time_limit(const std::function<void()>& body, double seconds) {
    std::fflush(nullptr);
    process child = process::start([&] {
        ::setpgid(0, 0);
        body();
    });
    // Both sides set the group: whichever runs first, the group exists before the parent could
    // need to kill it.
    ::setpgid(child.pid(), child.pid());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        siginfo_t info{};
        // WNOWAIT: look without reaping, so that join() below still collects the status.
        if (::waitid(P_PID, static_cast<id_t>(child.pid()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid != 0)
            break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-child.pid(), SIGKILL);
            ::kill(child.pid(), SIGKILL);  // in case the group was never made
            (void)child.join();
            return {limited_end::timed_out, ""};
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const exit_status status = child.join();
    if (status.ok()) return {limited_end::returned, ""};
    if (status.exited && !status.error.empty()) return {limited_end::threw, status.error};
    return {limited_end::crashed, status.describe()};
}

}  // namespace parlab
