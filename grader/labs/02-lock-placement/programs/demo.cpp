// You do not need to modify this file.
//
// Lab 02 classroom demo (`./parlab demo lock-placement [--solutions]`): versions 1, 2 and 3 of
// the dot product (and the atomic of task 3) side by side: the result, its error against a
// careful serial reference (Neumaier's compensated sum of the products), the time and how
// often the lock was taken. A version that throws is shown as "not done yet", one that hangs
// is stopped after its time budget.
//
//   parlab_lab02_demo [--out DIR] [--size N] [--workers N] [--chunks N] [--runs N]
//     --out DIR       folder for results.csv (default: lab02-demo)
//     --size N        elements of each vector (default 5000000)
//     --workers N     threads of the pool (default: PARLAB_WORKERS or the CPUs, at least 2)
//     --chunks N      chunks the vectors are cut into (default 64)
//     --runs N        runs of every version; the time is their median (default 3)

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "../reference.hpp"  // the grader's reference dot product (compensated sum)
#include "dot.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"
#include "versions.hpp"

namespace {

using parlab::teaching::outcome;
using parlab::teaching::run_guarded;

namespace lab = parlab::lab02;
namespace programs = parlab::lab02::programs;

constexpr std::string_view usage =
    "usage: parlab_lab02_demo [--out DIR] [--size N] [--workers N] [--chunks N] [--runs N]\n"
    "  --out DIR       folder for results.csv (default: lab02-demo)\n"
    "  --size N        elements of each vector (default 5000000)\n"
    "  --workers N     threads of the pool (default: PARLAB_WORKERS or the CPUs, at least 2)\n"
    "  --chunks N      chunks the vectors are cut into (default 64)\n"
    "  --runs N        runs of every version; the time is their median (default 3)\n";

// All runs of one version together may take this long; a hang is stopped there.
constexpr double budget_per_version = 10.0;

// The demo shows the versions up to this task; task 4's are the benchmark's.
constexpr int last_task_shown = 3;

// What the runs of one version report (trivially copyable: it crosses a process boundary).
struct measured {
    double value = 0;         // the first run's result
    double worst_error = 0;   // largest |result - reference| of all runs
    double seconds = 0;       // median time of a run
    std::uint64_t acquisitions = 0;
    std::uint64_t contended = 0;
};

struct options {
    std::filesystem::path out = "lab02-demo";
    std::size_t size = 5'000'000;
    std::size_t workers = 0;  // 0: the default
    std::size_t chunks = lab::default_chunks;
    std::size_t runs = 3;
};

// Reads the command line; throws std::invalid_argument with a one-line message for a bad one.
options parse(int argc, char** argv) {
    options o;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--out")) o.out = args.value();
        else if (args.is("--size")) o.size = args.positive_value(200'000'000);
        else if (args.is("--workers")) o.workers = args.positive_value(256);
        else if (args.is("--chunks")) o.chunks = args.positive_value();
        else if (args.is("--runs")) o.runs = args.positive_value(100);
        else args.unknown();
    }
    if (o.workers == 0) o.workers = std::max<std::size_t>(2, parlab::default_workers());
    return o;
}

std::string scientific(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1e", value);
    return text;
}

// The demo itself, once the command line is read.
int run(const options& o) {
    const programs::dot_input in = programs::random_input(o.size);
    parlab::stopwatch reference_watch;
    const double reference = parlab::grader::reference::dot(in.x, in.y);
    const double reference_seconds = reference_watch.seconds();
    // A right answer differs from the reference only by rounding: far below this.
    const double tolerance = 1e-10 * std::abs(reference);

    std::printf("Dot product of two vectors of %zu random numbers, %zu chunks, %zu threads, %zu runs each.\n"
                "Reference (Neumaier's compensated serial sum): %.10f, %.1f ms.\n\n",
                o.size, o.chunks, o.workers, o.runs, reference, reference_seconds * 1e3);
    std::printf("%-31s %18s %9s %11s %8s  %-24s %s\n", "version", "result", "error", "median time",
                "vs serial", "lock taken (had to wait)", "verdict");

    parlab::teaching::output_file csv(o.out / "results.csv");
    std::ostream& file = csv.stream();
    file.precision(17);
    file << "version,result,reference,worst_abs_error,median_seconds,lock_acquisitions,contended,problem\n";

    double serial_seconds = 0;  // the first row's time
    for (const programs::version& v : programs::versions) {
        if (v.task > last_task_shown) continue;
        const outcome<measured> got = run_guarded<measured>(budget_per_version, [&] {
            parlab::thread_pool pool(o.workers);
            measured m;
            std::vector<double> seconds;
            for (std::size_t r = 0; r < o.runs; ++r) {
                parlab::stopwatch watch;
                const programs::run_result run = v.run(in.x, in.y, pool, o.chunks);
                seconds.push_back(watch.seconds());
                if (r == 0) m.value = run.value;
                m.worst_error = std::max(m.worst_error, std::abs(run.value - reference));
                m.acquisitions = run.acquisitions;
                m.contended = run.contended;
            }
            m.seconds = parlab::median(seconds);
            return m;
        });
        if (!got.value) {
            std::printf("%-31s %s\n", v.name, got.problem.c_str());
            file << '"' << v.name << "\",,,,,,,\"" << got.problem << "\"\n";
            continue;
        }
        const measured& m = *got.value;
        std::string verdict = m.worst_error <= tolerance ? "right" : "WRONG: updates were lost";
        std::string locks = "-";
        if (v.locked) {
            locks = std::to_string(m.acquisitions) + " (" + std::to_string(m.contended) + ")";
            if (m.acquisitions == 0) verdict += ", lock never taken";
        }
        if (serial_seconds == 0) serial_seconds = m.seconds;
        std::printf("%-31s %18.10f %9s %8.1f ms %7.2fx  %-24s %s\n", v.name, m.value,
                    scientific(m.worst_error).c_str(), m.seconds * 1e3, serial_seconds / m.seconds,
                    locks.c_str(), verdict.c_str());
        file << '"' << v.name << "\"," << m.value << ',' << reference << ',' << m.worst_error << ','
             << m.seconds << ',' << m.acquisitions << ',' << m.contended << ",\n";
    }
    std::printf("\nerror: the largest |result - reference| over the runs; vs serial: how many times as\n"
                "fast as the serial loop. v2 should take the lock %zu times (once per element),\n"
                "v3 at most %zu times (once per chunk).\n",
                o.size, o.chunks);
    csv.close();
    std::printf("\nWrote %s.\n", csv.path().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("parlab_lab02_demo", usage, argc, argv, parse, run);
}
