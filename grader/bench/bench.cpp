// parlab_bench: the timing table of lab 03 (shared image copy) and lab 04 (edge filter) on this
// machine, for the code it is built with (the solutions, for the kit's reference figures).
//   parlab_bench [--max-workers N] [--repetitions R] [--only copy|filter]
// Every figure is the median of R timed runs after one warm-up run.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "filter.hpp"
#include "image_copy.hpp"
#include "parlab/image.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

#ifdef PARLAB_HAVE_OPENCV
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#endif

namespace {

using parlab::const_image_view;
using parlab::image;

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

image random_image(int width, int height, int channels) {
    image picture(width, height, channels);
    std::mt19937 random(42);
    std::uniform_int_distribution<int> value(0, 255);
    for (auto& byte : picture.bytes()) byte = static_cast<std::uint8_t>(value(random));
    return picture;
}

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

std::vector<std::size_t> worker_counts(std::size_t max_workers) {
    std::vector<std::size_t> counts;
    for (std::size_t w = 1; w <= max_workers; w *= 2) counts.push_back(w);
    return counts;
}

template <class Body>
double median_ms(Body&& body, std::size_t repetitions) {
    return parlab::time_repeated(body, repetitions).median * 1e3;
}

void bench_copy(const char* label, const image& source, std::size_t max_workers, std::size_t repetitions) {
    using namespace parlab::lab03;
    const double mb = static_cast<double>(source.size_bytes()) / 1e6;
    std::printf("\n%s: %dx%d, %d channels, %.1f MB\n", label, source.width(), source.height(),
                source.channels(), mb);
    // Baseline: one memcpy into a fresh buffer (so it pays for the fresh pages, like the copies).
    const double memcpy_ms = median_ms(
        [&] {
            pixel_buffer copy(source.width(), source.height(), source.channels(), memory_kind::private_memory);
            std::memcpy(copy.view().data, source.view().data, source.size_bytes());
            if (copy.view().data[source.size_bytes() - 1] != source.bytes().back()) std::abort();
        },
        repetitions);
    std::vector<std::uint8_t> warm(source.size_bytes());
    const double warm_ms = median_ms(
        [&] {
            std::memcpy(warm.data(), source.view().data, warm.size());
            if (warm.back() != source.bytes().back()) std::abort();
        },
        repetitions);
    std::printf("  %-34s %9.2f ms %8.0f MB/s\n", "memcpy into a fresh buffer", memcpy_ms, mb / memcpy_ms * 1e3);
    std::printf("  %-34s %9.2f ms %8.0f MB/s\n", "memcpy into a warm buffer", warm_ms, mb / warm_ms * 1e3);
    std::printf("  %-12s %-12s %9s %9s %14s\n", "copy", "split", "workers", "ms", "vs fresh memcpy");
    for (const auto& [kind, copy] :
         {std::pair{"processes", &copy_with_processes}, std::pair{"threads", &copy_with_threads}}) {
        for (const split_kind split : {split_kind::blocks, split_kind::interleaved}) {
            for (const std::size_t w : worker_counts(max_workers)) {
                const double ms = median_ms(
                    [&] {
                        const pixel_buffer result = copy(source.view(), w, split);
                        if (result.view().data[source.size_bytes() - 1] != source.bytes().back()) std::abort();
                    },
                    repetitions);
                std::printf("  %-12s %-12s %9zu %9.2f %13.2fx\n", kind, std::string(to_string(split)).c_str(),
                            w, ms, memcpy_ms / ms);
            }
        }
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
        for (const std::size_t w : worker_counts(max_workers)) {
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

}  // namespace

int main(int argc, char** argv) {
    try {
        std::size_t max_workers = 16;
        std::size_t repetitions = 9;
        std::string only;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--max-workers" && i + 1 < argc) {
                max_workers = parlab::parse_positive(argv[++i], "--max-workers");
            } else if (arg == "--repetitions" && i + 1 < argc) {
                repetitions = parlab::parse_positive(argv[++i], "--repetitions");
            } else if (arg == "--only" && i + 1 < argc && (std::string(argv[i + 1]) == "copy" ||
                                                          std::string(argv[i + 1]) == "filter")) {
                only = argv[++i];
            } else {
                std::fprintf(stderr, "usage: %s [--max-workers N] [--repetitions R] [--only copy|filter]\n", argv[0]);
                return 2;
            }
        }
        std::printf("machine: %s, %zu CPUs available to this process\n", cpu_model().c_str(),
                    parlab::available_cpus());
        std::printf("workers: 1, 2, 4, ... up to %zu; median of %zu runs\n", max_workers, repetitions);
#ifdef PARLAB_HAVE_OPENCV
        std::printf("OpenCV %s\n", CV_VERSION);
#else
        std::printf("OpenCV not found: no cv::filter2D comparison\n");
#endif
        if (only != "filter") {
            std::printf("\n== lab 03: image copy (result allocated by each contender, workers started in each run)\n");
            bench_copy("hubble_deep_field.jpg", parlab::load_image(PARLAB_IMAGES_DIR "/hubble_deep_field.jpg"),
                       max_workers, repetitions);
            bench_copy("random image", random_image(4096, 4096, 3), max_workers, repetitions);
        }
        if (only == "copy") return 0;
        std::printf("\n== lab 04: edge filter\n");
        const image photo = tiled_photo(1280, 1080);
        for (const char* name : {"diagonal", "sobel-x", "box", "sobel"})
            bench_filter(photo, name, max_workers, repetitions);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "parlab_bench: %s\n", e.what());
        return 1;
    }
}
