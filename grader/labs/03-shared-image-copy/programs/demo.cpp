// You do not need to modify this file.
//
// Lab 03 classroom demo (`./parlab demo shared-image-copy [--solutions]`). First the experiment
// the lab is about, done by the demo itself with the lab's pixel_buffer: forked workers copy a
// photo's rows into an output in private memory, then into one in shared memory, and the
// parent looks at what it got (private-vs-shared.png: the source, what the parent sees with
// private memory, what it sees with shared memory). Then your copy_with_processes and
// copy_with_threads for both splits (your-copies.png) and your time_copies against one memcpy.
// A function that throws is shown as "not done yet", one that hangs is stopped after its time
// budget.
//
//   parlab_lab03_demo [IMAGE] [--workers N] [--out DIR]
//     IMAGE          the photo to copy (default: images/hubble_deep_field.jpg)
//     --workers N    workers of every copy (default: PARLAB_WORKERS or the CPUs)
//     --out DIR      folder for the pictures (default: lab03-demo)

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "image_copy.hpp"
#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/split.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"

namespace {

using parlab::teaching::outcome;
using parlab::teaching::run_guarded;

using namespace parlab::lab03;

constexpr std::string_view usage =
    "usage: parlab_lab03_demo [IMAGE] [--workers N] [--out DIR]\n"
    "  IMAGE          the photo to copy (default: images/hubble_deep_field.jpg)\n"
    "  --workers N    workers of every copy (default: PARLAB_WORKERS or the CPUs)\n"
    "  --out DIR      folder for the pictures (default: lab03-demo)\n";

// One call of your code may take this long; a hang is stopped there.
constexpr double budget_per_call = 10.0;

// What the parent sees in `got`, compared with the source, in a few words.
std::string describe(parlab::const_image_view source, parlab::const_image_view got) {
    const std::string difference = parlab::first_difference(source, got);
    if (difference.empty()) return "the copy, identical";
    if (got.width != source.width || got.height != source.height || got.channels != source.channels)
        return "wrong shape: " + difference;
    int same_rows = 0;
    bool blank = true;
    for (int y = 0; y < got.height; ++y) {
        const auto row = got.row(y);
        same_rows += std::equal(row.begin(), row.end(), source.row(y).begin());
        blank = blank && std::all_of(row.begin(), row.end(), [](std::uint8_t b) { return b == 0; });
    }
    if (blank) return "blank (all zero): none of the workers' writes arrived";
    return std::to_string(same_rows) + " of " + std::to_string(got.height) + " rows right; " + difference;
}

// The demo's own experiment: `workers` forked processes copy blocks of rows into a
// pixel_buffer in `memory`; returns what the parent has afterwards.
pixel_buffer fork_copy(parlab::const_image_view source, std::size_t workers, memory_kind memory) {
    pixel_buffer result(source.width, source.height, source.channels, memory);
    const parlab::image_view target = result.view();
    std::vector<parlab::process> children;
    for (const parlab::block& part : parlab::even_split(static_cast<std::size_t>(source.height), workers))
        children.push_back(parlab::process::start([source, target, part] {
            for (std::size_t y = part.first; y < part.last; ++y)
                std::memcpy(target.row(static_cast<int>(y)).data(), source.row(static_cast<int>(y)).data(),
                            source.row_bytes());
        }));
    for (parlab::process& child : children) child.join_or_throw();
    return result;
}

struct shape {
    int width = 0, height = 0, channels = 0;
};

// Runs one of your copy functions in a guarded child; the pixels come back in `pixels`.
outcome<shape> guarded_copy(parlab::const_image_view source, parlab::shared_segment& pixels,
                            pixel_buffer (*copy)(parlab::const_image_view, std::size_t, split_kind),
                            std::size_t workers, split_kind split) {
    return run_guarded<shape>(budget_per_call, [&] {
        const pixel_buffer got = copy(source, workers, split);
        const shape s{got.width(), got.height(), got.channels()};
        if (got.size_bytes() <= pixels.size()) std::memcpy(pixels.data(), got.view().data, got.size_bytes());
        return s;
    });
}

struct options {
    std::filesystem::path image = PARLAB_IMAGES_DIR "/hubble_deep_field.jpg";
    std::filesystem::path out = "lab03-demo";
    std::size_t workers = 0;  // 0: the default
};

// Reads the command line; throws std::invalid_argument with a one-line message for a bad one.
options parse(int argc, char** argv) {
    options o;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--out")) o.out = args.value();
        else if (args.is("--workers")) o.workers = args.positive_value();
        else if (args.positional()) o.image = args.current();
        else args.unknown();
    }
    o.workers = parlab::teaching::workers_or_default(o.workers);
    return o;
}

