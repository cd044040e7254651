// You do not need to modify this file.
//
// The figures of lab 07 on this machine (`./parlab bench` runs it on the solutions): the pipe
// transfer of 500 x 9111 doubles (sum_through_pipe) against the machine's own pipe throughput
// (a plain loop of 64 KiB write()s from a child into a read() loop in the parent, the same bytes,
// with no framing and no sum), the shared-memory transfer of the same array, and the bounded
// buffer's items per second with 1 producer and 1 consumer (and with 2 and 2). Every figure is
// the median of R timed runs after one untimed run.
//
//   parlab_lab07_bench [--max-workers N] [--repetitions R]
//     --max-workers N    accepted for ./parlab bench, not used
//     --repetitions R    timed runs per figure (default 5)

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages.hpp"
#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/teaching.hpp"
#include "parlab/workers.hpp"
#include "parlab/timing.hpp"

namespace {

namespace lab07 = parlab::lab07;

constexpr std::size_t rows = 500, cols = 9111;

// The machine's pipe: a child writes `bytes` in 64 KiB pieces, the parent reads them into one
// buffer. What a message through a pipe cannot beat.
double plain_pipe_ms(const std::vector<double>& values, std::size_t repetitions) {
    const std::size_t bytes = values.size() * sizeof(double);
    std::vector<char> into(bytes);
    return parlab::teaching::median_ms(
        [&] {
            parlab::pipe_ends ends = parlab::make_pipe();
            auto child = parlab::process::start([&] {
                ends.read.close();
                const auto* from = reinterpret_cast<const char*>(values.data());
                for (std::size_t done = 0; done < bytes;) {
                    const ssize_t n = ::write(ends.write.get(), from + done, std::min<std::size_t>(bytes - done, 65536));
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0) throw std::runtime_error("write failed");
                    done += static_cast<std::size_t>(n);
                }
            });
            ends.write.close();
            for (std::size_t done = 0; done < bytes;) {
                const ssize_t n = ::read(ends.read.get(), into.data() + done, bytes - done);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) throw std::runtime_error("the plain pipe ended early");
                done += static_cast<std::size_t>(n);
            }
            child.join_or_throw();
        },
        repetitions);
}

double pipeline_items_per_second(std::size_t producers, std::size_t consumers, std::size_t repetitions) {
    constexpr std::size_t items = 1000000;
    const std::size_t per_producer = items / producers;
    const double ms = parlab::teaching::median_ms(
        [&] {
            lab07::run_pipeline(
                {producers, consumers, 256, per_producer},
                [](std::size_t p, std::size_t k) {
                    return lab07::item{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(k), k};
                },
                [](std::size_t, const lab07::item&) {});
        },
        repetitions);
    return static_cast<double>(per_producer * producers) / (ms / 1e3);
}

int run(const parlab::teaching::bench_options& o) {
    const std::size_t repetitions = o.repetitions == 0 ? 5 : o.repetitions;
    std::vector<double> values(rows * cols);
    std::mt19937_64 random(5);
    std::uniform_real_distribution<double> number(0.0, 1.0);
    for (double& v : values) v = number(random);
    const lab07::array_view a{values.data(), rows, cols};
    const double mb = static_cast<double>(values.size() * sizeof(double)) / 1e6;
    std::printf("Lab 07 on %zu CPUs: %zu x %zu doubles (%.1f MB), median of %zu runs after one untimed run.\n\n",
                parlab::available_cpus(), rows, cols, mb, repetitions);

    const double plain = plain_pipe_ms(values, repetitions);
    const double pipe = parlab::teaching::median_ms([&] { (void)lab07::sum_through_pipe(a); }, repetitions);
    lab07::shared_array_slot slot(values.size());
    const double shared = parlab::teaching::median_ms([&] { (void)lab07::sum_through_shared_memory(a, slot); }, repetitions);
    const double sum = parlab::teaching::median_ms([&] { (void)lab07::sum_values(values.data(), values.size()); }, repetitions);
    std::printf("  %-52s %9.2f ms %8.2f GB/s\n", "plain pipe loop (64 KiB writes, one buffer)", plain, mb / plain);
    std::printf("  %-52s %9.2f ms %8.2f GB/s  %3.0f%% of the plain pipe\n", "sum_through_pipe (framed message + sum)", pipe,
                mb / pipe, 100.0 * plain / pipe);
    std::printf("  %-52s %9.2f ms %8.2f GB/s  %.2fx the pipe\n", "sum_through_shared_memory (one slot)", shared,
                mb / shared, pipe / shared);
    std::printf("  %-52s %9.2f ms\n\n", "sum_values alone", sum);

    for (const auto& [p, c] : {std::pair<std::size_t, std::size_t>{1, 1}, {2, 2}})
        std::printf("  bounded buffer, %zu producer%s and %zu consumer%s, capacity 256: %6.2f million items/s\n", p,
                    p == 1 ? "" : "s", c, c == 1 ? "" : "s", pipeline_items_per_second(p, c, repetitions) / 1e6);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program(
        "parlab_lab07_bench",
        "usage: parlab_lab07_bench [--max-workers N] [--repetitions R]\n"
        "  --max-workers N    accepted for ./parlab bench, not used\n"
        "  --repetitions R    timed runs per figure (default 5)\n",
        argc, argv, parlab::teaching::bench_options::parse, run);
}
