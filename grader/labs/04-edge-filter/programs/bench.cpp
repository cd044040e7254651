// You do not need to modify this file.
//
// The timing table of lab 04 on this machine (`./parlab bench` runs it on the solutions, for
// the kit's reference figures): filter_threads and filter_processes with 1, 2, 4, ... workers
// for four kernels on a 1280x1080 photo, against a naive serial filter and, when OpenCV was
// found at configure time (see programs.cmake), cv::filter2D, first in a table of every named
// kernel and some of fractions against the kit's targets. Every figure is the median of R timed
// runs after one warm-up run. Build in Release for meaningful times.
//
//   parlab_lab04_bench [--max-workers N] [--repetitions R]
//     --max-workers N    the largest worker count; the counts double from 1 (default 16)
//     --repetitions R    timed runs per figure (default 9)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "filter.hpp"
#include "parlab/image.hpp"
#include "parlab/teaching.hpp"

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

void bench_filter(const image& source, const std::string& kernel_name, std::size_t max_workers,
                  std::size_t repetitions) {
    using namespace parlab::lab04;
    const filter_spec f = parse_filter(kernel_name);
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
    std::printf("  %-12s %9s %9s %10s %10s", "solution", "workers", "ms", "speedup", "vs naive");
    std::printf(opencv_ms > 0 ? " %10s\n" : "\n", "vs OpenCV");
    for (const auto& [kind, run] : {std::pair{"threads", &filter_threads}, std::pair{"processes", &filter_processes}}) {
        double one = 0;
        for (const std::size_t w : parlab::teaching::doubling_counts(max_workers)) {
            const double ms = median_ms([&] { run(source.view(), target.view(), f, w); }, repetitions);
            if (w == 1) one = ms;
            std::printf("  %-12s %9zu %9.2f %9.2fx %9.1fx", kind, w, ms, one / ms, naive_ms / ms);
            if (opencv_ms > 0) std::printf(" %9.2fx", ms / opencv_ms);
            std::printf("\n");
        }
    }
    if (const std::string d = parlab::first_difference(reference.view(), target.view()); !d.empty())
        std::printf("  WRONG: the solution differs from the naive filter: %s\n", d.c_str());
}

#ifdef PARLAB_HAVE_OPENCV
// The model solution against cv::filter2D (1 thread, replicate border, 8-bit) for every named
// linear kernel and for custom kernels of small fractions: the time of 1 and 2 workers over
// OpenCV's, each figure the median of `repetitions` runs, the three programs timed in turn so
// that a burst of other work hits them alike. The targets of the kit: 1 worker at most 1.0x
// OpenCV's time, 2 workers at most 0.6x.
void versus_opencv(const image& source, std::size_t repetitions) {
    using namespace parlab::lab04;
    std::printf("\nthe solution against cv::filter2D (1 thread) on %dx%d, %d channels; ratio = time / OpenCV's time\n",
                source.width(), source.height(), source.channels());
    std::printf("  %-38s %8s %8s %7s %8s %7s  %s\n", "kernel", "OpenCV", "1 worker", "ratio", "2 workers", "ratio",
                "targets (1.0, 0.6)");
    const std::vector<std::pair<std::string, std::string>> kernels = {
        {"identity", "identity"}, {"box", "box"}, {"sharpen", "sharpen"}, {"diagonal", "diagonal"},
        {"sobel-x", "sobel-x"}, {"sobel-y", "sobel-y"}, {"prewitt-x", "prewitt-x"}, {"prewitt-y", "prewitt-y"},
        {"laplacian-4", "laplacian-4"}, {"laplacian-8", "laplacian-8"},
        {"Gaussian, sixteenths", "0.0625,0.125,0.0625,0.125,0.25,0.125,0.0625,0.125,0.0625"},
        {"cross of fifths", "0,0.2,0,0.2,0.2,0.2,0,0.2,0"},
        {"thirds (vertical mean)", "0,0.33333333333333331,0,0,0.33333333333333331,0,0,0.33333333333333331,0"},
        {"sixths (1 2 1 / 6 over -1 -2 -1 / 6)", "0.16666666666666666,0.33333333333333331,0.16666666666666666,0,0,0,"
                                                 "-0.16666666666666666,-0.33333333333333331,-0.16666666666666666"},
        {"tenths (0.1 around 0.2)", "0.1,0.1,0.1,0.1,0.2,0.1,0.1,0.1,0.1"}};
    cv::setNumThreads(0);  // OpenCV runs sequentially
    const cv::Mat src(source.height(), source.width(), CV_8UC(source.channels()), const_cast<std::uint8_t*>(source.view().data));
    image target(source.width(), source.height(), source.channels());
    for (const auto& [label, text] : kernels) {
        const filter_spec f = parse_filter(text);
        cv::Mat dst, weights(3, 3, CV_64F);
        for (int i = 0; i < 9; ++i) weights.at<double>(i / 3, i % 3) = f.k[static_cast<std::size_t>(i)];
        std::vector<double> cv_ms, one_ms, two_ms;
        for (std::size_t r = 0; r <= repetitions; ++r) {  // run 0 warms up
            cv_ms.push_back(median_ms([&] { cv::filter2D(src, dst, -1, weights, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE); }, 1));
            one_ms.push_back(median_ms([&] { filter_threads(source.view(), target.view(), f, 1); }, 1));
            two_ms.push_back(median_ms([&] { filter_threads(source.view(), target.view(), f, 2); }, 1));
        }
        const auto median = [](std::vector<double> v) {
            v.erase(v.begin());
            std::sort(v.begin(), v.end());
            return v[v.size() / 2];
        };
        const double opencv = median(cv_ms), one = median(one_ms), two = median(two_ms);
        std::printf("  %-38s %8.2f %8.2f %6.2fx %8.2f %6.2fx  %s\n", label.c_str(), opencv, one, one / opencv, two,
                    two / opencv, one <= opencv && two <= 0.6 * opencv ? "met" : "NOT met");
    }
    const filter_spec sobel_x = parse_filter("sobel-x"), sobel = parse_filter("sobel");
    std::vector<double> x_ms, magnitude_ms;
    for (std::size_t r = 0; r <= repetitions; ++r) {
        x_ms.push_back(median_ms([&] { filter_threads(source.view(), target.view(), sobel_x, 1); }, 1));
        magnitude_ms.push_back(median_ms([&] { filter_threads(source.view(), target.view(), sobel, 1); }, 1));
    }
    std::sort(x_ms.begin() + 1, x_ms.end());
    std::sort(magnitude_ms.begin() + 1, magnitude_ms.end());
    const double x = x_ms[1 + repetitions / 2], m = magnitude_ms[1 + repetitions / 2];
    std::printf("  the Sobel magnitude, 1 worker: %.2f ms, %.2fx the time of sobel-x (target: at most 2x): %s\n", m, m / x,
                m <= 2 * x ? "met" : "NOT met");
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
    const image photo = tiled_photo(1280, 1080);
#ifdef PARLAB_HAVE_OPENCV
    versus_opencv(photo, repetitions);
#endif
    for (const char* name : {"diagonal", "sobel-x", "box", "sobel"}) bench_filter(photo, name, max_workers, repetitions);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    namespace teaching = parlab::teaching;
    const char* const program = "parlab_lab04_bench";
    return teaching::run_program(program, teaching::image_bench_usage(program), argc, argv, teaching::bench_options::parse,
                                 run);
}
