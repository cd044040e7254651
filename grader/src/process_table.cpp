#include "process_table.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
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

std::string_view waiting_for(std::string_view wchan) {
    // Kernel function names differ a little between versions (pipe_write became anon_pipe_write
    // in Linux 6.15), hence a part of the name rather than the whole.
    // The first that matches counts: futex_do_wait is a futex, not a waitpid.
    static const std::pair<std::string_view, std::string_view> known[] = {
        {"futex", "waiting on a semaphore, mutex or condition variable (a futex)"},
        {"pipe_read", "reading an empty pipe whose write end is still open somewhere"},
        {"pipe_write", "writing into a full pipe that nobody reads"},
        {"do_wait", "waiting for a child process to end (waitpid)"},
        {"kernel_wait", "waiting for a child process to end (waitpid)"},
        {"do_sys_poll", "waiting in poll()"},
        {"do_poll", "waiting in poll()"},
        {"do_select", "waiting in select()"},
        {"ep_poll", "waiting in epoll_wait()"},
        {"hrtimer_nanosleep", "sleeping"},
        {"do_nanosleep", "sleeping"},
        {"unix_stream_read", "reading a socket"},
        {"sigsuspend", "waiting for a signal"},
        {"do_sigtimedwait", "waiting for a signal"},
    };
    for (const auto& [part, words] : known)
        if (wchan.find(part) != std::string_view::npos) return words;
    return {};
}

std::string describe_blocked(pid_t pgid) {
    std::map<std::string_view, int> processes;  // what they wait for -> how many processes
    for_each_process([&](pid_t pid, const char* fields) {
        if (group_of(fields) != pgid) return;
        const std::string dir = "/proc/" + std::to_string(pid);
        if (first_line(dir + "/comm") == "bwrap") return;  // the sandbox's own, waiting for its child
        std::set<std::string_view> waits;  // a process counts once for each thing its threads wait for
        if (DIR* tasks = ::opendir((dir + "/task").c_str())) {
            while (const dirent* task = ::readdir(tasks))
                if (task->d_name[0] != '.')
                    if (const auto words = waiting_for(first_line(dir + "/task/" + task->d_name + "/wchan")); !words.empty())
                        waits.insert(words);
            ::closedir(tasks);
        }
        for (const auto words : waits) ++processes[words];
    });
    std::vector<std::pair<std::string_view, int>> sorted(processes.begin(), processes.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::string text;
    for (const auto& [words, count] : sorted)
        text += fmt::format("{}{} {} {}", text.empty() ? "" : ", ", count, count == 1 ? "process" : "processes", words);
    return text;
}

bool blocked_on_each_other(pid_t pgid) {
    static constexpr std::string_view only_another_ends[] = {"pipe_read", "pipe_write", "do_wait", "kernel_wait"};
    bool any = false, all = true;
    for_each_process([&](pid_t pid, const char* fields) {
        if (!all || group_of(fields) != pgid) return;
        const std::string dir = "/proc/" + std::to_string(pid);
        if (first_line(dir + "/comm") == "bwrap") return;
        any = true;
        DIR* tasks = ::opendir((dir + "/task").c_str());
        if (tasks == nullptr) {
            all = false;  // gone meanwhile: something happens
            return;
        }
        while (const dirent* task = ::readdir(tasks)) {
            if (task->d_name[0] == '.') continue;
            const std::string thread = dir + "/task/" + task->d_name;
            const std::string stat = first_line(thread + "/stat");
            const auto close_paren = stat.rfind(')');
            const bool sleeping = close_paren != std::string::npos && close_paren + 2 < stat.size() && stat[close_paren + 2] == 'S';
            const std::string wchan = first_line(thread + "/wchan");
            // futex_do_wait (Linux 6.x) has "do_wait" in its name, and is a futex
            if (!sleeping || wchan.find("futex") != std::string::npos ||
                std::none_of(std::begin(only_another_ends), std::end(only_another_ends),
                                          [&](std::string_view part) { return wchan.find(part) != std::string::npos; })) {
                all = false;
                break;
            }
        }
        ::closedir(tasks);
    });
    return any && all;
}

}  // namespace parlab::grader
