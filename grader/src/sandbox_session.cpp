// A long-lived run the grader talks to over fd 3/4 (sandbox.hpp's sandbox_session).

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "parlab/system_error.hpp"
#include "process_table.hpp"
#include "sandbox.hpp"
#include "sandbox_internal.hpp"

namespace parlab::grader {

using namespace sandbox_detail;
using clock = std::chrono::steady_clock;

sandbox_session::sandbox_session(run_request request) : request_(std::move(request)) {
    request_.control_channel = true;
    child_fds fds;
    isolated_ = isolated(request_);
    memory_ = memory_group_for(request_);
    pid_ = spawn(request_, fds, isolated_, memory_.get());
    output_fd_ = fds.output;
    control_fd_ = fds.control;
    command_fd_ = fds.command;
    live_sessions().push_back(pid_);
}

sandbox_session::~sandbox_session() {
    if (!finished_) (void)finish();
}

void sandbox_session::pump(int timeout_ms) {
    pollfd polls[2] = {{output_fd_, POLLIN, 0}, {control_fd_, POLLIN, 0}};
    if (::poll(polls, 2, timeout_ms) <= 0) return;
    std::size_t ignored_total = 0;
    bool at_end = false;
    if (polls[0].revents != 0 && output_fd_ >= 0) {
        (void)drain(output_fd_, result_.output, request_.output_cap, ignored_total, &at_end);
        if (at_end) {
            ::close(output_fd_);
            output_fd_ = -1;
        }
    }
    if (polls[1].revents != 0 && control_fd_ >= 0) {
        std::string chunk;
        (void)drain(control_fd_, chunk, 1 << 20, ignored_total, &at_end);
        if (at_end) {
            ::close(control_fd_);
            control_fd_ = -1;
        }
        control_buffer_ += chunk;
    }
}

// The next line the program wrote on fd 3 other than "ready", or nullopt when it ended or the
// deadline passed (result_.timed_out is then set).
std::optional<std::string> sandbox_session::next_line(clock::time_point deadline) {
    for (;;) {
        if (const auto newline = control_buffer_.find('\n'); newline != std::string::npos) {
            std::string line = control_buffer_.substr(0, newline);
            control_buffer_.erase(0, newline + 1);
            if (line == "ready") {  // said once at start-up, not an answer
                ready_seen_ = true;
                continue;
            }
            return line;
        }
        const auto now = clock::now();
        if (now >= deadline) {
            result_.timed_out = true;
            return std::nullopt;
        }
        if (control_fd_ < 0) return std::nullopt;  // the program ended without answering
        const int budget = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
        pump(std::max(1, budget));
    }
}

bool sandbox_session::await(const std::string& line, std::chrono::milliseconds timeout) {
    said_instead_.clear();
    if (finished_) return false;
    const auto said = next_line(clock::now() + timeout);
    if (said && *said != line) said_instead_ = *said;
    return said && *said == line;
}

double sandbox_session::cpu_seconds() const {
    return finished_ ? 0.0 : run_cpu_seconds(pid_, request_.run_as_uid, live_sessions());
}

// The group first, at once; then every other process of the run, found in /proc, over and over
// until a round finds none it has not signalled yet: one that left the group with setsid would
// otherwise go on running (taking the processor from the other side of a timed pair, which then
// looked like another program's load), and one may fork between two rounds.
void sandbox_session::signal_run(int signal) noexcept {
    if (finished_) return;
    ::kill(-pid_, signal);
    try {
        std::vector<pid_t> signalled;
        for (int round = 0; round < 16; ++round) {
            bool more = false;
            for (const pid_t pid : run_processes(pid_, request_.run_as_uid, live_sessions())) {
                if (std::find(signalled.begin(), signalled.end(), pid) != signalled.end()) continue;
                signalled.push_back(pid);
                ::kill(pid, signal);
                more = true;
            }
            if (!more) break;
        }
    } catch (...) {  // out of memory: the group alone
    }
}

void sandbox_session::pause() noexcept { signal_run(SIGSTOP); }

void sandbox_session::resume() noexcept { signal_run(SIGCONT); }

std::optional<sandbox_session::answer> sandbox_session::go(std::uint64_t nonce, std::chrono::milliseconds timeout) {
    if (finished_ || command_fd_ < 0) return std::nullopt;
    const std::string command = "go " + std::to_string(nonce) + "\n";
    const auto started = clock::now();
    if (::write(command_fd_, command.data(), command.size()) != static_cast<ssize_t>(command.size())) return std::nullopt;
    auto line = next_line(started + timeout);
    if (!line) return std::nullopt;
    return answer{std::move(*line), std::chrono::duration<double>(clock::now() - started).count()};
}

run_result sandbox_session::finish() {
    if (finished_) return result_;
    ::kill(-pid_, SIGCONT);  // a paused run must be able to end
    finished_ = true;
    if (command_fd_ >= 0) ::close(command_fd_);
    command_fd_ = -1;
    // Give the program a moment to end by itself after its command pipe closed.
    int wait_status = 0;
    bool reaped = false;
    for (int i = 0; i < 200 && !reaped; ++i) {
        pump(5);
        reaped = ::waitpid(pid_, &wait_status, WNOHANG) == pid_;
    }
    kill_group(pid_);
    if (!reaped) detail::retry_on_eintr([&] { return ::waitpid(pid_, &wait_status, 0); });
    if (output_fd_ >= 0) ::close(output_fd_);
    if (control_fd_ >= 0) ::close(control_fd_);
    output_fd_ = control_fd_ = -1;
    result_.status = status_of(wait_status, isolated_);
    result_.control = control_buffer_;
    if (control_buffer_.rfind("ready\n", 0) == 0 || control_buffer_.find("\nready\n") != std::string::npos) ready_seen_ = true;
    auto& live = live_sessions();
    live.erase(std::remove(live.begin(), live.end(), pid_), live.end());
    result_.leftovers_killed = kill_leftover_children();
    result_.memory_exceeded = memory_ != nullptr && memory_->limit_reached();
    memory_.reset();
    return result_;
}

}  // namespace parlab::grader
