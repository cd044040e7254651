#pragma once
// Running untrusted student code: each run is a child process in its own process group, with a
// wall-clock limit, a memory cgroup, resource limits, a capped output, a clean environment,
// namespaces (bubblewrap) and (when the grader runs as root) an unprivileged user. Nothing the
// run started outlives it.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "memory_group.hpp"
#include "parlab/process.hpp"

namespace parlab::grader {

/// The namespaces a run of graded code gets (bubblewrap): no network (a network namespace of its
/// own, whose loopback is not the machine's), its own process numbers (it sees and can signal
/// nothing outside, and nothing it starts outlives it), its own System V IPC and /dev/shm, and a
/// read-only view of the system (/usr, /etc) with a private /tmp and no home: of the rest of the
/// machine only `writable` (read-write) and `readable` (read-only) are there.
struct isolation {
    std::vector<std::filesystem::path> writable;
    std::vector<std::filesystem::path> readable;
};

/// Whether runs can be isolated here, found once per user by starting one: `how` names the
/// layers ("bwrap: network, pid, ipc, mount"), `missing` why there are none and how to get them.
struct isolation_support {
    bool available = false;
    std::string how;
    std::string missing;
};

/// What to run and under which limits.
struct run_request {
    std::vector<std::string> argv;                ///< argv[0] is the program's path
    std::vector<std::string> env;                 ///< the whole environment ("NAME=value")
    std::filesystem::path workdir;                ///< current directory of the run
    std::chrono::milliseconds timeout{10000};     ///< wall clock, for the whole run
    std::size_t output_cap = 256 * 1024;          ///< bytes of stdout+stderr kept
    std::size_t output_kill = 32 * 1024 * 1024;   ///< a run printing more than this is stopped
    std::size_t file_size_limit = 256 * 1024 * 1024;  ///< RLIMIT_FSIZE
    std::size_t open_files = 256;                 ///< RLIMIT_NOFILE
    std::size_t extra_processes = 256;            ///< processes the run may add (RLIMIT_NPROC)
    /// Bytes of memory the run may use: a cgroup's limit on all its processes together, swap
    /// included, where one can be made (memory_groups()); elsewhere RLIMIT_AS on each process.
    std::optional<std::size_t> memory_limit;
    /// The program reserves far more address space than it uses (ThreadSanitizer's shadow memory):
    /// only a cgroup can limit its memory, RLIMIT_AS never is set.
    bool huge_address_space = false;
    std::optional<uid_t> run_as_uid;              ///< drop to this user (root only)
    std::optional<gid_t> run_as_gid;
    bool control_channel = false;                 ///< fd 3 (results) and fd 4 (commands) pipes
    /// When set, the run's own process gets the file "<report_file>.<its pid>", created before
    /// privileges are dropped, writable but not removable by the run (its folder must be one the
    /// run cannot write): where ThreadSanitizer writes its reports, out of the run's reach.
    std::filesystem::path report_file;
    /// No address-space randomisation for the run (personality ADDR_NO_RANDOMIZE), as
    /// ThreadSanitizer needs where the kernel randomises 32 bits of mmap addresses (Ubuntu 24.04,
    /// Linux 6.6 on): GCC's runtime then stops with "unexpected memory mapping" before main().
    bool fixed_layout = false;
    /// Stop the run early, as timed out, once every one of its processes has sat for a few seconds
    /// in waits that only another of them could end (blocked_on_each_other) without using any
    /// processor time: a deadlock between pipes and waitpid() that its time limit would only
    /// prolong. For the probes; not for a test program, whose own alarm names the test case that
    /// hung, nor for the grader's own tools.
    bool stop_when_deadlocked = false;
    /// Namespaces for graded code (see isolation); nullopt for the grader's own tools (the
    /// compiler, a check of permissions). Ignored where isolation_support says none are to be had.
    std::optional<isolation> isolate;
};

/// How a run ended.
struct run_result {
    parlab::exit_status status;
    bool timed_out = false;
    bool output_flooded = false;   ///< stopped for printing more than output_kill bytes
    bool output_truncated = false; ///< output longer than output_cap (the rest is dropped)
    std::string output;            ///< stdout and stderr, interleaved, capped
    std::string control;           ///< what the run wrote on fd 3
    double seconds = 0;            ///< wall time seen by the grader
    double cpu_seconds = -1;       ///< processor time of the run's processes when it timed out (-1: not measured)
    std::string blocked;           ///< what its processes waited for when it timed out (describe_blocked)
    bool deadlocked = false;       ///< timed out early: stopped by stop_when_deadlocked
    std::size_t leftovers_killed = 0;  ///< processes that outlived the run and were killed
    bool memory_exceeded = false;  ///< the kernel killed a process of the run for going over memory_limit