// The demo itself, once the command line is read.
int run(const options& o) {
    const parlab::image source = parlab::load_image(o.image);
    const parlab::const_image_view src = source.view();
    const std::size_t workers = o.workers;
    std::printf("%s: %dx%d, %d channel(s); %zu workers, each copying its own rows.\n\n",
                o.image.filename().string().c_str(), source.width(), source.height(),
                source.channels(), workers);
    std::filesystem::create_directories(o.out);

    // 1. Private or shared output memory, with the lab's pixel_buffer.
    const pixel_buffer in_private = fork_copy(src, workers, memory_kind::private_memory);
    const pixel_buffer in_shared = fork_copy(src, workers, memory_kind::shared_memory);
    std::printf("Forked workers copy into one output; what the parent sees afterwards:\n");
    std::printf("  %-36s %s\n", "output in private memory", describe(src, in_private.view()).c_str());
    std::printf("  %-36s %s\n\n", "output in shared memory", describe(src, in_shared.view()).c_str());
    {
        const parlab::const_image_view panels[] = {src, in_private.view(), in_shared.view()};
        parlab::save_image(o.out / "private-vs-shared.png", parlab::teaching::side_by_side(panels, 500).view());
    }

    // 2. Your copies.
    std::printf("Your copies (the parent's result):\n");
    struct contender {
        const char* name;
        pixel_buffer (*copy)(parlab::const_image_view, std::size_t, split_kind);
    };
    constexpr contender contenders[] = {{"copy_with_processes (task 1)", copy_with_processes},
                                        {"copy_with_threads (task 3)", copy_with_threads}};
    std::vector<parlab::image> pictures;
    for (const contender& c : contenders) {
        for (const split_kind split : {split_kind::blocks, split_kind::interleaved}) {
            parlab::shared_segment pixels(source.size_bytes());
            const outcome<shape> got = guarded_copy(src, pixels, c.copy, workers, split);
            const std::string name = std::string(c.name) + ", " + std::string(to_string(split));
            std::string verdict = got.problem;
            parlab::image picture(source.width(), source.height(), source.channels());  // black
            if (got.value) {
                const shape s = *got.value;
                const parlab::const_image_view seen{static_cast<const std::uint8_t*>(pixels.data()), s.width,
                                                    s.height, s.channels,
                                                    static_cast<std::size_t>(s.width) * static_cast<std::size_t>(s.channels)};
                if (s.width == source.width() && s.height == source.height() && s.channels == source.channels())
                    picture = parlab::image(seen);
                verdict = describe(src, seen);
            }
            std::printf("  %-44s %s\n", name.c_str(), verdict.c_str());
            if (split == split_kind::blocks) pictures.push_back(std::move(picture));
        }
    }
    {
        const parlab::const_image_view panels[] = {src, pictures[0].view(), pictures[1].view()};
        parlab::save_image(o.out / "your-copies.png", parlab::teaching::side_by_side(panels, 500).view());
    }

    // 3. Your timing.
    std::printf("\nYour time_copies (task 4), median of 5 runs:\n");
    std::printf("(a new pixel_buffer for every copy, as task 4 asks: each column pays for freshly mapped pages)\n");
    std::printf("  %-12s %12s %14s %12s\n", "split", "one memcpy", "processes", "threads");
    for (const split_kind split : {split_kind::blocks, split_kind::interleaved}) {
        const outcome<copy_timing> t = run_guarded<copy_timing>(
            budget_per_call, [&] { return time_copies(src, workers, split, 5); });
        const std::string name(to_string(split));
        if (!t.value) {
            std::printf("  %-12s %s\n", name.c_str(), t.problem.c_str());
        } else if (t.value->memcpy_seconds <= 0 || t.value->processes_seconds <= 0 ||
                   t.value->threads_seconds <= 0) {
            std::printf("  %-12s not done yet: time_copies returned a time of zero\n", name.c_str());
        } else {
            std::printf("  %-12s %9.3f ms %11.3f ms %9.3f ms\n", name.c_str(), t.value->memcpy_seconds * 1e3,
                        t.value->processes_seconds * 1e3, t.value->threads_seconds * 1e3);
        }
    }

    std::printf("\nWrote, in %s:\n", o.out.string().c_str());
    std::printf("  private-vs-shared.png  the source | the parent's output in private memory | in shared memory\n");
    std::printf("  your-copies.png        the source | your copy_with_processes | your copy_with_threads (blocks)\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("parlab_lab03_demo", usage, argc, argv, parse, run);
}
