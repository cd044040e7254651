// You do not need to modify this file.
//
// The figures of lab 05's model answers (solutions/05-array-splitting/ANSWERS.md), on this
// machine: `./parlab bench --only array-splitting` runs it on the solutions. On 100 x 400,000
// doubles with sigma 40 it times the serial filter, then split_rows (output in shared memory)
// and split_rows_pipe at 1, 2, ..., N workers, as Markdown tables:
//   * the speedups, with the Karp-Flatt serial fraction e(p) for every p up to the CPUs;
//   * per run, the processor time, minor page faults and context switches of the parent and of
//     the workers (getrusage), which show where the time goes better than a wall time;
//   * the extra costs one at a time, with kernels that do no arithmetic;
//   * when Python's SciPy is installed, scipy.ndimage.gaussian_filter1d on the same array (run
//     by the python3 on the PATH, or else /usr/bin/python3, on a .npy copy; its result is
//     compared with the serial filter's).
// Wall times are the median of R timed runs; the runs take seconds each, so there is no untimed
// warm-up run. The load average at the start and the end says how idle the machine was.
//
//   parlab_lab05_bench [--max-workers N] [--repetitions R]
//     --max-workers N    time 1, 2, ..., N workers (default: twice the CPUs it may use)
//     --repetitions R    timed runs per figure (default 3; 1 for a quick look)

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "array_split.hpp"
#include "parlab/npy.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"
#include "signal.hpp"