    [[nodiscard]] bool ok() const noexcept { return !timed_out && !output_flooded && status.ok(); }
    /// Timed out having used under a tenth of its `limit_seconds` in processor time: its processes
    /// sat blocked (a deadlock), rather than computing.
    [[nodiscard]] bool sat_blocked(int limit_seconds) const noexcept {
        return timed_out && (deadlocked || cpu_seconds < 0.1 * limit_seconds);
    }
};

/// The grader's environment for every run: PATH, HOME (the workdir), LANG, and `extra`.
[[nodiscard]] std::vector<std::string> clean_environment(const std::filesystem::path& home,
                                                         const std::vector<std::string>& extra = {});

/// Runs a program to completion under the request's limits. Never throws for what the program
/// does (crash, hang, flood); throws std::system_error only when the grader cannot start it.
[[nodiscard]] run_result run_sandboxed(const run_request& request);

/// A long-lived run the grader talks to over fd 3/4 to time it from outside: the program does its
/// set-up, then waits for "go" lines; after each it does the work once and answers one line.
class sandbox_session {
public:
    /// Starts the program; `request.control_channel` is forced on.
    explicit sandbox_session(run_request request);
    sandbox_session(const sandbox_session&) = delete;
    sandbox_session& operator=(const sandbox_session&) = delete;
    ~sandbox_session();

    /// Sends "go NONCE", waits for one answer line; returns it and the grader-side seconds
    /// between. Returns nullopt when the program ended, hung past `timeout` or wrote something
    /// malformed; finish() then tells how it ended.
    struct answer {
        std::string line;
        double seconds = 0;
    };
    [[nodiscard]] std::optional<answer> go(std::uint64_t nonce, std::chrono::milliseconds timeout);
    /// Waits until the program answers `line` (skipping "ready"); false when it ended, hung past
    /// `timeout` or said something else first (said_instead() then holds what it said).
    [[nodiscard]] bool await(const std::string& line, std::chrono::milliseconds timeout);
    /// The line the last await got instead of the one it waited for; empty when it got none.
    [[nodiscard]] const std::string& said_instead() const noexcept { return said_instead_; }
    /// Stops every process of the run (SIGSTOP to its group and to each process of the run that
    /// left it: process_table.hpp's run_processes), so that nothing it left running can take the
    /// processor from the other side of a timed pair; resume() lets it go on.
    void pause() noexcept;
    void resume() noexcept;
    /// Processor time the run's processes (run_processes) have used so far, with the children
    /// they reaped, seconds.
    [[nodiscard]] double cpu_seconds() const;
    /// Whether the program said "ready" (its main() started) at any point so far.
    [[nodiscard]] bool ready_seen() const noexcept { return ready_seen_; }
    /// Ends the program (closing its command pipe, then killing the group) and tells how it ended.
    run_result finish();

private:
    run_request request_;
    pid_t pid_ = 0;
    int output_fd_ = -1, control_fd_ = -1, command_fd_ = -1;
    run_result result_;
    std::string control_buffer_;
    std::string said_instead_;
    bool finished_ = false;
    bool ready_seen_ = false;
    bool isolated_ = false;
    std::unique_ptr<memory_group> memory_;
    void pump(int timeout_ms);
    std::optional<std::string> next_line(std::chrono::steady_clock::time_point deadline);
    void signal_run(int signal) noexcept;
};

/// Makes the grader a subreaper, so that processes orphaned by a run become its children and
/// can be found and killed. Call once at start-up.
void become_subreaper();

/// Kills and reaps every child of the grader that is not in `keep`; returns how many.
std::size_t kill_leftover_children(const std::vector<pid_t>& keep = {});

/// The unprivileged user to run student code as when the grader is root ("nobody"), if any.
[[nodiscard]] std::optional<std::pair<uid_t, gid_t>> unprivileged_user();

/// When the grader is root, the users of one grade, three different ones: the compiler runs as
/// "nobody", so no run can write a build tree; graded code runs as a user of its own and the
/// grader's reference side of a timing pair as another, so neither can signal or write the
/// other. The two are claimed for this process (a lock under /run/parlab, held until it ends), so
/// graders running at the same time (a batch's jobs) never share one; they need no /etc/passwd
/// entry. nullopt when the grader is not root.
struct grading_users {
    std::pair<uid_t, gid_t> compile, student, reference;
};
[[nodiscard]] std::optional<grading_users> users_for_grading();

/// Whether bubblewrap can isolate a run started as `run_as` (the grader's own user when nullopt),
/// tried once per user with a run of /bin/true; the answer is kept.
[[nodiscard]] const isolation_support& isolation_for(const std::optional<std::pair<uid_t, gid_t>>& run_as);

/// Why someone else's code may not be graded here without --unsandboxed: neither namespaces nor
/// root (to run it as another user) are to be had. Empty when it may.
[[nodiscard]] std::string unsandboxed_refusal(const std::optional<std::pair<uid_t, gid_t>>& run_as);

}  // namespace parlab::grader
