// You do not need to modify this file.
//
// The timing table of lab 04 on this machine (`./parlab bench` runs it on the solutions, for
// the kit's reference figures): filter_threads and filter_processes with 1, 2, 4, ... workers
// for four kernels on a 1280x1080 photo, against a naive serial filter and, when OpenCV was
// found at configure time (see programs.cmake), cv::filter2D. Where the kit's tuned filter is
// present (solutions/04-edge-filter/tuned/, the instructor's copy only), it is timed too: first
// in a table of every named kernel and some of fractions, against cv::filter2D and the model
// answer, with the kit's target for it, then beside the lab's drivers in each timing table.
// Every figure is the median of R timed runs after one warm-up run. Build in Release for
// meaningful times.
//
//   parlab_lab04_bench [--max-workers N] [--repetitions R]
//     --max-workers N    the largest worker count; the counts double from 1 (default 16)
//     --repetitions R    timed runs per figure (default 9)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "filter.hpp"
#include "parlab/image.hpp"
#include "parlab/teaching.hpp"

#ifdef PARLAB_HAVE_TUNED_FILTER
#include "tuned_filter.hpp"
#endif

#ifdef PARLAB_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace {

using parlab::const_image_view;
using parlab::image;
using parlab::teaching::median_ms;

// A photo-like test image of any size: the Hubble photo tiled (random noise would make the
// comparison with memcpy and OpenCV no different, but a real picture is what the labs use).
image tiled_photo(int width, int height) {
    const image photo = parlab::load_image(PARLAB_IMAGES_DIR "/hubble_deep_field.jpg");
    image out(width, height, photo.channels());
    for (int y = 0; y < height; ++y) {
        const auto src = photo.view().row(y % photo.height());
        auto dst = out.view().row(y);
        for (std::size_t i = 0; i < dst.size(); i += src.size())
            std::memcpy(dst.data() + i, src.data(), std::min(src.size(), dst.size() - i));
    }
    return out;
}

// The naive serial filter: every one of the nine reads clamped, pixel by pixel.
void naive_filter(const_image_view s, parlab::image_view out, const parlab::lab04::filter_spec& f) {
    const auto correlate = [&](const parlab::lab04::kernel& k, int x, int y, int ch) {
        double sum = 0;
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c) {
                const int xx = std::clamp(x + c - 1, 0, s.width - 1);
                const int yy = std::clamp(y + r - 1, 0, s.height - 1);
                const double term = k[static_cast<std::size_t>(3 * r + c)] * s.at(xx, yy, ch);
                sum = r == 0 && c == 0 ? term : sum + term;
            }
        return sum;
    };
    for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
            for (int ch = 0; ch < s.channels; ++ch) {
                const double gx = correlate(f.k, x, y, ch);
                const double v = f.k2 ? std::sqrt(gx * gx + std::pow(correlate(*f.k2, x, y, ch), 2)) : gx;
                out.at(x, y, ch) = parlab::lab04::round_and_saturate(v);
            }
}

// The filters a table times: the lab's drivers and, where present, the tuned filter.
using filter_function = void (*)(const_image_view, parlab::image_view, const parlab::lab04::filter_spec&, std::size_t);

#ifdef PARLAB_HAVE_TUNED_FILTER
// The tuned filter_row on `workers` threads. One worker is a plain loop in the calling thread;
// more share the rows out with the lab's run_rows_threads, as filter_threads does.
void tuned_threads(const_image_view source, parlab::image_view target, const parlab::lab04::filter_spec& f,
                   std::size_t workers) {
    using namespace parlab::lab04;
    const auto row = [&](int y, std::span<std::uint8_t> out) { tuned::filter_row(source, f, y, out); };
    if (workers == 1) {
        for (int y = 0; y < source.height; ++y) row(y, target.row(y));
        return;
    }
    output_lock lock;
    run_rows_threads(target, workers, lock, row);
}
#endif

#ifdef PARLAB_HAVE_OPENCV
// The median of `repetitions` runs of each body, the bodies run in turn (after one warm-up run
// of each), so that a burst of other work on the machine hits them alike (the comparison with
// OpenCV's filter uses it).
std::vector<double> interleaved_medians(const std::vector<std::function<void()>>& bodies, std::size_t repetitions) {
    std::vector<std::vector<double>> ms(bodies.size());
    for (std::size_t r = 0; r <= repetitions; ++r)
        for (std::size_t b = 0; b < bodies.size(); ++b) {
            const double t = median_ms(bodies[b], 1);
            if (r > 0) ms[b].push_back(t);
        }
    std::vector<double> medians;
    for (auto& times : ms) {
        std::sort(times.begin(), times.end());
        medians.push_back(times[times.size() / 2]);
    }
    return medians;
}
#endif

