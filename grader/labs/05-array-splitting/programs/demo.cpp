// You do not need to modify this file.
//
// Lab 05 classroom demo (`./parlab demo array-splitting [--solutions]`): the timing table of
// tasks 1 and 2 (the serial filter, your split_rows with its output in shared memory and your
// split_rows_pipe, at 1, 2 and 4 workers, each result checked against the serial one), and a
// picture of one raw row against the smoothed one (smoothed-row.svg). A function that throws is
// shown as "not done yet", one that hangs is stopped after its time budget.
//
//   parlab_lab05_demo [--out DIR] [--repetitions R]
//     --out DIR          folder for the picture (default: lab05-demo)
//     --repetitions R    timed runs per figure, after one untimed run (default 3)

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>

#include "array_split.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "signal.hpp"

namespace {

namespace lab05 = parlab::lab05;
using parlab::teaching::outcome;

constexpr std::size_t demo_rows = 32;
constexpr std::size_t demo_cols = 100000;
constexpr double demo_sigma = 10;
constexpr double budget_per_call = 60.0;  // seconds for all the runs of one figure

using options = parlab::teaching::timed_demo_options;

// One figure: the median time of a split, whether its last result matched the serial one, and
// how many rows the kernel smoothed in the calling process itself rather than in a worker.
struct figure {
    double seconds = 0;
    bool right = false;
    long rows_in_caller = 0;
};

// Times split(kernel) with the Gaussian kernel, in a guarded child. The kernel counts the rows
// it smooths in that child (the caller): a worker's count stays in the worker's copy.
template <class Split>
outcome<figure> measure(Split split, const lab05::matrix& expected, std::size_t repetitions) {
    return parlab::teaching::run_guarded<figure>(budget_per_call, [&] {
        long in_caller = 0;
        const pid_t caller = ::getpid();
        const lab05::row_kernel gaussian = lab05::gaussian_row_kernel(demo_sigma);
        const lab05::row_kernel kernel = [&in_caller, caller, gaussian](const double* in, double* out, std::size_t n) {
            if (::getpid() == caller) ++in_caller;
            gaussian(in, out, n);
        };
        lab05::matrix got;
        const double seconds = parlab::time_repeated([&] { got = split(kernel); }, repetitions).median;
        const double tolerance = lab05::tolerance_for(expected.view());
        return figure{seconds, lab05::first_mismatch(expected.view(), got.view(), tolerance).empty(), in_caller};
    });
}

std::string cell(const outcome<figure>& f, double serial_seconds) {
    if (!f.value) return f.problem;
    if (!f.value->right) return "wrong result (differs from the serial filter)";
    char text[64];
    std::snprintf(text, sizeof text, "%8.3f s %6.2fx%s", f.value->seconds, serial_seconds / f.value->seconds,
                  f.value->rows_in_caller > 0 ? " (no workers: ran in the caller)" : "");
    return text;
}

// An SVG of the first `count` samples of a raw row (grey) and its smoothed version (red).
void write_svg(const std::filesystem::path& file, std::span<const double> raw, std::span<const double> smooth,
               std::size_t count, double sigma) {
    count = std::min({count, raw.size(), smooth.size()});
    const double width = 1000, height = 360, margin = 20;
    double lo = 0, hi = 0;
    for (std::size_t i = 0; i < count; ++i) {
        lo = std::min({lo, raw[i], smooth[i]});
        hi = std::max({hi, raw[i], smooth[i]});
    }
    if (hi <= lo) hi = lo + 1;
    const auto line = [&](std::span<const double> values, const char* colour, double stroke) {
        std::string points;
        for (std::size_t i = 0; i < count; ++i) {
            char xy[64];
            std::snprintf(xy, sizeof xy, "%.1f,%.1f ",
                          margin + (width - 2 * margin) * static_cast<double>(i) / static_cast<double>(count - 1 + (count == 1)),
                          margin + (height - 2 * margin) * (hi - values[i]) / (hi - lo));
            points += xy;
        }
        return "  <polyline fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"" +
               std::to_string(stroke) + "\" points=\"" + points + "\"/>\n";
    };
    parlab::teaching::output_file out(file);
    std::ostream& svg = out.stream();
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height + 30 << "\">\n"
        << "  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << line(raw, "#aaaaaa", 1) << line(smooth, "#d62728", 2.5) << "  <text x=\"" << margin << "\" y=\""
        << height + 20 << "\" font-family=\"sans-serif\" font-size=\"14\">row 0, samples 0 to " << count - 1
        << ": raw (grey) and smoothed with sigma " << sigma << " (red)</text>\n</svg>\n";
    out.close();
}

int run(const options& o) {
    const lab05::matrix input = lab05::programs::noisy_waves(demo_rows, demo_cols);
    const lab05::const_matrix_view in = input.view();
    std::printf("Smoothing %zu x %zu doubles with sigma %g (radius %zu); median of %zu runs after one untimed run.\n\n",
                demo_rows, demo_cols, demo_sigma, static_cast<std::size_t>(4 * demo_sigma + 0.5), o.repetitions);
    const lab05::matrix expected = lab05::smooth_rows_serial(in, demo_sigma);
    const outcome<figure> serial =
        measure([&](const lab05::row_kernel&) { return lab05::smooth_rows_serial(in, demo_sigma); }, expected,
                o.repetitions);
    if (!serial.value) throw std::runtime_error("the serial filter failed: " + serial.problem);
    const double serial_seconds = serial.value->seconds;
    std::printf("  %-40s %8.3f s\n\n", "serial (smooth_rows_serial)", serial_seconds);
    std::printf("  %-8s %-50s %s\n", "workers", "split_rows, shared output (task 1)", "split_rows_pipe (task 2)");
    for (const std::size_t workers : {1, 2, 4}) {
        const outcome<figure> shared = measure(
            [&](const lab05::row_kernel& kernel) { return lab05::split_rows(kernel, in, workers); }, expected, o.repetitions);
        const outcome<figure> pipe = measure(
            [&](const lab05::row_kernel& kernel) { return lab05::split_rows_pipe(kernel, in, workers); }, expected,
            o.repetitions);
        std::printf("  %-8zu %-50s %s\n", workers, cell(shared, serial_seconds).c_str(), cell(pipe, serial_seconds).c_str());
    }
    std::printf("\n(each figure: seconds, and the speedup over the serial filter)\n");

    std::filesystem::create_directories(o.out);
    const std::filesystem::path picture = o.out / "smoothed-row.svg";
    write_svg(picture, input.row(0), expected.row(0), 1500, demo_sigma);
    std::printf("\nWrote %s: one raw row against the smoothed one.\n", picture.string().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_timed_demo("parlab_lab05_demo", "the picture", {.out = "lab05-demo", .repetitions = 3},
                                            argc, argv, run);
}
