#include "sandbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "parlab/system_error.hpp"
#include "parlab/timing.hpp"
#include "process_table.hpp"
#include "sandbox_internal.hpp"

namespace parlab::grader {
namespace sandbox_detail {

std::vector<pid_t>& live_sessions() {
    static std::vector<pid_t> pids;
    return pids;
}

// Processes whose real user is `uid`, for RLIMIT_NPROC (which counts all of that user's).
std::size_t count_processes_of(uid_t uid) {
    std::size_t count = 0;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return 0;
    while (const dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        struct stat info {};
        if (::fstatat(::dirfd(proc), entry->d_name, &info, 0) == 0 && info.st_uid == uid) ++count;
    }
    ::closedir(proc);
    return count;
}

void set_limit(int resource, rlim_t value) {
    rlimit limit{value, value};
    ::setrlimit(resource, &limit);
}

void close_pair(int fds[2]) {
    for (int i = 0; i < 2; ++i)
        if (fds[i] >= 0) ::close(fds[i]);
}

// The bubblewrap program, if the machine has one.
std::string find_bwrap() {
    for (const char* path : {"/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"})
        if (::access(path, X_OK) == 0) return path;
    return {};
}

// The process number the run's own program has inside its namespaces: bubblewrap is the init
// (1) of the new process namespace and starts the program as its first child.
constexpr int isolated_program_pid = 2;

// The command line that runs `argv` isolated as `how` says (see isolation in sandbox.hpp).
std::vector<std::string> isolated_argv(const std::string& bwrap, const isolation& how, const std::filesystem::path& workdir,
                                       const std::vector<std::string>& argv) {
    std::vector<std::string> out{bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr"};
    // /bin, /lib and the like: links into /usr on a merged system, folders of their own elsewhere
    for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
        std::error_code error;
        const auto status = std::filesystem::symlink_status(top, error);
        if (error) continue;
        if (std::filesystem::is_symlink(status))
            out.insert(out.end(), {"--symlink", std::filesystem::read_symlink(top, error).string(), top});
        else if (std::filesystem::is_directory(status))
            out.insert(out.end(), {"--ro-bind", top, top});
    }
    out.insert(out.end(), {"--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
    for (const auto& path : how.readable) out.insert(out.end(), {"--ro-bind", path.string(), path.string()});
    for (const auto& path : how.writable) out.insert(out.end(), {"--bind", path.string(), path.string()});
    out.insert(out.end(), {"--chdir", workdir.string(), "--"});
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

// bubblewrap ends with the program's exit code, and with 128 + N for a program killed by signal
// N: the status the program itself would have had. (A program that exits with a code above 128
// itself reads as killed; callers that know better, like a Catch2 run that printed its summary,
// judge by what it printed.)
exit_status status_of(int wait_status, bool isolated) {
    exit_status status = exit_status_from_wait(wait_status);
    if (isolated && status.exited && status.code > 128 && status.code < 128 + NSIG) {
        status.exited = false;
        status.signaled = true;
        status.signal = status.code - 128;
        status.code = 0;
    }
    return status;
}

// The pipes of a run being started: its output, and with a control channel fd 3's and fd 4's.
struct run_pipes {
    int out[2] = {-1, -1}, control[2] = {-1, -1}, command[2] = {-1, -1};
};

// In the forked child: becomes the run (its memory group, signals, descriptors, limits, folder,
// report file and user), then execs it. Only system calls from here on.
[[noreturn]] void become_run(const run_request& request, const run_pipes& pipes, bool isolated, const memory_group* memory,
                             char* const* argv, char* const* envp, const char* workdir, rlim_t nproc) {
    ::setpgid(0, 0);
    // into the memory group first, as root where the grader is: all the run starts follows
    if (memory != nullptr && ::write(memory->join_fd(), "0", 1) != 1) {
        dprintf(pipes.out[1], "cannot enter the run's memory cgroup: %s\n", std::strerror(errno));
        ::_exit(127);
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the run dies with the grader
    for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(pipes.out[1], 1);
    ::dup2(pipes.out[1], 2);
    if (request.control_channel) {
        ::dup2(pipes.control[1], 3);
        ::dup2(pipes.command[0], 4);
    }
    ::close_range(request.control_channel ? 5 : 3, ~0U, 0);
    set_limit(RLIMIT_CORE, 0);
    set_limit(RLIMIT_FSIZE, request.file_size_limit);
    set_limit(RLIMIT_NOFILE, request.open_files);
    set_limit(RLIMIT_NPROC, nproc);
    if (request.memory_limit && memory == nullptr && !request.huge_address_space)
        set_limit(RLIMIT_AS, static_cast<rlim_t>(*request.memory_limit));
    if (::chdir(workdir) != 0) {
        dprintf(2, "cannot enter %s: %s\n", workdir, std::strerror(errno));
        ::_exit(127);
    }
    if (!request.report_file.empty()) {
        char path[4096];
        std::snprintf(path, sizeof path, "%s.%d", request.report_file.c_str(),
                      isolated ? isolated_program_pid : static_cast<int>(::getpid()));
        const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0622);
        if (fd < 0 || ::fchmod(fd, 0622) != 0) {
            dprintf(2, "cannot make %s: %s\n", path, std::strerror(errno));
            ::_exit(127);
        }
        ::close(fd);
    }
    if (request.run_as_uid) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(request.run_as_gid.value_or(*request.run_as_uid)) != 0 ||
            ::setuid(*request.run_as_uid) != 0) {
            dprintf(2, "cannot drop privileges: %s\n", std::strerror(errno));
            ::_exit(127);
        }
    }
    if (request.fixed_layout) (void)::personality(ADDR_NO_RANDOMIZE);
    ::execve(argv[0], argv, envp);
    dprintf(2, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
}

// Forks and execs the request's program (inside bubblewrap when `isolated`); the child is a
// process-group leader.
pid_t spawn(const run_request& request, child_fds& fds, bool isolated, const memory_group* memory) {
    const std::vector<std::string> program =
        isolated ? isolated_argv(find_bwrap(), *request.isolate, request.workdir, request.argv) : request.argv;
    std::vector<char*> argv, envp;
    for (const auto& a : program) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const std::string workdir = request.workdir.string();
    const uid_t target_uid = request.run_as_uid.value_or(::getuid());
    const rlim_t nproc = static_cast<rlim_t>(count_processes_of(target_uid) + request.extra_processes);

    run_pipes pipes;
    auto& [out, control, command] = pipes;
    if (::pipe2(out, O_CLOEXEC) != 0) detail::throw_errno("cannot make an output pipe");
    if (request.control_channel && (::pipe2(control, O_CLOEXEC) != 0 || ::pipe2(command, O_CLOEXEC) != 0)) {
        close_pair(out), close_pair(control), close_pair(command);
        detail::throw_errno("cannot make control pipes");
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        close_pair(out), close_pair(control), close_pair(command);
        detail::throw_errno("cannot fork a run");
    }
    if (pid == 0) become_run(request, pipes, isolated, memory, argv.data(), envp.data(), workdir.c_str(), nproc);
    ::setpgid(pid, pid);
    ::close(out[1]);
    // Read ends never block: a process the run left behind may hold the write ends open.
    ::fcntl(out[0], F_SETFL, O_NONBLOCK);
    if (request.control_channel) ::fcntl(control[0], F_SETFL, O_NONBLOCK);
    fds.output = out[0];
    if (request.control_channel) {
        ::close(control[1]);
        ::close(command[0]);
        fds.control = control[0];
        fds.command = command[1];
    }
    return pid;
}

// Reads what is ready on the non-blocking `fd` into `sink` (up to `cap` bytes kept); false at end
// of file or when nothing is ready.
bool drain(int fd, std::string& sink, std::size_t cap, std::size_t& total, bool* at_end) {
    char buffer[65536];
    const ssize_t n = detail::retry_on_eintr([&] { return ::read(fd, buffer, sizeof buffer); });
    if (at_end != nullptr) *at_end = n == 0 || (n < 0 && errno != EAGAIN);
    if (n <= 0) return false;
    total += static_cast<std::size_t>(n);
    if (sink.size() < cap) sink.append(buffer, std::min(static_cast<std::size_t>(n), cap - sink.size()));
    return true;
}

void kill_group(pid_t pgid) {
    if (pgid > 0) ::kill(-pgid, SIGKILL);
}

}  // namespace sandbox_detail

using namespace sandbox_detail;
using clock = std::chrono::steady_clock;

std::vector<std::string> clean_environment(const std::filesystem::path& home, const std::vector<std::string>& extra) {
    std::vector<std::string> env{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home.string(), "LANG=C.UTF-8",
                                 "TMPDIR=" + home.string()};
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

std::size_t kill_leftover_children(const std::vector<pid_t>& keep) {
    std::size_t killed = 0;
    const pid_t self = ::getpid();
    for (int round = 0; round < 1000; ++round) {
        std::vector<pid_t> found;
        for_each_process([&](pid_t pid, const char* fields) {
            char state = 0;
            int ppid = 0;
            if (std::sscanf(fields, " %c %d", &state, &ppid) == 2 && ppid == self &&
                std::find(keep.begin(), keep.end(), pid) == keep.end() &&
                std::find(live_sessions().begin(), live_sessions().end(), pid) == live_sessions().end())
                found.push_back(pid);
        });
        if (found.empty()) break;
        for (pid_t pid : found) {
            ::kill(pid, SIGKILL);
            int ignored = 0;
            detail::retry_on_eintr([&] { return ::waitpid(pid, &ignored, 0); });
            ++killed;
        }
    }
    return killed;
}

namespace sandbox_detail {

std::optional<std::pair<uid_t, gid_t>> run_as_of(const run_request& request) {
    if (!request.run_as_uid) return std::nullopt;
    return std::make_pair(*request.run_as_uid, request.run_as_gid.value_or(*request.run_as_uid));
}

bool isolated(const run_request& request) { return request.isolate && isolation_for(run_as_of(request)).available; }

std::unique_ptr<memory_group> memory_group_for(const run_request& request) {
    return request.memory_limit ? memory_group::make(*request.memory_limit) : nullptr;
}

}  // namespace sandbox_detail

namespace {

// Runs the request to its end; `reap_leftovers` also kills every other child the grader has that
// no session holds (off for the trial run, which may happen beside a batch's grading jobs).
run_result run_with(const run_request& request, bool isolated, bool reap_leftovers = true);

}  // namespace

const isolation_support& isolation_for(const std::optional<std::pair<uid_t, gid_t>>& run_as) {
    static std::mutex guard;
    static std::map<uid_t, isolation_support> known;
    const std::lock_guard<std::mutex> lock(guard);
    const uid_t uid = run_as ? run_as->first : ::getuid();
    if (const auto found = known.find(uid); found != known.end()) return found->second;
    isolation_support& support = known[uid];
    if (find_bwrap().empty()) {
        support.missing = "bubblewrap is not installed (sudo apt-get install bubblewrap)";
        return support;
    }
    run_request trial;
    trial.argv = {"/bin/true"};
    trial.env = clean_environment("/");
    trial.workdir = "/";
    trial.timeout = std::chrono::seconds(20);
    trial.isolate = isolation{};
    if (run_as) {
        trial.run_as_uid = run_as->first;
        trial.run_as_gid = run_as->second;
    }
    const run_result tried = run_with(trial, true, false);
    if (tried.status.ok()) {
        support.available = true;
        support.how = "bwrap: network, pid, ipc and mount namespaces";
    } else {
        // bwrap's first sentence says what failed; the rest is a pointer to its documentation
        std::string said = tried.output.substr(0, tried.output.find('\n'));
        if (const auto end = said.find(", likely"); end != std::string::npos) said.erase(end);
        support.missing = fmt::format("bubblewrap cannot make namespaces here ({}): the system forbids unprivileged "
                                      "user namespaces (Ubuntu 24.04's AppArmor setting: sudo sysctl "
                                      "kernel.apparmor_restrict_unprivileged_userns=0), or this is a chroot or a "
                                      "container, where none can be made",
                                      said.empty() ? tried.status.describe() : said);
    }
    return support;
}

std::string unsandboxed_refusal(const std::optional<std::pair<uid_t, gid_t>>& run_as) {
    const isolation_support& support = isolation_for(run_as);
    if (run_as || support.available) return {};
    return fmt::format("a submission's code would run as you, with your files and network: {}. Grade as root (it then "
                       "runs as another user), or add --unsandboxed to accept that",
                       support.missing);
}

run_result run_sandboxed(const run_request& request) { return run_with(request, isolated(request)); }

namespace {

// Looks at a run once a second for a deadlock (run_request::stop_when_deadlocked): settled once
// three looks in a row found every process blocked on the others, with no processor time used
// and no output made in between.
class deadlock_watch {
public:
    bool settled(pid_t group, clock::duration running, std::size_t output_so_far) {
        if (running < next_look_) return false;
        next_look_ = running + std::chrono::seconds(1);
        const double cpu = group_cpu_seconds(group);
        const bool still = blocked_on_each_other(group) && cpu == cpu_ && output_so_far == output_;
        looks_ = still ? looks_ + 1 : 0;
        cpu_ = cpu;
        output_ = output_so_far;
        return looks_ >= 3;
    }

private:
    clock::duration next_look_ = std::chrono::seconds(1);
    double cpu_ = -1;
    std::size_t output_ = 0;
    int looks_ = 0;
};

run_result run_with(const run_request& request, bool isolated, bool reap_leftovers) {
    child_fds fds;
    const std::unique_ptr<memory_group> memory = memory_group_for(request);
    const auto started = clock::now();
    const pid_t pid = spawn(request, fds, isolated, memory.get());
    const auto deadline = started + request.timeout;
    run_result result;
    std::size_t output_total = 0, control_total = 0;
    bool output_open = true, control_open = fds.control >= 0;
    if (fds.command >= 0) ::close(fds.command);  // a one-shot run gets no commands
    int wait_status = 0;
    bool reaped = false;

    deadlock_watch deadlocks;
    while (!reaped) {
        const auto now = clock::now();
        if (now >= deadline) {
            result.timed_out = true;
            break;
        }
        if (request.stop_when_deadlocked && deadlocks.settled(pid, now - started, output_total + control_total)) {
            result.timed_out = result.deadlocked = true;
            break;
        }
        const int budget = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
        if (output_open || control_open) {
            pollfd polls[2] = {{output_open ? fds.output : -1, POLLIN, 0}, {control_open ? fds.control : -1, POLLIN, 0}};
            const int ready = ::poll(polls, 2, std::min(budget, 100));
            if (ready > 0) {
                bool at_end = false;
                if (polls[0].revents != 0) {
                    (void)drain(fds.output, result.output, request.output_cap, output_total, &at_end);
                    if (at_end) output_open = false;
                }
                if (polls[1].revents != 0) {
                    (void)drain(fds.control, result.control, request.output_cap, control_total, &at_end);
                    if (at_end) control_open = false;
                }
                if (output_total > request.output_kill) {
                    result.output_flooded = true;
                    break;
                }
            }
        } else {
            ::usleep(2000);
        }
        const pid_t done = ::waitpid(pid, &wait_status, WNOHANG);
        if (done == pid) reaped = true;
    }
    result.seconds = std::chrono::duration<double>(clock::now() - started).count();
    if (result.timed_out) {
        result.cpu_seconds = group_cpu_seconds(pid);
        result.blocked = describe_blocked(pid);
    }
    kill_group(pid);
    if (!reaped) {
        detail::retry_on_eintr([&] { return ::waitpid(pid, &wait_status, 0); });
    } else {
        // collect what was still buffered in the pipes
        while (output_open && drain(fds.output, result.output, request.output_cap, output_total)) {
            if (output_total > request.output_kill) break;
        }
        while (control_open && drain(fds.control, result.control, request.output_cap, control_total)) {
        }
    }
    ::close(fds.output);
    if (fds.control >= 0) ::close(fds.control);
    result.status = status_of(wait_status, isolated);
    result.output_truncated = output_total > request.output_cap;
    if (reap_leftovers) result.leftovers_killed = kill_leftover_children();
    result.memory_exceeded = memory != nullptr && memory->limit_reached();
    return result;
}

}  // namespace

}  // namespace parlab::grader