// The filter a kernel name or nine weights stand for, or nothing, said in a line, for a name
// that the lab's named_filter does not know yet (task 2 of an unfinished lab).
std::optional<parlab::lab04::filter_spec> known_filter(const std::string& text) {
    try {
        return parlab::lab04::parse_filter(text);
    } catch (const std::invalid_argument&) {
        std::printf("  %s: left out, named_filter does not know it yet (task 2)\n", text.c_str());
        return std::nullopt;
    }
}

void bench_filter(const image& source, const std::string& kernel_name, std::size_t max_workers,
                  std::size_t repetitions) {
    using namespace parlab::lab04;
    const std::optional<filter_spec> known = known_filter(kernel_name);
    if (!known) return;
    const filter_spec& f = *known;
    image target(source.width(), source.height(), source.channels());
    image reference(source.width(), source.height(), source.channels());
    std::printf("\nfilter %s on %dx%d, %d channels\n", kernel_name.c_str(), source.width(), source.height(),
                source.channels());
    const double naive_ms = median_ms([&] { naive_filter(source.view(), reference.view(), f); }, repetitions);
    std::printf("  %-34s %9.2f ms\n", "naive serial (clamps every read)", naive_ms);
    double opencv_ms = 0;
#ifdef PARLAB_HAVE_OPENCV
    if (!f.k2) {
        cv::setNumThreads(0);  // OpenCV runs sequentially
        const int type = CV_8UC(source.channels());
        const cv::Mat src(source.height(), source.width(), type, const_cast<std::uint8_t*>(source.view().data));
        cv::Mat dst;
        cv::Mat kernel(3, 3, CV_64F);
        for (int i = 0; i < 9; ++i) kernel.at<double>(i / 3, i % 3) = f.k[static_cast<std::size_t>(i)];
        opencv_ms = median_ms([&] { cv::filter2D(src, dst, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE); },
                              repetitions);
        std::size_t differ = 0;
        for (int y = 0; y < source.height(); ++y)
            for (std::size_t i = 0; i < reference.view().row_bytes(); ++i)
                differ += dst.ptr<std::uint8_t>(y)[i] != reference.view().row(y)[i] ? 1 : 0;
        std::printf("  %-34s %9.2f ms  (%zu bytes differ by its float rounding)\n",
                    "cv::filter2D, 1 thread, replicate", opencv_ms, differ);
    }
#endif
    std::printf("  %-12s %9s %9s %10s %10s", "filter", "workers", "ms", "speedup", "vs naive");
    std::printf(opencv_ms > 0 ? " %10s\n" : "\n", "vs OpenCV");
    std::vector<std::pair<const char*, filter_function>> filters = {{"threads", &filter_threads},
                                                                    {"processes", &filter_processes}};
#ifdef PARLAB_HAVE_TUNED_FILTER
    filters.emplace_back("tuned", &tuned_threads);
#endif
    for (const auto& [kind, run] : filters) {
        double one = 0;
        for (const std::size_t w : parlab::teaching::doubling_counts(max_workers)) {
            const double ms = median_ms([&] { run(source.view(), target.view(), f, w); }, repetitions);
            if (w == 1) one = ms;
            std::printf("  %-12s %9zu %9.2f %9.2fx %9.1fx", kind, w, ms, one / ms, naive_ms / ms);
            if (opencv_ms > 0) std::printf(" %9.2fx", ms / opencv_ms);
            std::printf("\n");
        }
        if (const std::string d = parlab::first_difference(reference.view(), target.view()); !d.empty())
            std::printf("  WRONG: %s differs from the naive filter: %s\n", kind, d.c_str());
    }
}

