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

// The process group of a /proc/PID/stat's fields, or -1.
long group_of(const char* fields) {
    char state = 0;
    long ppid = 0, pgrp = -1;
    return std::sscanf(fields, " %c %ld %ld", &state, &ppid, &pgrp) == 3 ? pgrp : -1;
}

std::string first_line(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

double group_cpu_seconds(pid_t pgid) {
    const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double total = 0;
    for_each_process([&](pid_t, const char* fields) {
        // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        // cstime: the process's own time and that of the children it reaped (a worker that ended
        // is counted in its parent; one not yet reaped, as itself)
        char state = 0;
        long ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0, cutime = 0, cstime = 0;
        unsigned long flags = 0, minflt = 0, cminflt = 0, majflt = 0, cmajflt = 0, utime = 0, stime = 0;
        if (std::sscanf(fields, " %c %ld %ld %ld %ld %ld %lu %lu %lu %lu %lu %lu %lu %ld %ld", &state, &ppid, &pgrp, &session,
                        &tty, &tpgid, &flags, &minflt, &cminflt, &majflt, &cmajflt, &utime, &stime, &cutime, &cstime) == 15 &&
            pgrp == pgid)
            total += static_cast<double>(utime + stime) / ticks + static_cast<double>(std::max(0L, cutime + cstime)) / ticks;
    });
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
        if (!going || group_of(fields) != pgid) return;
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
