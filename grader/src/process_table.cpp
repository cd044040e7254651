#include "process_table.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace parlab::grader {

void for_each_process(const std::function<void(pid_t, const char*)>& fn) {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (const dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
        std::string line;
        std::getline(stat, line);
        const auto close_paren = line.rfind(')');
        if (close_paren == std::string::npos) continue;
        fn(static_cast<pid_t>(std::atoi(entry->d_name)), line.c_str() + close_paren + 1);
    }
    ::closedir(proc);
}

namespace {

std::string first_line(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// One live process as run_processes needs it.
struct process_entry {
    pid_t pid = 0, ppid = 0, group = 0;
    double cpu = 0;  // seconds, its own and its reaped children's
};

// A process from the fields of its /proc/PID/stat after the command name, or nullopt.
std::optional<process_entry> entry_of(pid_t pid, const char* fields) {
    // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
    // cstime: the process's own time and that of the children it reaped (a worker that ended
    // is counted in its parent; one not yet reaped, as itself)
    char state = 0;
    long ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0, cutime = 0, cstime = 0;
    unsigned long flags = 0, minflt = 0, cminflt = 0, majflt = 0, cmajflt = 0, utime = 0, stime = 0;
    if (std::sscanf(fields, " %c %ld %ld %ld %ld %ld %lu %lu %lu %lu %lu %lu %lu %ld %ld", &state, &ppid, &pgrp, &session, &tty,
                    &tpgid, &flags, &minflt, &cminflt, &majflt, &cmajflt, &utime, &stime, &cutime, &cstime) != 15)
        return std::nullopt;
    static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return process_entry{pid, static_cast<pid_t>(ppid), static_cast<pid_t>(pgrp),
                         static_cast<double>(utime + stime) / ticks + static_cast<double>(std::max(0L, cutime + cstime)) / ticks};
}

// The real user of process `pid` (from /proc/PID/status: the owner of /proc/PID is root for a
// process that changed its user and is not dumpable), or nullopt.
std::optional<uid_t> real_user(pid_t pid) {
    std::ifstream status(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(status, line);)
        if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
    return std::nullopt;
}

// The processes of the run of `root` (see run_processes), with their processor time.
std::vector<process_entry> run_entries(pid_t root, std::optional<uid_t> own_user, const std::vector<pid_t>& other_runs) {
    std::vector<process_entry> all;
    for_each_process([&](pid_t pid, const char* fields) {
        if (const auto entry = entry_of(pid, fields)) all.push_back(*entry);
    });
    // where the run's processes hang from: its first process, and its orphans (see the header)
    std::vector<pid_t> anchors{root};
    const pid_t grader = ::getpid();
    for (const auto& p : all)
        if (own_user && p.ppid == grader && p.pid != root &&
            std::find(other_runs.begin(), other_runs.end(), p.pid) == other_runs.end() && real_user(p.pid) == own_user)
            anchors.push_back(p.pid);
    std::map<pid_t, pid_t> parent;
    for (const auto& p : all) parent[p.pid] = p.ppid;
    std::vector<process_entry> mine;
    for (const auto& p : all) {
        bool below = p.group == root;
        // up the parents to an anchor (a chain is short; a cycle cannot be, but is cut anyway)
        for (pid_t at = p.pid, steps = 0; !below && at > 1 && steps < 4096; ++steps) {
            below = std::find(anchors.begin(), anchors.end(), at) != anchors.end();
            const auto up = parent.find(at);
            at = up == parent.end() ? 0 : up->second;
        }
        if (below) mine.push_back(p);
    }
    return mine;
}

}  // namespace

std::vector<pid_t> run_processes(pid_t root, std::optional<uid_t> own_user, const std::vector<pid_t>& other_runs) {
    std::vector<pid_t> pids;
    for (const auto& p : run_entries(root, own_user, other_runs)) pids.push_back(p.pid);
    return pids;
}

double group_cpu_seconds(pid_t pgid) {
    double total = 0;
    for_each_process([&](pid_t pid, const char* fields) {
        if (const auto entry = entry_of(pid, fields); entry && entry->group == pgid) total += entry->cpu;
    });
    return total;
}

double run_cpu_seconds(pid_t root, std::optional<uid_t> own_user, const std::vector<pid_t>& other_runs) {
    double total = 0;
    for (const auto& p : run_entries(root, own_user, other_runs)) total += p.cpu;
    return total;
}

namespace {

// A kernel wait channel the kit knows: a part of its name, what it means in a student's words, and
// whether only another process can end the wait (it has no time limit of its own).
struct known_wait {
    std::string_view part, words;
    bool only_another_ends;
};

// The first entry that `wchan` contains, or nullptr. Kernel function names differ a little between
// versions (pipe_write became anon_pipe_write in Linux 6.15), hence a part of the name rather than
// the whole. The first that matches counts: futex_do_wait is a futex (which may have a time limit
// that /proc does not show), not a waitpid.
const known_wait* known_wait_of(std::string_view wchan) {
    static constexpr known_wait known[] = {
        {"futex", "waiting on a semaphore, mutex or condition variable (a futex)", false},
        {"pipe_read", "reading an empty pipe whose write end is still open somewhere", true},
        {"pipe_write", "writing into a full pipe that nobody reads", true},
        {"do_wait", "waiting for a child process to end (waitpid)", true},
        {"kernel_wait", "waiting for a child process to end (waitpid)", true},
        {"do_sys_poll", "waiting in poll()", false},
        {"do_poll", "waiting in poll()", false},
        {"do_select", "waiting in select()", false},
        {"ep_poll", "waiting in epoll_wait()", false},
        {"hrtimer_nanosleep", "sleeping", false},
        {"do_nanosleep", "sleeping", false},
        {"unix_stream_read", "reading a socket", false},
        {"sigsuspend", "waiting for a signal", false},
        {"do_sigtimedwait", "waiting for a signal", false},
    };
    for (const auto& wait : known)
        if (wchan.find(wait.part) != std::string_view::npos) return &wait;
    return nullptr;
}

// Calls fn(threads) for each live process of group `pgid` but bubblewrap's own (waiting for its
// child): the /proc/PID/task/TID folders of its threads, or nullopt when they cannot be listed.
// fn returns false to stop.
void for_each_group_process(pid_t pgid, const std::function<bool(const std::optional<std::vector<std::string>>&)>& fn) {
    bool going = true;
    for_each_process([&](pid_t pid, const char* fields) {
        if (const auto entry = entry_of(pid, fields); !going || !entry || entry->group != pgid) return;
        const std::string dir = "/proc/" + std::to_string(pid);
        if (first_line(dir + "/comm") == "bwrap") return;
        std::optional<std::vector<std::string>> threads;
        if (DIR* tasks = ::opendir((dir + "/task").c_str())) {
            threads.emplace();
            while (const dirent* task = ::readdir(tasks))
                if (task->d_name[0] != '.') threads->push_back(dir + "/task/" + task->d_name);
            ::closedir(tasks);
        }
        going = fn(threads);
    });
}

}  // namespace

std::string_view waiting_for(std::string_view wchan) {
    const known_wait* wait = known_wait_of(wchan);
    return wait != nullptr ? wait->words : std::string_view{};
}

std::string describe_blocked(pid_t pgid) {
    std::map<std::string_view, int> processes;  // what they wait for -> how many processes
    for_each_group_process(pgid, [&](const std::optional<std::vector<std::string>>& threads) {
        std::set<std::string_view> waits;  // a process counts once for each thing its threads wait for
        for (const auto& thread : threads.value_or(std::vector<std::string>{}))
            if (const auto words = waiting_for(first_line(thread + "/wchan")); !words.empty()) waits.insert(words);
        for (const auto words : waits) ++processes[words];
        return true;
    });
    std::vector<std::pair<std::string_view, int>> sorted(processes.begin(), processes.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string text;
    for (const auto& [words, count] : sorted)
        text += fmt::format("{}{} {} {}", text.empty() ? "" : ", ", count, count == 1 ? "process" : "processes", words);
    return text;
}

bool blocked_on_each_other(pid_t pgid) {
    bool any = false, all = true;
    for_each_group_process(pgid, [&](const std::optional<std::vector<std::string>>& threads) {
        any = true;
        all = threads.has_value();  // a process gone meanwhile: something happens
        for (const auto& thread : threads.value_or(std::vector<std::string>{})) {
            const std::string stat = first_line(thread + "/stat");
            const auto close_paren = stat.rfind(')');
            const bool sleeping = close_paren != std::string::npos && close_paren + 2 < stat.size() && stat[close_paren + 2] == 'S';
            const known_wait* wait = known_wait_of(first_line(thread + "/wchan"));
            if (!sleeping || wait == nullptr || !wait->only_another_ends) {
                all = false;
                break;
            }
        }
        return all;
    });
    return any && all;
}

}  // namespace parlab::grader
