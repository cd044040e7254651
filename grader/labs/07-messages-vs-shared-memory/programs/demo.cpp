// You do not need to modify this file.
//
// Lab 07 classroom demo (`./parlab demo messages-vs-shared-memory [--solutions]`): the transfer
// sweep of task 2 (your sum_through_pipe against your sum_through_shared_memory with one slot,
// from 1 number to the source material's 500 x 9111, each sum checked), as a table and as a plot
// with log axes and the crossover marked (transfer.svg); then what one message costs when the child
// already runs, through your write_all and read_full and through a slot in shared memory (the
// latency table of latency.hpp); then your bounded buffer running, with a live line per consumer
// showing the items it took. A function that throws is shown as such, one
// that hangs is stopped after its time budget.
//
//   parlab_lab07_demo [--out DIR] [--repetitions R]
//     --out DIR          folder for the plot (default: lab07-demo)
//     --repetitions R    timed runs per figure, after one untimed run (default 5)

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "latency.hpp"
#include "messages.hpp"
#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"

namespace {

namespace lab07 = parlab::lab07;
using parlab::teaching::outcome;

using options = parlab::teaching::timed_demo_options;

struct figure {
    double seconds = 0;
    bool right = false;
};

struct sweep_row {
    lab07::shape shape;
    outcome<figure> pipe;
    outcome<figure> shared;
};

template <class Transfer>
outcome<figure> measure(const std::vector<double>& values, lab07::shape s, std::size_t repetitions, Transfer transfer) {
    return parlab::teaching::run_guarded<figure>(30.0, [&] {
        const lab07::array_view a{values.data(), s.rows, s.cols};
        const double expected = lab07::sum_values(values.data(), values.size());
        double got = 0;
        const double seconds = parlab::time_repeated([&] { got = transfer(a); }, repetitions).median;
        return figure{seconds, got == expected};
    });
}

std::string cell(const outcome<figure>& f, std::size_t bytes) {
    if (!f.value) return f.problem.substr(0, 40);
    if (!f.value->right) return "wrong sum";
    char text[64];
    std::snprintf(text, sizeof text, "%10.3f ms %8.2f ns/B", f.value->seconds * 1e3,
                  f.value->seconds * 1e9 / static_cast<double>(std::max<std::size_t>(bytes, 1)));
    return text;
}

bool usable(const outcome<figure>& f) { return f.value && f.value->right; }

// The smallest size from which shared memory stays faster than the pipe (0: none).
std::size_t crossover(const std::vector<sweep_row>& rows) {
    std::size_t from = 0;
    for (const sweep_row& r : rows) {
        if (!usable(r.pipe) || !usable(r.shared)) return 0;
        const bool shared_faster = r.shared.value->seconds < r.pipe.value->seconds;
        if (!shared_faster) from = 0;
        else if (from == 0) from = r.shape.rows * r.shape.cols * sizeof(double) + 16;
    }
    return from;
}

// Time against bytes, both axes logarithmic, pipe in blue and shared memory in red, the
// crossover as a dashed line.
void write_svg(const std::filesystem::path& file, const std::vector<sweep_row>& rows, std::size_t cross) {
    const double width = 760, height = 460, left = 70, right = 20, top = 20, bottom = 60;
    double lo_t = 1e9, hi_t = 0;
    const double lo_b = 16, hi_b = 500.0 * 9111 * 8 + 16;
    for (const sweep_row& r : rows)
        for (const auto* f : {&r.pipe, &r.shared})
            if (usable(*f)) {
                lo_t = std::min(lo_t, f->value->seconds);
                hi_t = std::max(hi_t, f->value->seconds);
            }
    if (hi_t <= 0) throw std::runtime_error("nothing to plot: neither way gave a right sum");
    lo_t /= 2;
    hi_t *= 2;
    auto x = [&](double bytes) { return left + (width - left - right) * std::log10(bytes / lo_b) / std::log10(hi_b / lo_b); };
    auto y = [&](double t) { return top + (height - top - bottom) * std::log10(hi_t / t) / std::log10(hi_t / lo_t); };
    parlab::teaching::output_file out(file);
    std::ostream& svg = out.stream();
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" "
        << "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    for (double b = 10; b <= hi_b * 1.01; b *= 10)
        if (b >= lo_b)
            svg << "<line x1=\"" << x(b) << "\" y1=\"" << top << "\" x2=\"" << x(b) << "\" y2=\"" << height - bottom
                << "\" stroke=\"#eee\"/><text x=\"" << x(b) - 10 << "\" y=\"" << height - bottom + 16 << "\">1e"
                << std::lround(std::log10(b)) << "</text>\n";
    for (double t = std::pow(10.0, std::floor(std::log10(lo_t))); t <= hi_t; t *= 10)
        if (t >= lo_t)
            svg << "<line x1=\"" << left << "\" y1=\"" << y(t) << "\" x2=\"" << width - right << "\" y2=\"" << y(t)
                << "\" stroke=\"#eee\"/><text x=\"4\" y=\"" << y(t) + 4 << "\">1e" << std::lround(std::log10(t))
                << " s</text>\n";
    auto line = [&](bool pipe, const char* colour, const char* label, double at) {
        std::string points;
        for (const sweep_row& r : rows) {
            const auto& f = pipe ? r.pipe : r.shared;
            if (!usable(f)) continue;
            points += std::to_string(x(static_cast<double>(r.shape.rows * r.shape.cols * 8 + 16))) + "," +
                      std::to_string(y(f.value->seconds)) + " ";
        }
        svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"" << points << "\"/>\n"
            << "<text x=\"" << left + 10 << "\" y=\"" << at << "\" fill=\"" << colour << "\">" << label << "</text>\n";
    };
    line(true, "#1f77b4", "pipe (sum_through_pipe)", top + 14);
    line(false, "#d62728", "shared memory (sum_through_shared_memory, one slot)", top + 30);
    if (cross > 0)
        svg << "<line x1=\"" << x(static_cast<double>(cross)) << "\" y1=\"" << top << "\" x2=\"" << x(static_cast<double>(cross))
            << "\" y2=\"" << height - bottom << "\" stroke=\"black\" stroke-dasharray=\"5,4\"/>\n<text x=\""
            << x(static_cast<double>(cross)) + 4 << "\" y=\"" << top + 50 << "\">crossover: " << cross << " bytes</text>\n";
    svg << "<text x=\"" << width / 2 - 60 << "\" y=\"" << height - 20 << "\">bytes moved (log)</text>\n</svg>\n";
    out.close();
}

// Runs the bounded buffer in a child and shows, every 0.1 s, how many items each consumer took.
void live_pipeline() {
    constexpr std::size_t producers = 2, consumers = 3, per_producer = 300000;
    std::printf("\nThe bounded buffer: %zu producers x %zu items, %zu consumers, capacity 16.\n", producers, per_producer,
                consumers);
    parlab::shared_array<std::atomic<long>> taken(consumers);
    parlab::shared_array<std::atomic<long>> in_caller(1);  // items taken in run_pipeline's caller
    const auto start = std::chrono::steady_clock::now();
    auto child = parlab::process::start([&] {
        ::setpgid(0, 0);  // a group of its own: the producers and consumers it forks end with it
        lab07::run_pipeline(
            {producers, consumers, 16, per_producer},
            [](std::size_t p, std::size_t k) {
                return lab07::item{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(k), k};
            },
            [&, caller = ::getpid()](std::size_t c, const lab07::item&) {
                if (c < consumers) taken[c].fetch_add(1, std::memory_order_relaxed);
                if (::getpid() == caller) in_caller[0].fetch_add(1, std::memory_order_relaxed);
            });
    });
    ::setpgid(child.pid(), child.pid());  // also from here, whichever of the two runs first
    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    auto show = [&](bool first) {
        if (terminal && !first) std::printf("\033[%zuA", consumers);
        for (std::size_t c = 0; c < consumers; ++c) {
            const long n = taken[c].load();
            const int bar = static_cast<int>(50.0 * static_cast<double>(n) / static_cast<double>(producers * per_producer));
            std::printf("  consumer %zu %9ld items  %s%s\n", c, n, std::string(static_cast<std::size_t>(bar), '#').c_str(),
                        terminal ? "\033[K" : "");
        }
        std::fflush(stdout);
    };
    bool first = true;
    long last_total = -1;
    for (int tick = 0; tick < 300; ++tick) {
        long total = 0;
        for (std::size_t c = 0; c < consumers; ++c) total += taken[c].load();
        if (terminal || tick % 10 == 0) {
            show(first);
            first = false;
        }
        if (total == static_cast<long>(producers * per_producer) || (tick > 20 && total == last_total)) break;
        last_total = total;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!terminal) show(false);
    // A pipeline that hangs is stopped with everything it forked; a finished one is not hurt (its
    // processes have ended, and the group's leader is not reaped yet).
    ::kill(-child.pid(), SIGKILL);
    const parlab::exit_status status = child.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    long total = 0;
    for (std::size_t c = 0; c < consumers; ++c) total += taken[c].load();
    if (in_caller[0].load() > 0)
        std::printf("%ld items were taken in run_pipeline's own process: there are no consumer processes yet.\n",
                    in_caller[0].load());
    else if (total == static_cast<long>(producers * per_producer) && status.ok())
        std::printf("All %ld items taken in %.2f s: %.2f million items per second.\n", total, seconds, static_cast<double>(total) / seconds / 1e6);
    else
        std::printf("%ld of %zu items taken: %s\n", total, producers * per_producer,
                    status.ok() ? "run_pipeline returned early" : ("stopped: " + status.describe() + " " + status.error).c_str());
}

int run(const options& o) {
    const std::vector<lab07::shape> shapes = {{1, 1},     {1, 10},     {1, 100},   {1, 1000},  {1, 8000},
                                              {1, 30000}, {10, 9111},  {170, 9111}, {500, 9111}};
    std::printf("Moving arrays of doubles from a child to its parent and summing them; median of %zu runs.\n\n",
                o.repetitions);
    std::printf("  %-12s %12s   %-32s %-32s %s\n", "array", "bytes", "pipe", "shared memory (one slot)", "pipe/shared");
    std::mt19937_64 random(3);
    std::uniform_real_distribution<double> number(0.0, 1.0);
    std::vector<sweep_row> rows;
    for (const lab07::shape s : shapes) {
        std::vector<double> values(s.rows * s.cols);
        for (double& v : values) v = number(random);
        sweep_row r{s, {}, {}};
        r.pipe = measure(values, s, o.repetitions, [](lab07::array_view a) { return lab07::sum_through_pipe(a); });
        r.shared = measure(values, s, o.repetitions, [s](lab07::array_view a) {
            static lab07::shared_array_slot* slot = nullptr;  // one per guarded child, made before the timing
            if (slot == nullptr) slot = new lab07::shared_array_slot(s.rows * s.cols);
            return lab07::sum_through_shared_memory(a, *slot);
        });
        const std::size_t bytes = values.size() * sizeof(double) + 16;
        char ratio[32] = "-";
        if (usable(r.pipe) && usable(r.shared))
            std::snprintf(ratio, sizeof ratio, "%.2fx", r.pipe.value->seconds / r.shared.value->seconds);
        const std::string name = std::to_string(s.rows) + " x " + std::to_string(s.cols);
        std::printf("  %-12s %12zu   %-32s %-32s %s\n", name.c_str(), bytes, cell(r.pipe, bytes).c_str(),
                    cell(r.shared, bytes).c_str(), ratio);
        rows.push_back(std::move(r));
    }
    const std::size_t cross = crossover(rows);
    if (cross > 0) {
        std::size_t below = 0, pipe_faster = 0;
        for (const sweep_row& r : rows)
            if (r.shape.rows * r.shape.cols * sizeof(double) + 16 < cross) {
                ++below;
                pipe_faster += r.pipe.value->seconds <= r.shared.value->seconds ? 1 : 0;
            }
        std::printf("\nFrom %zu bytes on, shared memory was faster in every row; below, the pipe was as fast or faster "
                    "in %zu of %zu rows (at these sizes each transfer's fork() costs more than the bytes).\n",
                    cross, pipe_faster, below);
    }
    std::filesystem::create_directories(o.out);
    const std::filesystem::path plot = o.out / "transfer.svg";
    try {
        write_svg(plot, rows, cross);
        std::printf("Wrote %s: time against bytes, both ways, log axes.\n", plot.string().c_str());
    } catch (const std::exception& e) {
        std::printf("No plot: %s\n", e.what());
    }
    std::printf("\nLatency: one child forked once, then round trips (the parent sends, the child answers with as\n"
                "many bytes); one message = half the median round trip.\n\n");
    namespace programs = parlab::lab07::programs;
    const outcome<programs::latency_table> latency =
        parlab::teaching::run_guarded<programs::latency_table>(60.0, [] { return programs::measure_latency(); });
    if (latency.value) programs::print_latency(*latency.value);
    else std::printf("  %s\n", latency.problem.c_str());
    std::printf("\n  For comparison, forking a child that does nothing and joining it: %.3f ms\n",
                programs::fork_and_join_ms(o.repetitions));
    live_pipeline();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_timed_demo("parlab_lab07_demo", "the plot", {.out = "lab07-demo", .repetitions = 5},
                                            argc, argv, run);
}
