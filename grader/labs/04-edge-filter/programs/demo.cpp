// You do not need to modify this file.
//
// Lab 04 classroom demo (`./parlab demo edge-filter [--solutions]`): your filter_threads on a
// photo with 1, 2, 4, 8 and 16 workers: the time, the speedup and the efficiency, with bars,
// and an estimate of the serial fraction from Amdahl's law (a least-squares fit, see below);
// your filter_processes timed alongside; every output checked against a serial loop of your
// filter_row. It writes a photo and the same photo filtered by your filter_threads side by side
// (filtered.png) and the speedup curve (speedup.svg). A function that throws is shown as "not
// done yet", one that hangs is stopped after its time budget.
//
//   parlab_lab04_demo [IMAGE] [--kernel NAME|k1,...,k9] [--max-workers N] [--picture IMAGE]
//                     [--out DIR]
//     IMAGE              the photo to time (default: images/hubble_deep_field.jpg, the largest)
//     --kernel K         a kernel name or nine weights (default: diagonal, which despite
//                        its name is a horizontal difference)
//     --max-workers N    the largest worker count; the counts double from 1 (default 16)
//     --picture IMAGE    the photo for filtered.png (default: images/chelsea.png), filtered
//                        with --kernel when given, else with sobel once named_filter knows it
//     --out DIR          folder for filtered.png and speedup.svg (default: lab04-demo)
//
// Amdahl's law says that with a serial fraction f, p workers give the speedup
// S(p) = 1 / (f + (1 - f) / p), so 1/S - 1/p = f (1 - 1/p). The Karp-Flatt column solves this
// for f at each worker count; the estimate below the table is the least-squares f over the
// counts of 2 up to the number of CPUs available. More workers than CPUs only take turns on
// the same cores, which the law does not describe, so those rows are left out of the fit.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "filter.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

