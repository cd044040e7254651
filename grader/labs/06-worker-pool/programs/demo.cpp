// You do not need to modify this file.
//
// The classroom demo of lab 06 (`./parlab demo worker-pool [--solutions]`): writes a batch of fake
// sky frames as FITS files, high-passes it with your pool (highpass_batch) at 1, 2 and 4 workers
// with a live progress line, prints time, speedup and efficiency with the serial fraction your
// fit_serial_fraction finds, and writes three pictures: highpass.png (frame 0 as the telescope saw
// it | its high-pass, in a colour map), speedup.svg (measured speedup, the ideal line, and
// Amdahl's curve for the fitted fraction) and gantt.svg (one more run of the batch with as many
// workers as CPUs: when each frame was high-passed, and by which worker, as the workers measured
// it). Code that throws, hangs or crashes shows as such.
//
//   parlab_lab06_demo [--out DIR] [--frames N] [--side PIXELS] [--size S]
//     --out DIR        folder for the frames and pictures (default: lab06-demo)
//     --frames N       frames in the batch (default 25)
//     --side PIXELS    each frame is PIXELS x PIXELS (default 1000)
//     --size S         the median window (default 50)

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gantt.hpp"
#include "parlab/image.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/teaching.hpp"
#include "parlab/workers.hpp"
#include "worker_pool.hpp"

namespace {

namespace lab06 = parlab::lab06;
namespace fs = std::filesystem;

constexpr std::string_view usage =
    "usage: parlab_lab06_demo [--out DIR] [--frames N] [--side PIXELS] [--size S]\n"
    "  --out DIR        folder for the frames and pictures (default: lab06-demo)\n"
    "  --frames N       frames in the batch (default 25)\n"
    "  --side PIXELS    each frame is PIXELS x PIXELS (default 1000)\n"
    "  --size S         the median window (default 50)\n";

// One worker count's whole batch may take this long.
constexpr double budget_per_batch = 300.0;

struct options {
    fs::path out = "lab06-demo";
    std::size_t frames = 25;
    std::size_t side = 1000;
    std::size_t size = 50;
};

options parse(int argc, char** argv) {
    options o;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--out")) o.out = args.value();
        else if (args.is("--frames")) o.frames = args.positive_value(500);
        else if (args.is("--side")) o.side = args.positive_value(8000);
        else if (args.is("--size")) o.size = args.positive_value();
        else args.unknown();
    }
    return o;
}

// A colour ramp from black through purple and orange to pale yellow, at t in [0, 1].
void ramp(double t, std::uint8_t rgb[3]) {
    static constexpr double stops[][3] = {{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}};
    t = std::clamp(t, 0.0, 1.0) * 4;
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), 3);
    const double f = t - static_cast<double>(i);
    for (int c = 0; c < 3; ++c) rgb[c] = static_cast<std::uint8_t>(std::lround(stops[i][c] + f * (stops[i + 1][c] - stops[i][c])));
}

// A frame in the colour ramp: values between the 1st and the 99.5th percentile, stretched with
// asinh so that faint sky and bright stars both show.
parlab::image coloured(const lab06::image& frame) {
    std::vector<double> sorted = frame.pixels;
    std::sort(sorted.begin(), sorted.end());
    const double lo = sorted[sorted.size() / 100];
    const double hi = std::max<double>(sorted[sorted.size() * 995 / 1000], lo + 1e-6);
    parlab::image picture(static_cast<int>(frame.cols), static_cast<int>(frame.rows), 3);
    for (std::size_t y = 0; y < frame.rows; ++y) {
        for (std::size_t x = 0; x < frame.cols; ++x) {
            const double t = std::asinh(10 * (frame.at(y, x) - lo) / (hi - lo)) / std::asinh(10.0);
            std::uint8_t rgb[3];
            ramp(t, rgb);
            for (int c = 0; c < 3; ++c) picture.at(static_cast<int>(x), static_cast<int>(y), c) = rgb[c];
        }
    }
    return picture;
}

struct measured {
    std::size_t workers = 0;
    double seconds = 0;  // 0: no time (see problem)
    std::string problem;
};

