// You do not need to modify this file.
//
// Times every version of the dot product against a plain serial loop and prints a table: the
// median time per worker count, how often the lock was taken (and contended), and the largest
// relative error seen (against the serial loop). Usage: parlab_lab02_bench [N...] (default:
// 1000000 and 10000000 elements). Workers: 1, 2 and PARLAB_WORKERS (or the CPUs available)
// when that is more. Build in Release for meaningful times.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dot.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

namespace {

namespace lab = parlab::lab02;
using vec = std::span<const double>;

// What one run of a version reports.
struct run_result {
    double value = 0;
    std::uint64_t acquisitions = 0;
    std::uint64_t contended = 0;
};

struct version {
    std::string name;
    bool locked;
    std::function<run_result(vec, vec, parlab::thread_pool&, std::size_t)> run;
};

double serial_dot(vec x, vec y) {
    double sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += x[i] * y[i];
    return sum;
}

template <class Fn>
run_result with_lock(Fn fn, vec x, vec y, parlab::thread_pool& pool, std::size_t chunks) {
    lab::counting_mutex lock;
    const double value = fn(x, y, pool, chunks, lock);
    return {value, lock.acquisitions(), lock.contended()};
}

std::vector<version> versions() {
    return {
        {"serial loop (no threads)", false,
         [](vec x, vec y, parlab::thread_pool&, std::size_t) { return run_result{serial_dot(x, y)}; }},
        {"v1: no lock (given)", false,
         [](vec x, vec y, parlab::thread_pool& p, std::size_t c) { return run_result{lab::dot_unlocked(x, y, p, c)}; }},
        {"v2: lock per element (task 1)", true,
         [](vec x, vec y, parlab::thread_pool& p, std::size_t c) { return with_lock(lab::dot_lock_per_element, x, y, p, c); }},
        {"v3: lock per chunk (task 2)", true,
         [](vec x, vec y, parlab::thread_pool& p, std::size_t c) { return with_lock(lab::dot_lock_per_chunk, x, y, p, c); }},
        {"atomic add per chunk (task 3)", false,
         [](vec x, vec y, parlab::thread_pool& p, std::size_t c) { return run_result{lab::dot_atomic_per_chunk(x, y, p, c)}; }},
        {"per worker, adjacent (task 4)", false,
         [](vec x, vec y, parlab::thread_pool& p, std::size_t c) { return run_result{lab::dot_per_worker_adjacent(x, y, p, c).value}; }},
        {"per worker, padded (task 4)", false,
         [](vec x, vec y, parlab::thread_pool& p, std::size_t c) { return run_result{lab::dot_per_worker_padded(x, y, p, c).value}; }},
    };
}

void bench_size(std::size_t n, const std::vector<std::size_t>& worker_counts) {
    const std::vector<double> x_values = lab::random_vector(n, 1);
    const std::vector<double> y_values = lab::random_vector(n, 2);
    const vec x = x_values, y = y_values;
    const double want = serial_dot(x, y);  // rounding differences are ~1e-14, lost updates ~1e-6
    const std::size_t chunks = lab::default_chunks;
    const std::size_t repetitions = n > 2'000'000 ? 3 : 5;

    std::printf("\nDot product of %zu doubles in %zu chunks: median of %zu runs, in ms\n", n, chunks,
                repetitions);
    std::printf("%-32s", "version");
    for (std::size_t w : worker_counts) std::printf(" %7zu w", w);
    std::printf("   %-34s %s\n", "lock taken (contended), most workers", "worst rel. error");

    double v2_time = 0, v3_time = 0, serial_time = 0;
    for (const version& v : versions()) {
        std::printf("%-32s", v.name.c_str());
        run_result last;
        double worst_error = 0;
        try {
            parlab::thread_pool probe(1);
            (void)v.run(x.subspan(0, 0), y.subspan(0, 0), probe, chunks);
        } catch (const std::exception& e) {
            std::printf(" %s\n", e.what());
            continue;
        }
        for (std::size_t w : worker_counts) {
            parlab::thread_pool pool(w);
            const parlab::time_summary times = parlab::time_repeated(
                [&] {
                    last = v.run(x, y, pool, chunks);
                    worst_error = std::max(worst_error, std::abs(last.value - want) / want);
                },
                repetitions);
            std::printf(" %9.2f", 1000 * times.median);
            if (w == 2 && v.name.starts_with("v2")) v2_time = times.median;
            if (w == 2 && v.name.starts_with("v3")) v3_time = times.median;
            if (v.name.starts_with("serial")) serial_time = times.median;
            if (v.name.starts_with("serial")) {
                for (std::size_t k = 1; k < worker_counts.size(); ++k) std::printf(" %9s", "");
                break;
            }
        }
        const std::string locks = v.locked ? std::to_string(last.acquisitions) + " (" +
                                                 std::to_string(last.contended) + ")"
                                           : "-";
        std::printf("   %-34s %.1e\n", locks.c_str(), worst_error);
    }
    if (v2_time > 0 && v3_time > 0)
        std::printf("With 2 workers, v3 is %.1f times as fast as v2 and %.2f times as fast as the serial loop.\n",
                    v2_time / v3_time, serial_time / v3_time);
}

// A vector length from the command line: a positive integer.
std::size_t parse_size(const std::string& text) {
    std::size_t n = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (error != std::errc() || end != text.data() + text.size() || n == 0)
        throw std::invalid_argument("N must be a positive number of elements, got '" + text + "'");
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::size_t> sizes;
        for (int i = 1; i < argc; ++i) sizes.push_back(parse_size(argv[i]));
        if (sizes.empty()) sizes = {1'000'000, 10'000'000};
        std::vector<std::size_t> worker_counts = {1, 2};
        if (parlab::default_workers() > 2) worker_counts.push_back(parlab::default_workers());
        for (std::size_t n : sizes) bench_size(n, worker_counts);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "parlab_lab02_bench: %s\n", e.what());
        return 1;
    }
}