namespace {

using parlab::teaching::outcome;
using parlab::teaching::run_guarded;

using namespace parlab::lab04;

constexpr std::string_view usage =
    "usage: parlab_lab04_demo [IMAGE] [--kernel NAME|k1,...,k9] [--max-workers N] [--picture IMAGE]\n"
    "                         [--out DIR]\n"
    "  IMAGE              the photo to time (default: images/hubble_deep_field.jpg, the largest)\n"
    "  --kernel K         a kernel name or nine weights (default: diagonal, which despite\n"
    "                     its name is a horizontal difference)\n"
    "  --max-workers N    the largest worker count; the counts double from 1 (default 16)\n"
    "  --picture IMAGE    the photo for filtered.png (default: images/chelsea.png), filtered\n"
    "                     with --kernel when given, else with sobel once named_filter knows it\n"
    "  --out DIR          folder for filtered.png and speedup.svg (default: lab04-demo)\n";

// One guarded call of your code (all the timed runs of one worker count) may take this long.
constexpr double budget_per_call = 10.0;

// The median time of runs of `run` (one untimed warm-up first): at least 3 runs, more while
// they add up to less than a quarter of a second, at most 15.
template <class Run>
double median_time(Run run) {
    run();
    std::vector<double> seconds;
    double total = 0;
    while (seconds.size() < 3 || (total < 0.25 && seconds.size() < 15)) {
        parlab::stopwatch watch;
        run();
        seconds.push_back(watch.seconds());
        total += seconds.back();
    }
    return parlab::median(seconds);
}

// How the output of a run compares with the serial reference.
std::string verdict(parlab::const_image_view reference, parlab::const_image_view got) {
    const std::string difference = parlab::first_difference(reference, got);
    if (difference.empty()) return "right";
    const bool blank = std::all_of(got.data, got.data + got.height * got.stride, [](std::uint8_t b) { return b == 0; });
    return blank ? "blank: none of the workers' writes arrived" : "wrong: " + difference;
}

// filter_threads or filter_processes.
using driver_function = void (*)(parlab::const_image_view, parlab::image_view, const filter_spec&, std::size_t);

// One worker count of one driver: the median time, and the output of its last run copied into
// `out` (shared memory). The driver itself writes into ordinary memory, as a caller's would be.
outcome<double> time_driver(driver_function driver, parlab::const_image_view source, parlab::image_view out,
                            const filter_spec& f, std::size_t workers) {
    return run_guarded<double>(budget_per_call, [&] {
        parlab::image target(source.width, source.height, source.channels);
        const double seconds = median_time([&] {
            std::fill(target.bytes().begin(), target.bytes().end(), std::uint8_t{0});
            driver(source, target.view(), f, workers);
        });
        std::memcpy(out.data, target.bytes().data(), target.size_bytes());
        return seconds;
    });
}

struct row {
    std::size_t workers = 0;
    double threads = 0;    // seconds; 0 when it failed
    double processes = 0;  // seconds; 0 when it failed
};

// Least-squares serial fraction over the rows with 2 <= workers <= cpus (see the top comment);
// nullopt when there is no such row.
std::optional<double> amdahl_fit(const std::vector<row>& rows, double one, std::size_t cpus) {
    double ab = 0, bb = 0;
    for (const row& r : rows) {
        if (r.workers < 2 || r.workers > cpus || r.threads <= 0) continue;
        const double p = static_cast<double>(r.workers), speedup = one / r.threads;
        const double a = 1 / speedup - 1 / p, b = 1 - 1 / p;
        ab += a * b;
        bb += b * b;
    }
    if (bb == 0) return std::nullopt;
    return ab / bb;
}

std::string fixed(double value, int decimals) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

// speedup.svg: the measured speedup against the worker count, both on log2 scales, with the
// ideal speedup (p), the Amdahl curve of the fitted fraction and the number of CPUs.
void write_svg(const std::filesystem::path& path, const std::vector<row>& rows, double one,
               std::optional<double> fraction, std::size_t cpus, const std::string& title) {
    constexpr double width = 640, height = 440, left = 70, right = 190, top = 50, bottom = 60;
    const double max_p = static_cast<double>(rows.back().workers);
    double low = 1, high = std::max(2.0, max_p);  // speedup range: powers of two
    for (const row& r : rows)
        if (r.threads > 0) low = std::min(low, one / r.threads);
    low = std::exp2(std::floor(std::log2(low)));
    const double px_max = std::max(1.0, std::log2(max_p));
    const auto x_of = [&](double p) { return left + (width - left - right) * std::log2(p) / px_max; };
    const auto y_of = [&](double s) {
        return height - bottom - (height - top - bottom) * (std::log2(s) - std::log2(low)) / (std::log2(high) - std::log2(low));
    };
    parlab::teaching::output_file out(path);
    std::ostream& svg = out.stream();
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" viewBox=\"0 0 " << width << ' ' << height << "\" font-family=\"sans-serif\" font-size=\"13\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"" << left << "\" y=\"28\" font-size=\"16\">" << title << "</text>\n";
    // Grid, ticks and labels.
    for (double p = 1; p <= max_p; p *= 2) {
        const double x = x_of(p);
        svg << "<line x1=\"" << x << "\" y1=\"" << top << "\" x2=\"" << x << "\" y2=\"" << height - bottom
            << "\" stroke=\"#e4e4e4\"/>\n"
            << "<line x1=\"" << x << "\" y1=\"" << height - bottom << "\" x2=\"" << x << "\" y2=\""
            << height - bottom + 6 << "\" stroke=\"black\"/>\n"
            << "<text x=\"" << x << "\" y=\"" << height - bottom + 22 << "\" text-anchor=\"middle\">" << p << "</text>\n";
    }
    for (double s = low; s <= high * 1.001; s *= 2) {
        const double y = y_of(s);
        svg << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << width - right << "\" y2=\"" << y
            << "\" stroke=\"#e4e4e4\"/>\n"
            << "<line x1=\"" << left - 6 << "\" y1=\"" << y << "\" x2=\"" << left << "\" y2=\"" << y
            << "\" stroke=\"black\"/>\n"
            << "<text x=\"" << left - 10 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << s << "</text>\n";
    }
    svg << "<line x1=\"" << left << "\" y1=\"" << height - bottom << "\" x2=\"" << width - right << "\" y2=\""
        << height - bottom << "\" stroke=\"black\"/>\n"
        << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << height - bottom
        << "\" stroke=\"black\"/>\n"
        << "<text x=\"" << (left + width - right) / 2 << "\" y=\"" << height - 15
        << "\" text-anchor=\"middle\">workers</text>\n"
        << "<text transform=\"translate(20 " << (top + height - bottom) / 2
        << ") rotate(-90)\" text-anchor=\"middle\">speedup</text>\n";
    // The CPUs available: no program gets past this line.
    if (static_cast<double>(cpus) <= high) {
        const double y = y_of(static_cast<double>(cpus));
        svg << "<line x1=\"" << left << "\" y1=\"" << y << "\" x2=\"" << width - right << "\" y2=\"" << y
            << "\" stroke=\"#888\" stroke-dasharray=\"2 4\"/>\n";
    }
    // Ideal, Amdahl and measured curves.
    const auto polyline = [&](const std::vector<std::pair<double, double>>& points, const char* style) {
        svg << "<polyline fill=\"none\" " << style << " points=\"";
        for (const auto& [p, s] : points) svg << x_of(p) << ',' << y_of(s) << ' ';
        svg << "\"/>\n";
    };
    polyline({{1, 1}, {max_p, max_p}}, "stroke=\"#2a7\" stroke-width=\"2\" stroke-dasharray=\"8 5\"");
    if (fraction && *fraction > 0 && *fraction < 1) {
        std::vector<std::pair<double, double>> curve;
        for (double e = 0; e <= std::log2(max_p) + 1e-9; e += 0.05) {
            const double p = std::exp2(e);
            curve.emplace_back(p, 1 / (*fraction + (1 - *fraction) / p));
        }
        polyline(curve, "stroke=\"#e80\" stroke-width=\"2\" stroke-dasharray=\"3 3\"");
    }
    std::vector<std::pair<double, double>> measured;
    for (const row& r : rows)
        if (r.threads > 0) measured.emplace_back(static_cast<double>(r.workers), one / r.threads);
    polyline(measured, "stroke=\"#15c\" stroke-width=\"3\"");
    for (const auto& [p, s] : measured)
        svg << "<circle cx=\"" << x_of(p) << "\" cy=\"" << y_of(s) << "\" r=\"4.5\" fill=\"#15c\"/>\n";
    // Legend.
    const double lx = width - right + 20;
    const auto legend = [&](double y, const char* style, const std::string& text) {
        svg << "<line x1=\"" << lx << "\" y1=\"" << y << "\" x2=\"" << lx + 28 << "\" y2=\"" << y << "\" " << style
            << "/>\n<text x=\"" << lx + 36 << "\" y=\"" << y + 4 << "\">" << text << "</text>\n";
    };
    double ly = top + 10;
    legend(ly, "stroke=\"#15c\" stroke-width=\"3\"", "measured");
    legend(ly += 24, "stroke=\"#2a7\" stroke-width=\"2\" stroke-dasharray=\"8 5\"", "ideal: p");
    if (fraction && *fraction > 0 && *fraction < 1)
        legend(ly += 24, "stroke=\"#e80\" stroke-width=\"2\" stroke-dasharray=\"3 3\"",
               "Amdahl, f = " + fixed(*fraction, 2));
    legend(ly += 24, "stroke=\"#888\" stroke-dasharray=\"2 4\"", std::to_string(cpus) + " CPUs");
    svg << "</svg>\n";
    out.close();
}

struct options {
    std::filesystem::path image = PARLAB_IMAGES_DIR "/hubble_deep_field.jpg";
    std::string kernel = "diagonal";
    bool kernel_given = false;
    std::size_t max_workers = 16;
    std::filesystem::path picture = PARLAB_IMAGES_DIR "/chelsea.png";
    std::filesystem::path out = "lab04-demo";
    filter_spec filter;  // the kernel, parsed
};

// Reads the command line; throws std::invalid_argument with a one-line message for a bad one.
options parse(int argc, char** argv) {
    options o;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--out")) {
            o.out = args.value();
        } else if (args.is("--kernel")) {
            o.kernel = args.value();
            o.kernel_given = true;
        } else if (args.is("--picture")) {
            o.picture = args.value();
        } else if (args.is("--max-workers")) {
            o.max_workers = args.positive_value();
        } else if (args.positional()) {
            o.image = args.current();
        } else {
            args.unknown();
        }
    }
    if (o.max_workers > 256) throw std::invalid_argument("--max-workers: at most 256");
    o.filter = parse_filter(o.kernel);
    return o;
}

