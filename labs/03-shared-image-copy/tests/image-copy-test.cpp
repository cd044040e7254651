// Lab 03 tests. Every copy must be byte-identical to its source: each photo in images/, and
// random images of awkward sizes (1x1, one row, one column, odd widths) with 1, 3 and 4
// channels, for several worker counts, including more workers than rows.

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "image_copy.hpp"
#include "parlab/testing.hpp"

namespace {

using parlab::const_image_view;
using parlab::image;
using parlab::lab03::pixel_buffer;
using parlab::lab03::split_kind;

// Bytes from 1 to 255: a byte the workers never wrote stays 0 and stands out.
image random_image(int width, int height, int channels, unsigned seed) {
    return parlab::testing::random_image(width, height, channels, seed, 1);
}

// Empty when `got` is a faithful copy of `source`; otherwise what went wrong, in the words of
// the lab: how many rows never arrived, or the first wrong byte.
std::string check_copy(const_image_view source, const pixel_buffer& got, const std::string& how,
                       const std::string& hint) {
    const const_image_view copy = got.view();
    if (copy.width != source.width || copy.height != source.height || copy.channels != source.channels) {
        std::ostringstream text;
        text << how << ": the result is " << copy.width << "x" << copy.height << " with "
             << copy.channels << " channels, the source " << source.width << "x" << source.height
             << " with " << source.channels;
        return text.str();
    }
    const std::string difference = parlab::first_difference(source, copy);
    if (difference.empty()) return {};
    int blank_rows = 0;
    for (int y = 0; y < copy.height; ++y) {
        bool blank = true;
        for (const auto byte : copy.row(y)) blank = blank && byte == 0;
        if (blank) ++blank_rows;
    }
    std::ostringstream text;
    text << how << ": " << difference;
    if (blank_rows == copy.height)
        text << "; the caller sees a blank image: none of the " << copy.height
             << " rows the workers copied arrived. " << hint;
    else if (blank_rows > 0)
        text << "; " << blank_rows << " of " << copy.height
             << " rows are still blank: some rows were given to no worker, or their writes were lost";
    return text.str();
}

std::string describe_case(int width, int height, int channels, std::size_t workers, split_kind split) {
    std::ostringstream text;
    text << width << "x" << height << " image, " << channels << " channel(s), " << workers
         << " worker(s), " << parlab::lab03::to_string(split) << " split";
    return text.str();
}

// Awkward shapes: single pixel, one row, one column, odd widths, more workers than rows.
struct shape {
    int width;
    int height;
};
const std::vector<shape> shapes = {{1, 1}, {1, 9}, {13, 1}, {7, 3}, {31, 17}, {64, 40}, {333, 101}};

// What to suggest when the whole result is blank.
std::string blank_hint(pixel_buffer (*copy)(const_image_view, std::size_t, split_kind)) {
    if (copy == &parlab::lab03::copy_with_processes)
        return "Did the child processes write into memory the parent shares?";
    return "Did the threads run, copy their rows into the result and get joined before returning?";
}

template <class Copy>
void check_random_images(Copy copy, split_kind split) {
    const auto [width, height] = GENERATE(from_range(shapes));
    const int channels = GENERATE(1, 3, 4);
    const std::size_t workers = GENERATE(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{16});
    const image source = random_image(width, height, channels, static_cast<unsigned>(width * 31 + height));
    const std::string how = describe_case(width, height, channels, workers, split);
    const std::string problem = check_copy(source.view(), copy(source.view(), workers, split), how,
                                                 blank_hint(copy));
    INFO(problem);
    CHECK(problem.empty());
}

template <class Copy>
void check_photos(Copy copy, split_kind split) {
    const std::size_t workers = GENERATE(std::size_t{2}, std::size_t{5});
    for (const auto& path : parlab::testing::photos()) {
        const image source = parlab::load_image(path);
        const std::string how = path.filename().string() + " with " + std::to_string(workers) +
                                " workers, " + std::string(parlab::lab03::to_string(split)) + " split";
        const std::string problem = check_copy(source.view(), copy(source.view(), workers, split), how,
                                                 blank_hint(copy));
        INFO(problem);
        CHECK(problem.empty());
    }
}

}  // namespace

TEST_CASE("the photos in images/ can be loaded", "[lab03][task1]") {
    const auto found = parlab::testing::photos();
    INFO("no photo found in " << parlab::testing::images_dir().string());
    REQUIRE(found.size() >= 2);
}

TEST_CASE("processes copy every photo, blocks of rows", "[lab03][task1]") {
    check_photos(parlab::lab03::copy_with_processes, split_kind::blocks);
}

TEST_CASE("processes copy random images of awkward sizes, blocks of rows", "[lab03][task1]") {
    check_random_images(parlab::lab03::copy_with_processes, split_kind::blocks);
}

