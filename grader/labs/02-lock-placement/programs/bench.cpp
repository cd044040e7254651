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
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dot.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"
#include "versions.hpp"

namespace {

namespace lab = parlab::lab02;
namespace programs = parlab::lab02::programs;

constexpr std::string_view usage =
    "usage: parlab_lab02_bench [--max-workers N] [--repetitions R] [N...]\n"
    "  N                  elements of each vector, one table per N (default: 1000000 and 10000000)\n"
    "  --max-workers N    workers: 1, 2 and N (default N: PARLAB_WORKERS or the CPUs\n"
    "                     available; N is left out when it is not more than 2)\n"
    "  --repetitions R    timed runs per figure (default 5, or 3 above 2000000 elements)\n";

// The largest N the command line accepts (two vectors of 1.6 GB each).
constexpr std::size_t most_elements = 200'000'000;

void bench_size(std::size_t n, const std::vector<std::size_t>& worker_counts, std::size_t repetitions_given) {
    const programs::dot_input in = programs::random_input(n);
    const double want = programs::serial_dot(in.x, in.y);  // rounding differences are ~1e-14, lost updates ~1e-6
    const std::size_t chunks = lab::default_chunks;
    const std::size_t repetitions = repetitions_given > 0 ? repetitions_given : n > 2'000'000 ? 3 : 5;

    std::printf("\nDot product of %zu doubles in %zu chunks: median of %zu runs, in ms\n", n, chunks,
                repetitions);
    std::printf("%-32s", "version");
    for (std::size_t w : worker_counts) std::printf(" %7zu w", w);
    std::printf("   %-34s %s\n", "lock taken (contended), most workers", "worst rel. error");

    double v2_time = 0, v3_time = 0, serial_time = 0;
    for (const programs::version& v : programs::versions) {
        const std::string_view name = v.name;
        std::printf("%-32s", v.name);
        programs::run_result last;
        double worst_error = 0;
        try {
            parlab::thread_pool probe(1);
            (void)v.run({}, {}, probe, chunks);
        } catch (const std::exception& e) {
            std::printf(" %s\n", e.what());
            continue;
        }
        for (std::size_t w : worker_counts) {
            parlab::thread_pool pool(w);
            const parlab::time_summary times = parlab::time_repeated(
                [&] {
                    last = v.run(in.x, in.y, pool, chunks);
                    worst_error = std::max(worst_error, std::abs(last.value - want) / want);
                },
                repetitions);
            std::printf(" %9.2f", 1000 * times.median);
            if (w == 2 && name.starts_with("v2")) v2_time = times.median;
            if (w == 2 && name.starts_with("v3")) v3_time = times.median;
            if (name.starts_with("serial")) serial_time = times.median;
            if (name.starts_with("serial")) {
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
