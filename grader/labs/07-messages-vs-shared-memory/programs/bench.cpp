// You do not need to modify this file.
//
// The figures of lab 07 on this machine (`./parlab bench --only 07` runs it on the solutions).
// Every table of solutions/07-messages-vs-shared-memory/ANSWERS.md comes from here, under the
// same section numbers:
//   1. the source material's two arrays: sum_through_pipe, sum_through_shared_memory with one
//      slot made beforehand, sum_values alone;
//   2. the bandwidth sweep from 1 number to 500 x 9111 (time_transfers), with the time per byte,
//      and what every one of those transfers pays before a byte moves: forking and joining a child;
//   3. the 500 x 9111 transfer taken apart: the machine's own pipe throughput (64 KiB pieces
//      through write_all from a child into one read_full, no framing, no sum), the shared-memory
//      transfer with a child that does not map the slot's pages first and with a new segment
//      every time, and the counts the text works with;
//   6. latency apart from bandwidth: one child forked once, then for each message size many round
//      trips (the parent sends, the child answers with as many bytes) through a pair of pipes and
//      through one shared slot handed back and forth with two process semaphores; the median time
//      of a round trip, halved, is the time of one message.
// Then the bounded buffer's items per second with 1 producer and 1 consumer (and with 2 and 2).
// Every figure of sections 1 to 3 is the median of R timed runs after one untimed run.
//
//   parlab_lab07_bench [--max-workers N] [--repetitions R]
//     --max-workers N    accepted for ./parlab bench, not used
//     --repetitions R    timed runs per figure (default 5)

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "latency.hpp"
#include "messages.hpp"
#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/splitmix.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

