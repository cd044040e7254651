#include "parlab/workers.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <stdexcept>
#include <string>
#include <thread>

namespace parlab {

namespace {

// CPUs allowed by one cgroup folder's quota, if it sets one: cgroup v2 "cpu.max" ("QUOTA PERIOD"
// or "max PERIOD"), cgroup v1 "cpu.cfs_quota_us" and "cpu.cfs_period_us" (-1: no quota).
std::optional<double> quota_in(const std::filesystem::path& folder) {
    double quota = -1, period = 0;
    if (std::ifstream v2(folder / "cpu.max"); v2) {
        std::string text;
        if (!(v2 >> text >> period) || text == "max") return std::nullopt;
        quota = std::atof(text.c_str());
    } else {
        std::ifstream q(folder / "cpu.cfs_quota_us"), p(folder / "cpu.cfs_period_us");
        if (!(q >> quota) || !(p >> period)) return std::nullopt;
    }
    if (quota <= 0 || period <= 0) return std::nullopt;
    return quota / period;
}

}  // namespace

std::optional<double> cpu_quota() {
    // This process's cgroup and every one above it: the smallest quota on the way up holds.
    std::ifstream self("/proc/self/cgroup");
    std::optional<double> smallest;
    for (std::string line; std::getline(self, line);) {
        const auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        std::filesystem::path mount;
        if (controllers.empty()) mount = "/sys/fs/cgroup";  // v2
        else if (("," + controllers + ",").find(",cpu,") != std::string::npos) mount = "/sys/fs/cgroup/" + controllers;
        else continue;
        if (!std::filesystem::exists(mount) && !controllers.empty()) mount = "/sys/fs/cgroup/cpu";
        for (std::filesystem::path at = mount / std::filesystem::path(line.substr(second + 1)).relative_path();;
             at = at.parent_path()) {
            if (const auto q = quota_in(at); q && (!smallest || *q < *smallest)) smallest = q;
            if (at == mount || !at.has_relative_path() || at.parent_path() == at) break;
        }
    }
    return smallest;
}

std::size_t available_cpus() {
    std::size_t count = 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) count = static_cast<std::size_t>(std::max(0, CPU_COUNT(&set)));
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    if (const auto quota = cpu_quota())
        count = std::min(count, std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(*quota - 0.01))));
    return count;
}

std::size_t parse_positive(std::string_view text, std::string_view what, std::size_t most) {
    const auto fail = [&](const std::string& problem) -> std::size_t {
        throw std::invalid_argument(std::string(what) + " must be a positive integer, got '" +
                                    std::string(text) + "' (" + problem + ")");
    };
    if (text.empty()) return fail("empty");
    if (text.front() == '-') return fail("negative");
    if (text.front() == '+') text.remove_prefix(1);
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) return fail("too large");
    if (error != std::errc() || end != text.data() + text.size()) return fail("not a number");
    if (value == 0) return fail("zero");
    if (value > most) return fail("too large, at most " + std::to_string(most));
    return value;
}

std::size_t default_workers() {
    if (const char* env = std::getenv("PARLAB_WORKERS"); env != nullptr)
        return parse_positive(env, "PARLAB_WORKERS");
    return available_cpus();
}

}  // namespace parlab
