// You do not need to modify this file.
//
// The timing table of lab 06 on this machine (`./parlab bench` runs it on the solutions, for the
// kit's reference figures):
//   * the median filter on one 1000 x 1000 fake sky with a 50 x 50 window, in float32 and in
//     float64, and, when Python's SciPy is installed (the python3 on the PATH, else
//     /usr/bin/python3), what scipy.ndimage.median_filter takes on the same image as an array of
//     the same dtype, with its result compared bit for bit;
//   * the pool's overhead per task: map over empty tasks with 2 workers, chunksize 1 and 100,
//     against a serial loop calling the same body, and busy tasks of 1 to 100 us: where the
//     pool starts to beat the loop;
//   * the 25-frame batch (FITS files in a temporary folder) through highpass_batch at 1, 2, ...
//     workers: time, speedup, efficiency, and the serial fraction fitted by least squares.
//
//   parlab_lab06_bench [--max-workers N] [--repetitions R]
//     --max-workers N    the largest worker count; the counts go 1, 2, 3, ... (default 2)
//     --repetitions R    timed runs per figure (default 1: the batch takes seconds)

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "parlab/npy.hpp"
#include "parlab/teaching.hpp"
#include "parlab/workers.hpp"
#include "parlab/timing.hpp"
#include "worker_pool.hpp"

namespace {

namespace lab06 = parlab::lab06;
namespace fs = std::filesystem;

constexpr std::size_t side = 1000;
constexpr std::size_t window = 50;
constexpr std::size_t frames = 25;

// Times median_filter in python3 on a .npy image (as the dtype argv[5]); prints the median
// seconds and saves the result.
constexpr const char* scipy_script =
    "import sys, time, numpy, scipy.ndimage\n"
    "x = numpy.load(sys.argv[1]).astype(sys.argv[5])\n"
    "times = []\n"
    "for _ in range(int(sys.argv[3])):\n"
    "    start = time.perf_counter()\n"
    "    y = scipy.ndimage.median_filter(x, int(sys.argv[2]))\n"
    "    times.append(time.perf_counter() - start)\n"
    "numpy.save(sys.argv[4], y.astype(numpy.float64))\n"
    "print(sorted(times)[len(times) // 2])\n";

std::string python_with_scipy() {
    for (const char* candidate : {"python3", "/usr/bin/python3"})
        if (std::system((std::string(candidate) + " -c 'import numpy, scipy.ndimage' >/dev/null 2>&1").c_str()) == 0)
            return candidate;
    return {};
}

void bench_filter(const fs::path& dir, std::size_t repetitions, lab06::pixel_type type) {
    const std::string dtype = type == lab06::pixel_type::float32 ? "float32" : "float64";
    const lab06::image sky = lab06::fake_sky(side, side, 2026, type);
    lab06::image ours;
    const double seconds = parlab::time_repeated([&] { ours = lab06::median_filter(sky, window); }, repetitions, 0).median;
    std::printf("median filter, %zu x %zu, window %zu, %s\n  %-40s %9.3f s\n", side, side, window, dtype.c_str(),
                "median_filter (sliding window)", seconds);
    const std::string python = python_with_scipy();
    if (python.empty()) {
        std::printf("  %-40s skipped: python3 with SciPy is not installed (apt-get install python3-scipy)\n",
                    "scipy.ndimage.median_filter");
        return;
    }
    const fs::path in = dir / "sky.npy", out = dir / "median.npy";
    const std::size_t shape[] = {side, side};
    parlab::save_npy(in, sky.pixels, shape);  // doubles, exact for both types
    const std::string command = python + " -c \"$PARLAB_SCRIPT\" " + in.string() + " " + std::to_string(window) + " " +
                                std::to_string(repetitions) + " " + out.string() + " " + dtype;
    ::setenv("PARLAB_SCRIPT", scipy_script, 1);
    double scipy_seconds = 0;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        if (std::fscanf(pipe, "%lf", &scipy_seconds) != 1) scipy_seconds = 0;
        if (::pclose(pipe) != 0) scipy_seconds = 0;
    }
    if (scipy_seconds <= 0) {
        std::printf("  %-40s failed: python3 did not give a time\n", "scipy.ndimage.median_filter");
        return;
    }
    const parlab::npy_array theirs = parlab::load_npy(out);
    std::size_t differ = theirs.values.size() == ours.pixels.size() ? 0 : ours.pixels.size();
    for (std::size_t i = 0; i < theirs.values.size() && i < ours.pixels.size(); ++i)
        differ += theirs.values[i] != ours.pixels[i] ? 1 : 0;
    std::printf("  %-40s %9.3f s  (ours %.1fx faster; %zu of %zu pixels differ)\n", "scipy.ndimage.median_filter",
                scipy_seconds, scipy_seconds / seconds, differ, ours.pixels.size());
}