namespace {

namespace lab07 = parlab::lab07;
namespace programs = parlab::lab07::programs;

constexpr std::size_t rows = 500, cols = 9111;

std::vector<double> random_values(std::size_t n) {
    return parlab::uniform_values(n, 5, 0.0, 1.0);
}

// The machine's pipe: a child writes `bytes` in 64 KiB pieces, the parent reads them into one
// buffer, both through the lab's write_all and read_full (task 1: the solutions' in the kit, yours
// in the student edition). What a message through a pipe cannot beat.
double plain_pipe_ms(const std::vector<double>& values, std::size_t repetitions) {
    const std::size_t bytes = values.size() * sizeof(double);
    std::vector<char> into(bytes);
    return parlab::teaching::median_ms(
        [&] {
            parlab::pipe_ends ends = parlab::make_pipe();
            auto child = parlab::process::start([&] {
                ends.read.close();
                const auto* from = reinterpret_cast<const char*>(values.data());
                for (std::size_t done = 0; done < bytes; done += 65536)
                    lab07::write_all(ends.write.get(), from + done, std::min<std::size_t>(bytes - done, 65536));
            });
            ends.write.close();
            if (lab07::read_full(ends.read.get(), into.data(), bytes) != bytes)
                throw std::runtime_error("the plain pipe ended early");
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

// ---- sections 1 to 3 -------------------------------------------------------------------------

// sum_through_shared_memory(a, slot) as it would be without map_for_writing: the child stops for a
// page fault at its first write to each page of the slot.
double sum_without_mapping_first(lab07::array_view a, lab07::shared_array_slot& slot) {
    auto child = parlab::process::start([&] {
        slot.header() = {a.rows, a.cols};
        std::memcpy(slot.numbers(), a.data, a.size() * sizeof(double));
        slot.ready().post();
    });
    if (!slot.ready().wait_for(10.0)) throw std::runtime_error("the writing child never said ready");
    const double sum = lab07::sum_values(slot.numbers(), a.size());
    child.join_or_throw();
    return sum;
}

double ms(double seconds) { return seconds * 1e3; }

int run(const parlab::teaching::bench_options& o) {
    const std::size_t repetitions = o.repetitions == 0 ? 5 : o.repetitions;
    std::printf("Lab 07 on %zu CPUs, median of %zu runs after one untimed run (section 6: of many round trips).\n"
                "The tables are those of solutions/07-messages-vs-shared-memory/ANSWERS.md, section by section.\n",
                parlab::available_cpus(), repetitions);

    // The sweep gives sections 1 and 2: its last two shapes are the source material's arrays.
    const std::vector<lab07::shape> shapes = {{1, 1},     {1, 10},    {1, 100},    {1, 1000},  {1, 8000},
                                              {1, 30000}, {10, 9111}, {170, 9111}, {rows, cols}};
    const std::vector<lab07::transfer_timing> sweep = lab07::time_transfers(shapes, repetitions);

    std::printf("\n1. The source material's two arrays (shared memory: one slot made beforehand).\n\n");
    std::printf("  | array | bytes | pipe | shared memory (one slot) | sum alone | pipe / shared |\n");
    std::printf("  |-------|-------|------|--------------------------|-----------|---------------|\n");
    for (std::size_t i = shapes.size() - 2; i < shapes.size(); ++i) {
        const std::vector<double> values = random_values(shapes[i].rows * shapes[i].cols);
        const double sum = parlab::teaching::median_ms([&] { (void)lab07::sum_values(values.data(), values.size()); },
                                                       repetitions);
        std::printf("  | %zu x %zu | %.1f MB | %.1f ms | %.1f ms | %.2f ms | %.1fx |\n", shapes[i].rows, shapes[i].cols,
                    static_cast<double>(values.size() * sizeof(double) + 16) / 1e6, ms(sweep[i].pipe_seconds),
                    ms(sweep[i].shared_seconds), sum, sweep[i].pipe_seconds / sweep[i].shared_seconds);
    }

    std::printf("\n2. Bandwidth: the sweep, every transfer a new child (fork, send, join).\n\n");
    std::printf("  | numbers | bytes | pipe | ns per byte | shared | ns per byte |\n");
    std::printf("  |---------|-------|------|-------------|--------|-------------|\n");
    for (const lab07::transfer_timing& t : sweep) {
        const std::size_t bytes = t.rows * t.cols * sizeof(double) + 16;
        // three significant digits, never in exponent form
        const auto per_byte = [&](double seconds) {
            const double ns = seconds * 1e9 / static_cast<double>(bytes);
            char text[32];
            std::snprintf(text, sizeof text, ns >= 100 ? "%.0f" : ns >= 10 ? "%.1f" : "%.2f", ns);
            return std::string(text);
        };
        std::printf("  | %zu | %zu | %.3f ms | %s | %.3f ms | %s |\n", t.rows * t.cols, bytes, ms(t.pipe_seconds),
                    per_byte(t.pipe_seconds).c_str(), ms(t.shared_seconds), per_byte(t.shared_seconds).c_str());
    }
    std::printf("\n  the fixed cost in every row: forking a child that does nothing and joining it: %.3f ms\n",
                programs::fork_and_join_ms(repetitions));

    const std::vector<double> values = random_values(rows * cols);
    const lab07::array_view a{values.data(), rows, cols};
    const std::size_t bytes = values.size() * sizeof(double);
    const double mb = static_cast<double>(bytes) / 1e6;
    std::printf("\n3. The %zu x %zu transfer (%.1f MB) taken apart.\n\n", rows, cols, mb);
    const double plain = plain_pipe_ms(values, repetitions);
    const double pipe = parlab::teaching::median_ms([&] { (void)lab07::sum_through_pipe(a); }, repetitions);
    lab07::shared_array_slot slot(values.size());
    const double shared = parlab::teaching::median_ms([&] { (void)lab07::sum_through_shared_memory(a, slot); }, repetitions);
    const double unmapped = parlab::teaching::median_ms([&] { (void)sum_without_mapping_first(a, slot); }, repetitions);
    const double fresh = parlab::teaching::median_ms([&] { (void)lab07::sum_through_shared_memory(a); }, repetitions);
    std::printf("  | way (%zu x %zu, %.1f MB) | time | GB/s | pipe / this |\n", rows, cols, mb);
    std::printf("  |-----|------|------|-------------|\n");
    std::printf("  | plain pipe loop (64 KiB writes, one buffer, no sum) | %.1f ms | %.2f | %.2fx |\n", plain, mb / plain,
                pipe / plain);
    std::printf("  | sum_through_pipe (framed message + sum) | %.1f ms | %.2f | 1.00x |\n", pipe, mb / pipe);
    std::printf("  | sum_through_shared_memory, one slot made beforehand | %.1f ms | %.2f | %.2fx |\n", shared, mb / shared,
                pipe / shared);
    std::printf("  | the same, the child without map_for_writing (a page fault per page) | %.1f ms | %.2f | %.2fx |\n",
                unmapped, mb / unmapped, pipe / unmapped);
    std::printf("  | sum_through_shared_memory, a new segment every time | %.1f ms | %.2f | %.2fx |\n", fresh, mb / fresh,
                pipe / fresh);
    std::printf("\n  counts: %zu bytes of numbers = %zu rounds of a 64 KiB pipe buffer, %zu pages of 4 KiB\n", bytes,
                (bytes + 65535) / 65536, (bytes + 4095) / 4096);

    std::printf("\n6. Latency apart from bandwidth: one child forked once, then round trips (the parent sends, the\n"
                "   child answers with as many bytes); one message = half the median round trip.\n\n");
    programs::print_latency(programs::measure_latency());

    std::printf("\nThe bounded buffer (task 3):\n\n");
    for (const auto& [p, c] : {std::pair<std::size_t, std::size_t>{1, 1}, {2, 2}})
        std::printf("  bounded buffer, %zu producer%s and %zu consumer%s, capacity 256: %6.2f million items/s\n", p,
                    p == 1 ? "" : "s", c, c == 1 ? "" : "s", pipeline_items_per_second(p, c, repetitions) / 1e6);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_bench(
        "parlab_lab07_bench", {.max_workers = "accepted for ./parlab bench, not used", .repetitions = 5}, argc, argv,
        run);
}