// speedup.svg: the measured points, the ideal speedup, and Amdahl's curve for fraction f (when
// there is one).
void write_svg(const fs::path& path, const std::vector<measured>& rows, double f) {
    constexpr double width = 480, height = 360, margin = 50, top_speedup = 4.5, top_workers = 4.5;
    auto x_of = [&](double p) { return margin + (p - 0.5) / (top_workers - 0.5) * (width - 2 * margin); };
    auto y_of = [&](double s) { return height - margin - s / top_speedup * (height - 2 * margin); };
    parlab::teaching::output_file out(path);
    std::ostream& svg = out.stream();
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    for (int s = 0; s <= 4; ++s)
        svg << "<text x=\"" << margin - 22 << "\" y=\"" << y_of(s) + 4 << "\">" << s << "</text>\n"
            << "<line x1=\"" << margin << "\" x2=\"" << width - margin << "\" y1=\"" << y_of(s) << "\" y2=\"" << y_of(s)
            << "\" stroke=\"#ddd\"/>\n";
    for (int p = 1; p <= 4; ++p)
        svg << "<text x=\"" << x_of(p) - 4 << "\" y=\"" << height - margin + 20 << "\">" << p << "</text>\n";
    svg << "<text x=\"" << width / 2 - 30 << "\" y=\"" << height - 12 << "\">workers</text>\n"
        << "<text x=\"12\" y=\"" << margin - 18 << "\">speedup (grey: ideal, orange: Amdahl's fit, blue: measured)</text>\n"
        << "<line x1=\"" << x_of(1) << "\" y1=\"" << y_of(1) << "\" x2=\"" << x_of(4) << "\" y2=\"" << y_of(4)
        << "\" stroke=\"#999\" stroke-dasharray=\"5,4\"/>\n";
    if (std::isfinite(f)) {
        svg << "<polyline fill=\"none\" stroke=\"#e80\" stroke-width=\"2\" points=\"";
        for (double p = 1; p <= 4.001; p += 0.1) svg << x_of(p) << ',' << y_of(1 / (f + (1 - f) / p)) << ' ';
        svg << "\"/>\n";
    }
    const double one = rows.empty() ? 0 : rows.front().seconds;
    for (const measured& m : rows)
        if (m.seconds > 0 && one > 0)
            svg << "<circle cx=\"" << x_of(static_cast<double>(m.workers)) << "\" cy=\"" << y_of(one / m.seconds)
                << "\" r=\"5\" fill=\"#15c\"/>\n";
    svg << "</svg>\n";
    out.close();
}

// Milliseconds on CLOCK_MONOTONIC: one clock for every process of the machine, so the times the
// workers take can be set side by side.
double monotonic_ms() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6;
}

// One task's times as its worker took them; in shared memory, so the worker's writes reach the
// demo whatever the pool does. pid 0: the task never ended.
struct shared_span {
    long pid = 0;
    double start_ms = 0;
    double end_ms = 0;
};

// gantt.svg: the batch once more, through the pool directly (map), at `workers` workers. Each task
// takes its own times around its high-pass and puts them in a shared array at its index; the
// pool's interface stays as it is. Returns a line for the demo's output.
std::string write_gantt_run(const options& o, const std::vector<fs::path>& files, std::size_t workers) {
    parlab::shared_array<shared_span> spans(files.size());
    parlab::shared_value<long> caller(0L);
    const fs::path out_dir = o.out / "highpass-gantt";
    fs::create_directories(out_dir);
    const auto got = parlab::teaching::run_guarded<double>(budget_per_batch, [&] {
        *caller = static_cast<long>(::getpid());
        lab06::process_pool pool(workers, [&](std::size_t t) {
            const double start = monotonic_ms();
            lab06::write_fits(out_dir / files[t].filename(), lab06::highpass(lab06::read_fits(files[t]), o.size));
            spans[t] = {static_cast<long>(::getpid()), start, monotonic_ms()};
            return 0.0;
        });
        (void)pool.map(files.size());
        return 0.0;
    });
    std::vector<parlab::lab06_demo::task_span> measured;
    for (std::size_t t = 0; t < spans.size(); ++t)
        if (spans[t].pid != 0 && spans[t].end_ms >= spans[t].start_ms)
            measured.push_back({t, spans[t].pid, spans[t].start_ms, spans[t].end_ms});
    parlab::teaching::output_file svg(o.out / "gantt.svg");
    const std::string title = std::to_string(files.size()) + " frames, " + std::to_string(workers) +
                              " workers: which worker high-passed which frame, and when";
    parlab::lab06_demo::write_gantt(svg.stream(), measured, title, *caller);
    svg.close();
    if (!got.value) return "the Gantt run: " + got.problem + " (the chart shows the tasks that ended)";
    if (measured.size() != files.size()) return "the Gantt run: only " + std::to_string(measured.size()) + " of " +
                                                std::to_string(files.size()) + " tasks reported their times";
    return {};
}