TEST_CASE("processes: zero workers is refused", "[lab03][task1]") {
    const image source = random_image(4, 4, 3, 1);
    CHECK_THROWS_AS(parlab::lab03::copy_with_processes(source.view(), 0, split_kind::blocks),
                    std::invalid_argument);
}

TEST_CASE("rows_of_worker hands out blocks and interleaved rows", "[lab03][task2]") {
    const int height = GENERATE(0, 1, 5, 7, 12, 101);
    const std::size_t workers = GENERATE(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4},
                                         std::size_t{8});
    std::vector<int> times_given(static_cast<std::size_t>(height), 0);
    const std::size_t base = static_cast<std::size_t>(height) / workers;
    const std::size_t extra = static_cast<std::size_t>(height) % workers;
    std::size_t next_block_start = 0;
    for (std::size_t worker = 0; worker < workers; ++worker) {
        std::vector<int> blocks_expected;
        const std::size_t size = base + (worker < extra ? 1 : 0);
        for (std::size_t i = 0; i < size; ++i) blocks_expected.push_back(static_cast<int>(next_block_start + i));
        next_block_start += size;
        std::vector<int> interleaved_expected;
        for (std::size_t y = worker; y < static_cast<std::size_t>(height); y += workers)
            interleaved_expected.push_back(static_cast<int>(y));

        INFO("height " << height << ", worker " << worker << " of " << workers);
        CHECK(parlab::lab03::rows_of_worker(height, workers, worker, split_kind::blocks) == blocks_expected);
        const std::vector<int> interleaved =
            parlab::lab03::rows_of_worker(height, workers, worker, split_kind::interleaved);
        INFO("interleaved rows must be worker, worker + workers, worker + 2 * workers, ...");
        CHECK(interleaved == interleaved_expected);
        for (const int y : interleaved)
            if (y >= 0 && y < height) ++times_given[static_cast<std::size_t>(y)];
    }
    for (int y = 0; y < height; ++y) {
        INFO("interleaved split, " << workers << " workers: row " << y << " was given "
                                   << times_given[static_cast<std::size_t>(y)]
                                   << " times instead of exactly once");
        CHECK(times_given[static_cast<std::size_t>(y)] == 1);
    }
}

TEST_CASE("rows_of_worker refuses workers that do not exist", "[lab03][task2]") {
    CHECK_THROWS_AS(parlab::lab03::rows_of_worker(10, 0, 0, split_kind::interleaved), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab03::rows_of_worker(10, 3, 3, split_kind::interleaved), std::invalid_argument);
}

TEST_CASE("processes copy random images of awkward sizes, interleaved rows", "[lab03][task2]") {
    check_random_images(parlab::lab03::copy_with_processes, split_kind::interleaved);
}

TEST_CASE("threads copy every photo", "[lab03][task3]") {
    const split_kind split = GENERATE(split_kind::blocks, split_kind::interleaved);
    check_photos(parlab::lab03::copy_with_threads, split);
}

TEST_CASE("threads copy random images of awkward sizes", "[lab03][task3]") {
    const split_kind split = GENERATE(split_kind::blocks, split_kind::interleaved);
    check_random_images(parlab::lab03::copy_with_threads, split);
}

TEST_CASE("threads: zero workers is refused", "[lab03][task3]") {
    const image source = random_image(4, 4, 3, 1);
    CHECK_THROWS_AS(parlab::lab03::copy_with_threads(source.view(), 0, split_kind::blocks),
                    std::invalid_argument);
}

TEST_CASE("time_copies measures all three copies", "[lab03][task4]") {
    const image source = random_image(200, 150, 3, 7);
    const split_kind split = GENERATE(split_kind::blocks, split_kind::interleaved);
    const auto timing = parlab::lab03::time_copies(source.view(), 2, split, 3);
    INFO("memcpy " << timing.memcpy_seconds << " s, processes " << timing.processes_seconds
                   << " s, threads " << timing.threads_seconds
                   << " s: every time must be a measured, positive number of seconds");
    CHECK(timing.memcpy_seconds > 0);
    CHECK(timing.processes_seconds > 0);
    CHECK(timing.threads_seconds > 0);
    CHECK(std::isfinite(timing.memcpy_seconds + timing.processes_seconds + timing.threads_seconds));
    CHECK(timing.processes_seconds < 60);
}

TEST_CASE("time_copies refuses zero workers or repetitions", "[lab03][task4]") {
    const image source = random_image(4, 4, 1, 1);
    CHECK_THROWS_AS(parlab::lab03::time_copies(source.view(), 0, split_kind::blocks, 1), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab03::time_copies(source.view(), 1, split_kind::blocks, 0), std::invalid_argument);
}
