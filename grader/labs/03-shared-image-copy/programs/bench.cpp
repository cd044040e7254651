// You do not need to modify this file.
//
// The timing table of lab 03 on this machine (`./parlab bench` runs it on the solutions, for
// the kit's reference figures): copy_with_processes and copy_with_threads, both splits, 1, 2,
// 4, ... workers, against one memcpy. Every figure is the median of R timed runs after one
// warm-up run. Build in Release for meaningful times.
//
//   parlab_lab03_bench [--max-workers N] [--repetitions R]
//     --max-workers N    the largest worker count; the counts double from 1 (default 16)
//     --repetitions R    timed runs per figure (default 9)

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "image_copy.hpp"
#include "parlab/image.hpp"
#include "parlab/teaching.hpp"

namespace {

using parlab::image;
using parlab::teaching::median_ms;

image random_image(int width, int height, int channels) {
    image picture(width, height, channels);
    std::mt19937 random(42);
    std::uniform_int_distribution<int> value(0, 255);
    for (auto& byte : picture.bytes()) byte = static_cast<std::uint8_t>(value(random));
    return picture;
}

void bench_copy(const char* label, const image& source, std::size_t max_workers, std::size_t repetitions) {
    using namespace parlab::lab03;
    const double mb = static_cast<double>(source.size_bytes()) / 1e6;
    std::printf("\n%s: %dx%d, %d channels, %.1f MB\n", label, source.width(), source.height(),
                source.channels(), mb);
    // Baseline: one memcpy into a new private pixel_buffer, a fresh mapping (so it pays for
    // new pages, like the copies); then, for scale, into a buffer whose pages are already touched.
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
            for (const std::size_t w : parlab::teaching::doubling_counts(max_workers)) {
                const double ms = median_ms(
                    [&] {
                        const pixel_buffer result = copy(source.view(), w, split);
                        if (result.view().data[source.size_bytes() - 1] != source.bytes().back())
                            throw std::runtime_error(
                                std::string("copy_with_") + kind + " (" + std::string(to_string(split)) + ", " +
                                std::to_string(w) + (w == 1 ? " worker" : " workers") +
                                ") gave a wrong copy, and a wrong copy is not timed: ./parlab grade "
                                "shared-image-copy shows what to finish first");
                    },
                    repetitions);
                std::printf("  %-12s %-12s %9zu %9.2f %13.2fx\n", kind, std::string(to_string(split)).c_str(),
                            w, ms, memcpy_ms / ms);
            }
        }
    }
}

int run(const parlab::teaching::bench_options& o) {
    const std::size_t max_workers = o.max_workers > 0 ? o.max_workers : 16;
    const std::size_t repetitions = o.repetitions > 0 ? o.repetitions : 9;
    std::printf("workers: 1, 2, 4, ... up to %zu; median of %zu runs\n", max_workers, repetitions);
    std::printf("(result allocated by each contender, workers started in each run)\n");
    bench_copy("hubble_deep_field.jpg", parlab::load_image(PARLAB_IMAGES_DIR "/hubble_deep_field.jpg"), max_workers,
               repetitions);
    bench_copy("random image", random_image(4096, 4096, 3), max_workers, repetitions);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_bench("parlab_lab03_bench", parlab::teaching::image_bench_usage, argc, argv, run);
}