int run(const options& o) {
    fs::create_directories(o.out);
    std::printf("writing %zu fake sky frames of %zu x %zu as FITS files into %s ...\n", o.frames, o.side, o.side,
                (o.out / "sky").string().c_str());
    const auto files = lab06::write_fake_batch(o.out / "sky", o.frames, o.side, o.side, 1);
    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    std::vector<measured> rows;
    for (const std::size_t workers : {1, 2, 4}) {
        const fs::path out_dir = o.out / ("highpass-" + std::to_string(workers));
        std::printf("high-passing with %zu worker%s (window %zu)%s", workers, workers == 1 ? "" : "s", o.size,
                    terminal ? "" : " ...\n");
        std::fflush(stdout);
        const auto got = parlab::teaching::run_guarded<double>(budget_per_batch, [&] {
            parlab::stopwatch watch;
            std::size_t failed = 0;
            const auto outcomes = lab06::highpass_batch(
                files, out_dir, o.size, workers, 1, [&](std::size_t done, std::size_t total, const lab06::file_outcome& f) {
                    failed += f.ok ? 0 : 1;
                    if (terminal) {
                        std::printf("\rhigh-passing with %zu worker%s (window %zu): %zu/%zu frames", workers,
                                    workers == 1 ? "" : "s", o.size, done, total);
                        std::fflush(stdout);
                    }
                });
            if (failed > 0) throw std::runtime_error(std::to_string(failed) + " frame(s) failed");
            return outcomes.size() == files.size() ? watch.seconds() : -1.0;
        });
        if (terminal) std::printf("\n");
        measured m{workers, 0, got.problem};
        if (got.value && *got.value > 0) m.seconds = *got.value;
        else if (got.value) m.problem = "wrong: the batch did not report every frame";
        rows.push_back(m);
    }

    std::printf("\n%-8s %9s %9s %11s\n", "workers", "time s", "speedup", "efficiency");
    std::vector<lab06::speedup_point> points;
    const double one = rows.front().seconds;
    for (const measured& m : rows) {
        if (m.seconds <= 0 || one <= 0) {
            std::printf("%-8zu %s\n", m.workers, m.problem.c_str());
            continue;
        }
        // more workers than CPUs only take turns, which Amdahl's law does not describe
        if (m.workers <= parlab::available_cpus())
            points.push_back({m.workers, one / m.seconds});
        std::printf("%-8zu %9.2f %9.2f %11.2f\n", m.workers, m.seconds, one / m.seconds,
                    one / m.seconds / static_cast<double>(m.workers));
    }
    double f = NAN;
    if (points.size() >= 2) {
        const auto fit = parlab::teaching::run_guarded<double>(10, [&] { return lab06::fit_serial_fraction(points); });
        if (fit.value) {
            f = *fit.value;
            std::printf("Amdahl's serial fraction (your fit_serial_fraction, up to %zu workers): %.3f\n",
                        points.size(), f);
        } else {
            std::printf("Amdahl's serial fraction: %s\n", fit.problem.c_str());
        }
    }
    std::printf("(this machine gives this program %zu CPUs: more workers than CPUs only take turns)\n", parlab::available_cpus());

    const lab06::image raw = lab06::read_fits(files.front());
    const fs::path filtered = o.out / "highpass-1" / files.front().filename();
    const lab06::image high = fs::exists(filtered) ? lab06::read_fits(filtered) : lab06::highpass(raw, o.size);
    const parlab::image left = coloured(raw), right = coloured(high);
    const parlab::const_image_view panels[] = {left.view(), right.view()};
    parlab::save_image((o.out / "highpass.png").string(), parlab::teaching::side_by_side(panels, 700).view());
    write_svg(o.out / "speedup.svg", rows, f);

    const std::size_t cpus = parlab::available_cpus();
    std::printf("once more with %zu worker%s, each task timing itself, for the Gantt chart ...\n", cpus,
                cpus == 1 ? "" : "s");
    std::fflush(stdout);
    const std::string gantt_problem = write_gantt_run(o, files, cpus);
    if (!gantt_problem.empty()) std::printf("%s\n", gantt_problem.c_str());
    std::printf("pictures: %s (frame 0 | its high-pass), %s and %s (which worker ran which frame, when)\n",
                (o.out / "highpass.png").string().c_str(), (o.out / "speedup.svg").string().c_str(),
                (o.out / "gantt.svg").string().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("parlab_lab06_demo", usage, argc, argv, parse, run);
}