void bench_overhead(std::size_t repetitions) {
    constexpr std::size_t tasks = 20000;
    const lab06::task_body body = [](std::size_t t) { return static_cast<double>(t); };
    const double serial = parlab::time_repeated(
        [&] {
            volatile double sink = 0;
            for (std::size_t t = 0; t < tasks; ++t) sink = sink + body(t);
        },
        repetitions).median;
    std::printf("pool overhead, %zu empty tasks\n  %-40s %9.2f us per task\n", tasks, "serial loop", serial / tasks * 1e6);
    lab06::process_pool pool(2, body);
    for (const std::size_t chunksize : {1, 100}) {
        const double seconds = parlab::time_repeated([&] { (void)pool.map(tasks, chunksize); }, repetitions).median;
        const std::string label = "map, 2 workers, chunksize " + std::to_string(chunksize);
        std::printf("  %-40s %9.2f us per task\n", label.c_str(), seconds / tasks * 1e6);
    }
}

// The processor time this thread has used, in seconds.
double thread_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A task of `us` microseconds of work: the thread's own processor time, not the wall clock, so a
// task taken off its core by other work does not count that time as done (on a busy machine a
// wall-clock spin "finishes" on time whatever it got).
double spin(double us) {
    const double start = thread_cpu_seconds();
    double n = 0;
    while ((thread_cpu_seconds() - start) * 1e6 < us) n += 1;
    return n;
}

// Tasks of 1 to 100 us: the pool with 2 workers (chunksize 1) against the serial loop; the
// break-even is where the ratio crosses 1.
void bench_break_even(std::size_t repetitions) {
    constexpr std::size_t tasks = 4000;
    std::printf("break-even, %zu busy tasks, 2 workers, chunksize 1\n  %-10s %12s %12s %9s\n", tasks, "task us",
                "serial ms", "pool ms", "ratio");
    for (const double us : {1.0, 3.0, 10.0, 30.0, 100.0}) {
        const lab06::task_body body = [us](std::size_t) { return spin(us); };
        const double serial = parlab::time_repeated(
            [&] {
                for (std::size_t t = 0; t < tasks; ++t) (void)body(t);
            },
            repetitions).median;
        lab06::process_pool pool(2, body);
        const double pooled = parlab::time_repeated([&] { (void)pool.map(tasks); }, repetitions).median;
        std::printf("  %-10.0f %12.2f %12.2f %9.2f\n", us, serial * 1e3, pooled * 1e3, serial / pooled);
    }
}

void bench_batch(const fs::path& dir, std::size_t max_workers, std::size_t repetitions) {
    const auto files = lab06::write_fake_batch(dir / "sky", frames, side, side, 1);
    std::printf("the batch: %zu frames of %zu x %zu, window %zu, FITS in and out\n", frames, side, side, window);
    std::printf("  %-10s %9s %9s %11s\n", "workers", "time s", "speedup", "efficiency");
    std::vector<lab06::speedup_point> points;
    double one = 0;
    for (std::size_t workers = 1; workers <= max_workers; ++workers) {
        std::size_t failed = 0;
        const double seconds = parlab::time_repeated(
            [&] {
                for (const auto& file : lab06::highpass_batch(files, dir / "out", window, workers)) failed += file.ok ? 0 : 1;
            },
            repetitions, 0).median;
        if (workers == 1) one = seconds;
        // more workers than CPUs only take turns, which Amdahl's law does not describe
        if (workers <= parlab::available_cpus())
            points.push_back({workers, one / seconds});
        std::printf("  %-10zu %9.3f %9.2f %11.2f%s\n", workers, seconds, one / seconds, one / seconds / workers,
                    failed == 0 ? "" : "  (files failed)");
    }
    if (points.size() >= 2)
        std::printf("  Amdahl's serial fraction (least squares, up to %zu workers): %.3f\n", points.size(),
                    lab06::fit_serial_fraction(points));
}

int run(const parlab::teaching::bench_options& o) {
    const std::size_t max_workers = o.max_workers > 0 ? o.max_workers : 2;
    const std::size_t repetitions = o.repetitions > 0 ? o.repetitions : 1;
    const fs::path dir = fs::temp_directory_path() / ("parlab-lab06-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    for (const auto type : {lab06::pixel_type::float32, lab06::pixel_type::float64}) bench_filter(dir, repetitions, type);
    bench_overhead(std::max<std::size_t>(repetitions, 3));
    bench_break_even(std::max<std::size_t>(repetitions, 3));
    bench_batch(dir, max_workers, repetitions);
    fs::remove_all(dir);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_bench(
        "parlab_lab06_bench",
        {.max_workers = "the largest worker count; the counts go 1, 2, 3, ... (default 2)", .repetitions = 1}, argc,
        argv, run);
}
