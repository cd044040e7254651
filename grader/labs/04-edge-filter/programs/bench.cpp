// You do not need to modify this file.
//
// The timing table of lab 04 on this machine (`./parlab bench` runs it on the solutions, for
// the kit's reference figures): filter_threads and filter_processes with 1, 2, 4, ... workers
// for four kernels on a 1280x1080 photo, against a naive serial filter and, when OpenCV was
// found at configure time (see programs.cmake), cv::filter2D. Every figure is the median of R
// timed runs after one warm-up run. Build in Release for meaningful times.
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