namespace {

namespace lab05 = parlab::lab05;
namespace fs = std::filesystem;

constexpr std::size_t bench_rows = 100;
constexpr std::size_t bench_cols = 400000;
constexpr double bench_sigma = 40;

// Times gaussian_filter1d in python3; the script prints the median seconds and saves the result.
constexpr const char* scipy_script =
    "import sys, time, numpy, scipy.ndimage\n"
    "x = numpy.load(sys.argv[1])\n"
    "times = []\n"
    "for _ in range(int(sys.argv[3])):\n"
    "    start = time.perf_counter()\n"
    "    y = scipy.ndimage.gaussian_filter1d(x, float(sys.argv[2]))\n"
    "    times.append(time.perf_counter() - start)\n"
    "numpy.save(sys.argv[4], y)\n"
    "print(sorted(times)[len(times) // 2])\n";

std::string quoted(const std::string& text) {
    std::string q = "'";
    for (const char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// SciPy's time on the input, and the largest difference of its result from `serial`; a note
// instead when SciPy is missing or the run fails.
void bench_scipy(const lab05::matrix& input, const lab05::matrix& serial, double serial_seconds, std::size_t repetitions) {
    // the python3 on the PATH first, then the system's (where python3-scipy installs)
    std::string python;
    for (const char* candidate : {"python3", "/usr/bin/python3"})
        if (std::system((std::string(candidate) + " -c 'import numpy, scipy.ndimage' >/dev/null 2>&1").c_str()) == 0) {
            python = candidate;
            break;
        }
    if (python.empty()) {
        std::printf("  %-44s skipped: python3 with SciPy is not installed (apt-get install python3-scipy)\n",
                    "scipy.ndimage.gaussian_filter1d");
        return;
    }
    const fs::path dir = fs::temp_directory_path() / ("parlab-lab05-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path in = dir / "in.npy", out = dir / "out.npy";
    const std::size_t shape[] = {input.rows(), input.cols()};
    parlab::save_npy(in, {input.data(), input.rows() * input.cols()}, shape);
    const std::string command = python + " -c " + quoted(scipy_script) + " " + quoted(in.string()) + " " +
                                std::to_string(bench_sigma) + " " + std::to_string(repetitions) + " " + quoted(out.string());
    double seconds = 0;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        if (std::fscanf(pipe, "%lf", &seconds) != 1) seconds = 0;
        if (::pclose(pipe) != 0) seconds = 0;
    }
    if (seconds > 0) {
        const parlab::npy_array got = parlab::load_npy(out);
        double largest = got.values.size() == serial.rows() * serial.cols() ? 0 : INFINITY;
        for (std::size_t i = 0; i < got.values.size() && std::isfinite(largest); ++i)
            largest = std::fmax(largest, std::fabs(got.values[i] - serial.data()[i]));
        std::printf("  %-44s %9.3f s %9.2fx  (largest difference from the serial filter: %.3g)\n",
                    "scipy.ndimage.gaussian_filter1d", seconds, serial_seconds / seconds, largest);
    } else {
        std::printf("  %-44s failed: python3 did not give a time\n", "scipy.ndimage.gaussian_filter1d");
    }
    fs::remove_all(dir);
}

// What one configuration cost: the median wall time of its runs, and per run (the mean over
// them) the processor time and the page faults and context switches of the parent and of the
// workers (getrusage: RUSAGE_SELF and RUSAGE_CHILDREN, which counts every joined worker).
struct cost {
    double wall = 0;
    double parent_cpu = 0;
    double workers_cpu = 0;
    double parent_faults = 0;
    double workers_faults = 0;
    double workers_switches = 0;  // voluntary (waiting) and involuntary (preempted)
};

double cpu_seconds(const rusage& u) {
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

template <class Body>
cost measure(Body&& body, std::size_t repetitions) {
    rusage self_before{}, children_before{}, self_after{}, children_after{};
    ::getrusage(RUSAGE_SELF, &self_before);
    ::getrusage(RUSAGE_CHILDREN, &children_before);
    const double wall = parlab::time_repeated(body, repetitions, 0).median;
    ::getrusage(RUSAGE_SELF, &self_after);
    ::getrusage(RUSAGE_CHILDREN, &children_after);
    const auto per_run = [&](double total) { return total / static_cast<double>(repetitions); };
    return {wall,
            per_run(cpu_seconds(self_after) - cpu_seconds(self_before)),
            per_run(cpu_seconds(children_after) - cpu_seconds(children_before)),
            per_run(static_cast<double>(self_after.ru_minflt - self_before.ru_minflt)),
            per_run(static_cast<double>(children_after.ru_minflt - children_before.ru_minflt)),
            per_run(static_cast<double>(children_after.ru_nvcsw + children_after.ru_nivcsw - children_before.ru_nvcsw -
                                        children_before.ru_nivcsw))};
}

std::string load_average() {
    double load[3] = {};
    if (::getloadavg(load, 3) != 3) return "unknown";
    char text[64];
    std::snprintf(text, sizeof text, "%.2f %.2f %.2f", load[0], load[1], load[2]);
    return text;
}

// "0.123" for a Karp-Flatt fraction, "-" where it means nothing (one worker, or more workers
// than the program has CPUs: the excess waits for a core, which no serial fraction describes).
std::string karp_flatt(double speedup, std::size_t workers, std::size_t cpus) {
    if (workers < 2 || workers > cpus) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", lab05::amdahl_serial_fraction(speedup, workers));
    return text;
}

void print_cost_row(const std::string& label, const cost& c) {
    std::printf("| %s | %.3f | %.3f | %.3f | %.0f | %.0f | %.0f |\n", label.c_str(), c.wall, c.parent_cpu, c.workers_cpu,
                c.parent_faults, c.workers_faults, c.workers_switches);
}

constexpr const char* cost_header =
    "| run | wall s | parent CPU s | workers' CPU s | parent minor faults | workers' minor faults | workers' context switches |\n"
    "|-----|--------|--------------|----------------|---------------------|-----------------------|---------------------------|\n";

// Section 3: each extra cost on its own, at `workers` workers. A kernel that does nothing into a
// reused output costs only starting and joining; a copying kernel (no arithmetic) into a new
// output, into a reused one and through the pipe differ by what the output costs.
void bench_extra_costs(const lab05::matrix& input, std::size_t workers, std::size_t repetitions) {
    const lab05::row_kernel nothing = [](const double*, double*, std::size_t) {};
    const lab05::row_kernel copy = [](const double* in, double* out, std::size_t n) { std::copy(in, in + n, out); };
    lab05::matrix reused(input.rows(), input.cols(), lab05::memory_kind::shared_memory);
    std::fill(reused.data(), reused.data() + input.rows() * input.cols(), 0.5);  // its pages exist before the forks
    const cost start = measure([&] { lab05::split_rows(nothing, input.view(), reused, workers); }, repetitions);
    const cost into_reused = measure([&] { lab05::split_rows(copy, input.view(), reused, workers); }, repetitions);
    const cost into_new = measure([&] { (void)lab05::split_rows(copy, input.view(), workers); }, repetitions);
    const cost through_pipe = measure([&] { (void)lab05::split_rows_pipe(copy, input.view(), workers); }, repetitions);
    std::printf("\n### The extra costs one at a time (%zu workers, kernels that do no arithmetic)\n\n%s", workers, cost_header);
    print_cost_row("kernel doing nothing, reused shared output (starting and joining)", start);
    print_cost_row("copying kernel, reused shared output", into_reused);
    print_cost_row("copying kernel, new shared output", into_new);
    print_cost_row("copying kernel, pipe", through_pipe);
    std::printf("\nnew shared output minus reused: %.3f s wall, %.3f s of CPU (parent and workers)\n",
                into_new.wall - into_reused.wall,
                into_new.parent_cpu + into_new.workers_cpu - into_reused.parent_cpu - into_reused.workers_cpu);
    std::printf("pipe minus reused shared output: %.3f s wall, %.3f s of the parent's CPU\n",
                through_pipe.wall - into_reused.wall, through_pipe.parent_cpu - into_reused.parent_cpu);
}

int run(const parlab::teaching::bench_options& o) {
    const std::size_t cpus = parlab::available_cpus();
    const std::size_t max_workers = o.max_workers > 0 ? o.max_workers : 2 * cpus;
    const std::size_t repetitions = o.repetitions > 0 ? o.repetitions : 3;
    const lab05::matrix input = lab05::programs::noisy_waves(bench_rows, bench_cols);
    std::printf("%zu x %zu doubles (%.0f MB), sigma %g (radius %zu); wall times the median of %zu run(s), the rest per run\n",
                bench_rows, bench_cols, static_cast<double>(input.rows() * input.cols() * sizeof(double)) / 1e6,
                bench_sigma, lab05::gaussian_radius(bench_sigma), repetitions);
    std::printf("CPUs this program may use: %zu; load average (1, 5, 15 min) at the start: %s\n", cpus,
                load_average().c_str());
    lab05::matrix serial;
    const cost serial_cost =
        measure([&] { serial = lab05::smooth_rows_serial(input.view(), bench_sigma); }, repetitions);
    std::printf("\nserial filter (smooth_rows_serial): %.3f s wall, %.3f s of CPU\n", serial_cost.wall,
                serial_cost.parent_cpu);
    const double tolerance = lab05::tolerance_for(input.view());
    const lab05::row_kernel kernel = lab05::gaussian_row_kernel(bench_sigma);
    std::vector<std::pair<cost, cost>> rows;  // shared output, pipe
    std::string problems;
    for (std::size_t workers = 1; workers <= max_workers; ++workers) {
        cost both[2];
        for (const bool pipe : {false, true}) {
            lab05::matrix got;
            both[pipe] = measure(
                [&] {
                    got = pipe ? lab05::split_rows_pipe(kernel, input.view(), workers)
                               : lab05::split_rows(kernel, input.view(), workers);
                },
                repetitions);
            if (const std::string problem = lab05::first_mismatch(serial.view(), got.view(), tolerance); !problem.empty())
                problems += "WRONG (" + std::string(pipe ? "pipe" : "shared output") + ", " + std::to_string(workers) +
                            " workers): " + problem + "\n";
        }
        rows.emplace_back(both[0], both[1]);
    }
    std::printf("\n### Speedup, and the Karp-Flatt serial fraction e(p) up to %zu workers (the CPUs)\n\n", cpus);
    std::printf("| workers | shared output s | speedup | e(p) | pipe s | speedup | e(p) |\n"
                "|---------|-----------------|---------|------|--------|---------|------|\n");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::size_t workers = i + 1;
        const double shared_speedup = serial_cost.wall / rows[i].first.wall;
        const double pipe_speedup = serial_cost.wall / rows[i].second.wall;
        std::printf("| %zu | %.3f | %.2f | %s | %.3f | %.2f | %s |\n", workers, rows[i].first.wall, shared_speedup,
                    karp_flatt(shared_speedup, workers, cpus).c_str(), rows[i].second.wall, pipe_speedup,
                    karp_flatt(pipe_speedup, workers, cpus).c_str());
    }
    std::printf("\n### Where the time goes, per run\n\n%s", cost_header);
    print_cost_row("serial", serial_cost);
    for (std::size_t i = 0; i < rows.size() && i < cpus; ++i) {
        const std::string workers = std::to_string(i + 1) + (i == 0 ? " worker" : " workers");
        print_cost_row("shared output, " + workers, rows[i].first);
        print_cost_row("pipe, " + workers, rows[i].second);
    }
    bench_extra_costs(input, std::min(cpus, max_workers), repetitions);
    std::printf("\n");
    bench_scipy(input, serial, serial_cost.wall, repetitions);
    std::printf("\nload average (1, 5, 15 min) at the end: %s\n", load_average().c_str());
    if (!problems.empty()) {
        std::fputs(problems.c_str(), stdout);
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_bench(
        "parlab_lab05_bench",
        {.max_workers = "time 1, 2, ..., N workers (default: twice the CPUs this program may use)", .repetitions = 3},
        argc, argv, run);
}
