#include "parlab/workers.hpp"

#include <sched.h>

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace parlab {

std::size_t available_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int count = CPU_COUNT(&set);
        if (count > 0) return static_cast<std::size_t>(count);
    }
    const unsigned hardware = std::thread::hardware_concurrency();
    return hardware > 0 ? hardware : 1;
}

std::size_t parse_positive(std::string_view text, std::string_view what) {
    const auto fail = [&](const char* problem) -> std::size_t {
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
    if (value > 4096) return fail("too large, at most 4096");
    return value;
}

std::size_t default_workers() {
    if (const char* env = std::getenv("PARLAB_WORKERS"); env != nullptr)
        return parse_positive(env, "PARLAB_WORKERS");
    return available_cpus();
}

}  // namespace parlab