// filtered.png: a photo with clear edges, filtered by filter_threads with --kernel, or sobel.
struct picture {
    parlab::image photo, filtered;
    std::string kernel, by, note;
};

picture make_picture(const options& o) {
    picture result;
    result.photo = parlab::load_image(o.picture);
    result.kernel = o.kernel;
    if (!o.kernel_given) {
        if (named_filter("sobel")) result.kernel = "sobel";
        else result.note = "named_filter does not know sobel yet (task 2): the picture uses kernel " + o.kernel + ".";
    }
    const filter_spec f = parse_filter(result.kernel);
    const parlab::const_image_view photo = result.photo.view();
    parlab::shared_segment memory(result.photo.size_bytes());
    const parlab::image_view out{static_cast<std::uint8_t*>(memory.data()), photo.width, photo.height,
                                 photo.channels, photo.stride};
    const outcome<double> threads = time_driver(filter_threads, photo, out, f, parlab::default_workers());
    result.by = "your filter_threads";
    if (!threads.value) {
        const outcome<int> serial = run_guarded<int>(budget_per_call, [&] {
            for (int y = 0; y < photo.height; ++y) filter_row(photo, f, y, out.row(y));
            return 0;
        });
        if (!serial.value) throw std::runtime_error("filter_row: " + serial.problem);
        result.by = "a serial loop of your filter_row";
    }
    result.filtered = parlab::image(out);
    return result;
}

