// You do not need to modify this file.
//
// Times every version of the dot product against a plain serial loop and prints a table: the
// median time per worker count, how often the lock was taken (and contended), and the largest
// relative error seen (against the serial loop). Build in Release for meaningful times.
//
//   parlab_lab02_bench [--max-workers N] [--repetitions R] [N...]
//     N                  elements of each vector, one table per N (default: 1000000 and 10000000)
//     --max-workers N    workers: 1, 2 and N (default N: PARLAB_WORKERS or the CPUs
//                        available; N is left out when it is not more than 2)
//     --repetitions R    timed runs per figure (default 5, or 3 above 2000000 elements)

#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dot.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

namespace {

namespace lab = parlab::lab02;
using vec = std::span<const double>;

constexpr std::string_view usage =
    "usage: parlab_lab02_bench [--max-workers N] [--repetitions R] [N...]\n"
    "  N                  elements of each vector, one table per N (default: 1000000 and 10000000)\n"
    "  --max-workers N    workers: 1, 2 and N (default N: PARLAB_WORKERS or the CPUs\n"
    "                     available; N is left out when it is not more than 2)\n"
    "  --repetitions R    timed runs per figure (default 5, or 3 above 2000000 elements)\n";

// The largest N the command line accepts (two vectors of 1.6 GB each).
constexpr std::size_t most_elements = 200'000'000;

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

void bench_size(std::size_t n, const std::vector<std::size_t>& worker_counts, std::size_t repetitions_given) {
    const std::vector<double> x_values = lab::random_vector(n, 1);
    const std::vector<double> y_values = lab::random_vector(n, 2);
    const vec x = x_values, y = y_values;
    const double want = serial_dot(x, y);  // rounding differences are ~1e-14, lost updates ~1e-6
    const std::size_t chunks = lab::default_chunks;
    const std::size_t repetitions = repetitions_given > 0 ? repetitions_given : n > 2'000'000 ? 3 : 5;

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
    if (v2_time > 0 && v3_time > 0) {
        const double over_v2 = v2_time / v3_time;
        const double over_serial = serial_time / v3_time;
        const auto slower = [](double ratio) { return ratio < 1 ? " (slower)" : ""; };
        std::printf("With 2 workers, v3 is %.1f times as fast as v2%s and %.2f times as fast as the serial loop%s.\n",
                    over_v2, slower(over_v2), over_serial, slower(over_serial));
    }
}

struct options {
    parlab::teaching::bench_options bench;
    std::vector<std::size_t> sizes;
};

options parse(int argc, char** argv) {
    options o;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (o.bench.read(args)) continue;
        if (!args.positional()) args.unknown();
        o.sizes.push_back(parlab::parse_positive(args.current(), "N (elements)", most_elements));
    }
    if (o.sizes.empty()) o.sizes = {1'000'000, 10'000'000};
    return o;
}

int run(const options& o) {
    const std::size_t most = o.bench.max_workers > 0 ? o.bench.max_workers : parlab::default_workers();
    std::vector<std::size_t> worker_counts = {1, 2};
    if (o.bench.max_workers == 1) worker_counts = {1};
    if (most > 2) worker_counts.push_back(most);
    for (std::size_t n : o.sizes) bench_size(n, worker_counts, o.bench.repetitions);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("parlab_lab02_bench", usage, argc, argv, parse, run);
}
