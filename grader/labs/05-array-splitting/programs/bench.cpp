// You do not need to modify this file.
//
// The timing table of lab 05 on this machine (`./parlab bench` runs it on the solutions, for the
// kit's reference figures): the serial filter on 100 x 400,000 doubles with sigma 40, then
// split_rows (output in shared memory) and split_rows_pipe at 1, 2, ... workers, and, when
// Python's SciPy is installed, scipy.ndimage.gaussian_filter1d on the same array (run by the
// python3 on the PATH, or else /usr/bin/python3, on a .npy copy; its result is compared with the
// serial filter's). Every figure is the median of R timed runs; the runs take seconds each, so
// there is no untimed warm-up run.
//
//   parlab_lab05_bench [--max-workers N] [--repetitions R]
//     --max-workers N    the largest worker count; the counts double from 1 (default 2)
//     --repetitions R    timed runs per figure (default 3; 1 for a quick look)

#include <unistd.h>

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

int run(const parlab::teaching::bench_options& o) {
    const std::size_t max_workers = o.max_workers > 0 ? o.max_workers : 2;
    const std::size_t repetitions = o.repetitions > 0 ? o.repetitions : 3;
    const lab05::matrix input = lab05::programs::noisy_waves(bench_rows, bench_cols);
    std::printf("%zu x %zu doubles (%.0f MB), sigma %g (radius %zu); median of %zu run(s)\n", bench_rows, bench_cols,
                static_cast<double>(input.rows() * input.cols() * sizeof(double)) / 1e6, bench_sigma,
                lab05::gaussian_radius(bench_sigma), repetitions);
    lab05::matrix serial;
    const double serial_seconds =
        parlab::time_repeated([&] { serial = lab05::smooth_rows_serial(input.view(), bench_sigma); }, repetitions, 0).median;
    std::printf("  %-44s %9.3f s %9.2fx\n", "serial filter (smooth_rows_serial)", serial_seconds, 1.0);
    const double tolerance = lab05::tolerance_for(input.view());
    const lab05::row_kernel kernel = lab05::gaussian_row_kernel(bench_sigma);
    for (const std::size_t workers : parlab::teaching::doubling_counts(max_workers)) {
        for (const bool pipe : {false, true}) {
            lab05::matrix got;
            const double seconds = parlab::time_repeated(
                [&] {
                    got = pipe ? lab05::split_rows_pipe(kernel, input.view(), workers)
                               : lab05::split_rows(kernel, input.view(), workers);
                },
                repetitions, 0).median;
            const std::string problem = lab05::first_mismatch(serial.view(), got.view(), tolerance);
            const std::string label = std::string(pipe ? "split_rows_pipe" : "split_rows, shared output") + ", " +
                                      std::to_string(workers) + (workers == 1 ? " worker" : " workers");
            std::printf("  %-44s %9.3f s %9.2fx%s\n", label.c_str(), seconds, serial_seconds / seconds,
                        problem.empty() ? "" : ("  WRONG: " + problem).c_str());
        }
    }
    bench_scipy(input, serial, serial_seconds, repetitions);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view usage =
        "usage: parlab_lab05_bench [--max-workers N] [--repetitions R]\n"
        "  --max-workers N    the largest worker count; the counts double from 1 (default 2)\n"
        "  --repetitions R    timed runs per figure (default 3)\n";
    return parlab::teaching::run_program("parlab_lab05_bench", usage, argc, argv, parlab::teaching::bench_options::parse,
                                         run);
}