// The demo itself, once the command line is read.
int run(const options& o) {
    const filter_spec& f = o.filter;
    const parlab::image source = parlab::load_image(o.image);
    const parlab::const_image_view src = source.view();
    const std::size_t cpus = parlab::available_cpus();
    std::printf("%s: %dx%d, %d channel(s), kernel %s, %zu CPUs available.\n",
                o.image.filename().string().c_str(), source.width(), source.height(), source.channels(),
                o.kernel.c_str(), cpus);
    if (o.kernel == "diagonal")
        std::printf("(despite its name, a horizontal difference: right column minus left, averaged over the\n"
                    "rows above and below)\n");
    std::printf("\n");

    // Output images live in shared memory: the guarded children write them for this process.
    const auto shared_image = [&](parlab::shared_segment& memory) {
        return parlab::image_view{static_cast<std::uint8_t*>(memory.data()), source.width(), source.height(),
                                  source.channels(), source.stride()};
    };
    parlab::shared_segment reference_memory(source.size_bytes()), threads_memory(source.size_bytes()),
        processes_memory(source.size_bytes());
    const parlab::image_view reference = shared_image(reference_memory);
    const parlab::image_view by_threads = shared_image(threads_memory);
    const parlab::image_view by_processes = shared_image(processes_memory);

    // The serial reference: your filter_row, row after row, in one thread.
    const outcome<double> serial = run_guarded<double>(budget_per_call, [&] {
        return median_time([&] {
            for (int y = 0; y < source.height(); ++y) filter_row(src, f, y, reference.row(y));
        });
    });
    if (!serial.value) {
        std::printf("filter_row (task 1): %s\nNothing to time without it.\n", serial.problem.c_str());
        return 0;
    }
    std::printf("A serial loop over filter_row: %.2f ms (the reference the outputs are checked against).\n\n",
                *serial.value * 1e3);

    std::vector<row> rows;
    std::string threads_problem, processes_problem;
    std::vector<std::string> threads_verdicts, processes_verdicts;
    // One driver at one worker count: its median time, and its output's verdict in `verdicts`.
    // After its first problem a driver is not run again; it gets 0 seconds then.
    const auto time_at = [&](driver_function driver, parlab::image_view output, std::size_t workers,
                             std::string& problem, std::vector<std::string>& verdicts) {
        if (!problem.empty()) return 0.0;
        std::fill(output.data, output.data + source.size_bytes(), std::uint8_t{0});
        const outcome<double> t = time_driver(driver, src, output, f, workers);
        if (!t.value) {
            problem = t.problem;
            return 0.0;
        }
        verdicts.push_back(verdict(reference, output));
        return *t.value;
    };
    for (std::size_t workers = 1; workers <= o.max_workers; workers *= 2) {
        row r;
        r.workers = workers;
        r.threads = time_at(filter_threads, by_threads, workers, threads_problem, threads_verdicts);
        r.processes = time_at(filter_processes, by_processes, workers, processes_problem, processes_verdicts);
        rows.push_back(r);
        if (workers > o.max_workers / 2) break;  // the next doubling would pass the maximum
    }

    // The table.
    const double one = rows.front().threads;
    double best = 1;
    for (const row& r : rows)
        if (r.threads > 0) best = std::max(best, one / r.threads);
    const double bar_scale = 30 / best;  // the longest bar has 30 characters
    std::printf("filter_threads (task 3), median of several runs; filter_processes (task 4) alongside:\n\n");
    std::printf("%8s %11s %8s %10s %10s  %-32s %13s\n", "workers", "threads", "speedup", "efficiency",
                "Karp-Flatt", "speedup bar", "processes");
    for (const row& r : rows) {
        const std::string processes = r.processes > 0 ? fixed(r.processes * 1e3, 2) + " ms" : "-";
        if (r.threads <= 0) {
            std::printf("%8zu %11s %8s %10s %10s  %-32s %13s\n", r.workers, "-", "", "", "", "", processes.c_str());
            continue;
        }
        const double p = static_cast<double>(r.workers), speedup = one / r.threads;
        const std::string karp_flatt = r.workers > 1 ? fixed((1 / speedup - 1 / p) / (1 - 1 / p), 2) : "";
        const std::string bar(static_cast<std::size_t>(std::lround(speedup * bar_scale)), '#');
        std::printf("%8zu %8.2f ms %7.2fx %9.0f%% %10s  %-32s %13s\n", r.workers, r.threads * 1e3, speedup,
                    100 * speedup / p, karp_flatt.c_str(), bar.c_str(), processes.c_str());
    }
    const auto summary = [](const char* name, const std::string& problem, const std::vector<std::string>& verdicts) {
        std::string text = verdicts.empty() ? "" : verdicts.front();
        for (const std::string& v : verdicts)
            if (v != "right") text = v;  // the first thing that went wrong, if anything did
        if (!verdicts.empty())
            std::printf("  %-17s output %s%s\n", name, text.c_str(),
                        text != "right" ? "" : problem.empty() ? " at every worker count" : " where it ran");
        if (!problem.empty()) std::printf("  %-17s %s\n", name, problem.c_str());
    };
    std::printf("\n");
    summary("filter_threads:", threads_problem, threads_verdicts);
    summary("filter_processes:", processes_problem, processes_verdicts);

    const std::optional<double> fraction = one > 0 ? amdahl_fit(rows, one, cpus) : std::nullopt;
    const std::string fit_workers = cpus > 2 ? "2 to " + std::to_string(cpus) + " workers" : "2 workers";
    const std::string fitted_rows = (cpus > 2 ? "the rows with " : "the row with ") + fit_workers;
    std::printf("\nAmdahl's law, least-squares fit to %s (no more workers than CPUs):\n", fitted_rows.c_str());
    if (cpus < 2) {
        std::printf("  no estimate: with one CPU, workers can only take turns.\n");
    } else if (!fraction) {
        std::printf("  no estimate: it needs a timed run with %s.\n", fit_workers.c_str());
    } else if (*fraction >= 1) {
        std::printf("  serial fraction f = %.2f: more workers gain nothing, the work is done one worker\n"
                    "  at a time (or the other CPUs are busy).\n", *fraction);
    } else if (*fraction <= 0) {
        std::printf("  serial fraction f = %.2f: no serial part is visible at these worker counts.\n", *fraction);
    } else {
        std::printf("  serial fraction f = %.2f, so no number of workers can make it more than %.1f times as fast.\n",
                    *fraction, 1 / *fraction);
    }
    std::printf("Efficiency = speedup / workers; Karp-Flatt = the f that row alone implies.\n");

    // The files.
    std::filesystem::create_directories(o.out);
    const std::filesystem::path png = o.out / "filtered.png", svg = o.out / "speedup.svg";
    const picture shown = make_picture(o);
    if (!shown.note.empty()) std::printf("\n%s\n", shown.note.c_str());
    const parlab::const_image_view panels[] = {shown.photo.view(), shown.filtered.view()};
    parlab::save_image(png, parlab::teaching::side_by_side(panels, 700).view());
    std::printf("\nWrote, in %s:\n  filtered.png  %s | filtered with kernel %s by %s\n",
                o.out.string().c_str(), o.picture.filename().string().c_str(), shown.kernel.c_str(),
                shown.by.c_str());
    if (one > 0) {
        write_svg(svg, rows, one, fraction, cpus,
                  "filter_threads, kernel " + o.kernel + ", " + std::to_string(cpus) + " CPUs");
        std::printf("  speedup.svg   the measured speedup, the ideal line and the Amdahl fit\n");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("parlab_lab04_demo", usage, argc, argv, parse, run);
}
