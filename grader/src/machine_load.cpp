#include "machine_load.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <thread>
#include <utility>

#include "parlab/workers.hpp"

namespace parlab::grader {

double load_factor() {
    std::ifstream in("/proc/loadavg");
    double load = 0;
    if (!(in >> load)) return 1.0;
    return std::clamp(load / static_cast<double>(available_cpus()), 1.0, 4.0);
}

namespace {

// All CPUs' idle time (with I/O wait) and total time so far, in clock ticks, from /proc/stat.
std::pair<unsigned long long, unsigned long long> idle_and_total() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return {idle + iowait, user + nice + system + idle + iowait + irq + softirq + steal};
}

}  // namespace

double machine_busy_seconds() {
    const auto [idle, total] = idle_and_total();
    return static_cast<double>(total - idle) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double this_thread_cpu_seconds() {
    timespec now{};
    if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) return 0;
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double free_cores(std::chrono::milliseconds window) {
    // Idle time of all CPUs over the window, in cores.
    const auto before = idle_and_total();
    std::this_thread::sleep_for(window);
    const auto after = idle_and_total();
    const auto total = after.second - before.second;
    if (total == 0) return static_cast<double>(available_cpus());
    const double idle_share = static_cast<double>(after.first - before.first) / static_cast<double>(total);
    return idle_share * static_cast<double>(std::thread::hardware_concurrency());
}

}  // namespace parlab::grader