#ifdef PARLAB_HAVE_OPENCV
// cv::filter2D (1 thread, replicate border, 8-bit) against filter_threads (the model answer's,
// or with --mine yours) and the tuned filter with 1 worker, for every named linear kernel and
// for custom kernels of fractions: each time over OpenCV's. The kit's target for the tuned
// filter: at most 1.0x OpenCV's time for every kernel of integers or of fractions over a power
// of two or an odd number; fractions over other denominators (sixths, tenths) keep the exact
// double path and have no target.
void versus_opencv(const image& source, std::size_t repetitions) {
    using namespace parlab::lab04;
    std::printf("\ncv::filter2D (1 thread) against 1 worker on %dx%d, %d channels; ratio = time / OpenCV's time\n",
                source.width(), source.height(), source.channels());
    std::printf("  %-38s %8s %8s %7s", "kernel", "OpenCV", "threads", "ratio");
#ifdef PARLAB_HAVE_TUNED_FILTER
    std::printf(" %8s %7s  %s", "tuned", "ratio", "target 1.0");
#endif
    std::printf("\n");
    struct named_kernel {
        std::string label, text;
        bool target;  // the tuned filter's target applies
    };
    const std::vector<named_kernel> kernels = {
        {"identity", "identity", true}, {"box", "box", true}, {"sharpen", "sharpen", true},
        {"diagonal", "diagonal", true}, {"sobel-x", "sobel-x", true}, {"sobel-y", "sobel-y", true},
        {"prewitt-x", "prewitt-x", true}, {"prewitt-y", "prewitt-y", true},
        {"laplacian-4", "laplacian-4", true}, {"laplacian-8", "laplacian-8", true},
        {"Gaussian, sixteenths", "0.0625,0.125,0.0625,0.125,0.25,0.125,0.0625,0.125,0.0625", true},
        {"cross of fifths", "0,0.2,0,0.2,0.2,0.2,0,0.2,0", true},
        {"thirds (vertical mean)", "0,0.33333333333333331,0,0,0.33333333333333331,0,0,0.33333333333333331,0", true},
        {"sixths (double path)", "0.16666666666666666,0.33333333333333331,0.16666666666666666,0,0,0,"
                                 "-0.16666666666666666,-0.33333333333333331,-0.16666666666666666", false},
        {"tenths (double path)", "0.1,0.1,0.1,0.1,0.2,0.1,0.1,0.1,0.1", false}};
    cv::setNumThreads(0);  // OpenCV runs sequentially
    const cv::Mat src(source.height(), source.width(), CV_8UC(source.channels()), const_cast<std::uint8_t*>(source.view().data));
    image answer(source.width(), source.height(), source.channels());
    for (const auto& k : kernels) {
        const std::optional<filter_spec> known = known_filter(k.text);
        if (!known) continue;
        const filter_spec& f = *known;
        cv::Mat dst, weights(3, 3, CV_64F);
        for (int i = 0; i < 9; ++i) weights.at<double>(i / 3, i % 3) = f.k[static_cast<std::size_t>(i)];
        // OpenCV and the tuned filter, which the target compares, in turn; the lab's filter apart,
        // so that its far longer runs do not come between them.
        std::vector<std::function<void()>> bodies = {
            [&] { cv::filter2D(src, dst, -1, weights, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE); }};
#ifdef PARLAB_HAVE_TUNED_FILTER
        image tuned(source.width(), source.height(), source.channels());
        bodies.emplace_back([&] { tuned_threads(source.view(), tuned.view(), f, 1); });
#endif
        const std::vector<double> ms = interleaved_medians(bodies, repetitions);
        const double lab_ms = median_ms([&] { filter_threads(source.view(), answer.view(), f, 1); }, repetitions);
        std::printf("  %-38s %8.2f %8.2f %6.2fx", k.label.c_str(), ms[0], lab_ms, lab_ms / ms[0]);
#ifdef PARLAB_HAVE_TUNED_FILTER
        const char* verdict = !k.target ? "-" : ms[1] <= ms[0] ? "met" : "NOT met";
        image reference(source.width(), source.height(), source.channels());
        naive_filter(source.view(), reference.view(), f);
        if (!parlab::first_difference(reference.view(), tuned.view()).empty()) verdict = "WRONG bytes";
        std::printf(" %8.2f %6.2fx  %s", ms[1], ms[1] / ms[0], verdict);
#endif
        std::printf("\n");
    }
#ifdef PARLAB_HAVE_TUNED_FILTER
    // Sobel's weights as README.md lists them, whether or not the lab's named_filter knows them.
    const filter_spec sobel_x{{-1, 0, 1, -2, 0, 2, -1, 0, 1}, {}};
    const filter_spec sobel{sobel_x.k, kernel{-1, -2, -1, 0, 0, 0, 1, 2, 1}};
    image target(source.width(), source.height(), source.channels());
    const std::vector<double> ms =
        interleaved_medians({[&] { tuned_threads(source.view(), target.view(), sobel_x, 1); },
                             [&] { tuned_threads(source.view(), target.view(), sobel, 1); }},
                            repetitions);
    std::printf("  the tuned Sobel magnitude, 1 worker: %.2f ms, %.2fx the time of sobel-x (target: at most 2x): %s\n",
                ms[1], ms[1] / ms[0], ms[1] <= 2 * ms[0] ? "met" : "NOT met");
#endif
}
#endif

int run(const parlab::teaching::bench_options& o) {
    const std::size_t max_workers = o.max_workers > 0 ? o.max_workers : 16;
    const std::size_t repetitions = o.repetitions > 0 ? o.repetitions : 9;
    std::printf("workers: 1, 2, 4, ... up to %zu; median of %zu runs\n", max_workers, repetitions);
#ifdef PARLAB_HAVE_OPENCV
    std::printf("OpenCV %s\n", CV_VERSION);
#else
    std::printf("OpenCV not found: no cv::filter2D comparison\n");
#endif
#ifndef PARLAB_HAVE_TUNED_FILTER
    std::printf("no tuned filter in this copy (it is the instructor's): the tables time the lab's filter only\n");
#endif
    const image photo = tiled_photo(1280, 1080);
#ifdef PARLAB_HAVE_OPENCV
    versus_opencv(photo, repetitions);
#endif
    for (const char* name : {"diagonal", "sobel-x", "box", "sobel"}) bench_filter(photo, name, max_workers, repetitions);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_bench("parlab_lab04_bench", parlab::teaching::image_bench_usage, argc, argv, run);
}
