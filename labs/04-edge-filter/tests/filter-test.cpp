// Lab 04 tests: the filter against a plain reference that follows filter.hpp word for word,
// on every photo and on random images of awkward sizes; and the row drivers, whose exact
// bookkeeping (which rows were computed, how often, by whom, and whether the output lock was
// held meanwhile) comes from a test row function and the recording output_lock.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "filter.hpp"
#include "parlab/testing.hpp"

namespace {

using parlab::const_image_view;
using parlab::image;
using parlab::image_view;
using parlab::lab04::filter_spec;
using parlab::lab04::kernel;
using parlab::testing::random_image;

// ---- the reference: filter.hpp's definition, one sample at a time -------------------------

double correlate_at(const_image_view s, const kernel& k, int x, int y, int ch) {
    const auto p = [&](int dx, int dy) {
        const int xx = std::clamp(x + dx, 0, s.width - 1);
        const int yy = std::clamp(y + dy, 0, s.height - 1);
        return static_cast<double>(s.at(xx, yy, ch));
    };
    double sum = k[0] * p(-1, -1);
    sum += k[1] * p(0, -1);
    sum += k[2] * p(1, -1);
    sum += k[3] * p(-1, 0);
    sum += k[4] * p(0, 0);
    sum += k[5] * p(1, 0);
    sum += k[6] * p(-1, 1);
    sum += k[7] * p(0, 1);
    sum += k[8] * p(1, 1);
    return sum;
}

image reference_filter(const_image_view s, const filter_spec& f) {
    image out(s.width, s.height, s.channels);
    for (int y = 0; y < s.height; ++y)
        for (int x = 0; x < s.width; ++x)
            for (int ch = 0; ch < s.channels; ++ch) {
                const double gx = correlate_at(s, f.k, x, y, ch);
                if (!f.k2) {
                    out.at(x, y, ch) = parlab::lab04::round_and_saturate(gx);
                } else {
                    const double gy = correlate_at(s, *f.k2, x, y, ch);
                    out.at(x, y, ch) = parlab::lab04::round_and_saturate(std::sqrt(gx * gx + gy * gy));
                }
            }
    return out;
}

// ---- inputs --------------------------------------------------------------------------------

struct named_kernel {
    std::string name;
    filter_spec f;
};

// Kernels given as numbers, so task 1 does not depend on task 2. The ones a turn by 180 degrees
// changes tell a flipped kernel (convolution) from correlation; the non-dyadic ones test the
// summation order.
std::vector<named_kernel> test_kernels() {
    return {
        {"identity", {{0, 0, 0, 0, 1, 0, 0, 0, 0}, {}}},
        {"diagonal (-0.25 top-left and bottom-left, +0.25 top-right and bottom-right)",
         {{-0.25, 0, 0.25, 0, 0, 0, -0.25, 0, 0.25}, {}}},
        {"asymmetric 1..9 / 20", {{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45}, {}}},
        {"shift right-down (only the bottom-right weight)", {{0, 0, 0, 0, 0, 0, 0, 0, 1}, {}}},
        {"mixed signs", {{3, -1.5, 0, 0.1, 1, -2, 0.7, 0, -0.3}, {}}},
        {"gradient magnitude of two asymmetric kernels",
         {{-1, 0, 2, -2, 0, 1, 0, 0, 0}, kernel{0, -1, 0, 0, 0, 0, 1, 2, 0}}},
        {"gradient magnitude of halves", {{-0.5, 0, 0.5, 0, 0, 0, 0, 0, 0}, kernel{0, 0.5, 0, 0, 0, 0, 0, -0.5, 0}}},
        {"large weights", {{0, 0, 0, 0, 300, 0, 0, 0, -299.5}, {}}},
        {"eighths", {{0.125, -0.375, 0, 0.625, 0.5, 0, 0, -0.875, 0.25}, {}}},
    };
}

// ---- comparing ------------------------------------------------------------------------------

// Runs filter_row for every row and compares with the reference; empty when identical.
std::string check_rows(const_image_view source, const named_kernel& k, const std::string& what) {
    const image expected = reference_filter(source, k.f);
    image got(source.width, source.height, source.channels);
    for (int y = 0; y < source.height; ++y) parlab::lab04::filter_row(source, k.f, y, got.view().row(y));
    const std::string difference = parlab::first_difference(expected.view(), got.view());
    if (difference.empty()) return {};
    return what + ", kernel " + k.name + ": " + difference;
}

std::string shape_name(int width, int height, int channels) {
    std::ostringstream text;
    text << width << "x" << height << " image with " << channels << " channel(s)";
    return text.str();
}

struct shape {
    int width;
    int height;
};
const std::vector<shape> awkward_shapes = {{1, 1}, {1, 7}, {9, 1}, {2, 2}, {5, 3}, {31, 17}, {64, 9}};

}  // namespace

// ---- task 1: the row filter -------------------------------------------------------------------

TEST_CASE("filter_row matches the definition on random images of awkward sizes", "[lab04][task1]") {
    const auto [width, height] = GENERATE(from_range(awkward_shapes));
    const int channels = GENERATE(1, 3, 4);
    const image source = random_image(width, height, channels, static_cast<unsigned>(width * 97 + height));
    for (const named_kernel& k : test_kernels()) {
        const std::string problem = check_rows(source.view(), k, shape_name(width, height, channels));
        INFO(problem);
        CHECK(problem.empty());
    }
}

TEST_CASE("filter_row matches the definition on every photo", "[lab04][task1]") {
    const auto kernels = test_kernels();
    // three kernels, or under a sanitizer the one that weighs every neighbour differently
    const std::vector<std::size_t> picked =
        parlab::testing::under_sanitizer() ? std::vector<std::size_t>{2} : std::vector<std::size_t>{1, 2, 5};
    for (const auto& path : parlab::testing::photos()) {
        const image source = parlab::load_image(path);
        for (const std::size_t i : picked) {
            const std::string problem = check_rows(source.view(), kernels[i], path.filename().string());
            INFO(problem);
            CHECK(problem.empty());
        }
    }
}

TEST_CASE("filter_row replicates the border", "[lab04][task1]") {
    // 3x3 gray image 1..9; the kernel picks the neighbour up-left of each pixel.
    image source(3, 3, 1);
    for (int i = 0; i < 9; ++i) source.bytes()[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(10 * (i + 1));
    const filter_spec up_left{{1, 0, 0, 0, 0, 0, 0, 0, 0}, {}};
    image got(3, 3, 1);
    for (int y = 0; y < 3; ++y) parlab::lab04::filter_row(source.view(), up_left, y, got.view().row(y));
    // Row 0 and column 0 read themselves (the nearest edge pixel), not the opposite side.
    const std::vector<int> expected = {10, 10, 20, 10, 10, 20, 40, 40, 50};
    std::vector<int> actual(got.bytes().begin(), got.bytes().end());
    INFO("input rows 10 20 30 / 40 50 60 / 70 80 90, kernel with only the top-left weight 1: "
         "outside pixels must take the value of the nearest edge pixel");
    CHECK(actual == expected);
}

TEST_CASE("filter_row rounds ties to even and saturates", "[lab04][task1]") {
    image source(6, 1, 1);
    const std::vector<std::uint8_t> values = {1, 3, 5, 7, 200, 0};
    std::copy(values.begin(), values.end(), source.bytes().begin());
    const filter_spec half{{0, 0, 0, 0, 0.5, 0, 0, 0, 0}, {}};
    const filter_spec double_minus{{0, 0, 0, 0, 2, 0, 0, 0, 0}, {}};
    const filter_spec negative{{0, 0, 0, 0, -1, 0, 0, 0, 0}, {}};
    std::vector<std::uint8_t> out(6);
    {
        parlab::lab04::filter_row(source.view(), half, 0, out);
        INFO("0.5, 1.5, 2.5, 3.5, 100, 0 must round to 0, 2, 2, 4, 100, 0 (ties to even)");
        CHECK(out == std::vector<std::uint8_t>{0, 2, 2, 4, 100, 0});
    }
    {
        parlab::lab04::filter_row(source.view(), double_minus, 0, out);
        INFO("2, 6, 10, 14, 400, 0 must saturate to 2, 6, 10, 14, 255, 0");
        CHECK(out == std::vector<std::uint8_t>{2, 6, 10, 14, 255, 0});
    }
    {
        parlab::lab04::filter_row(source.view(), negative, 0, out);
        INFO("negative sums must saturate to 0");
        CHECK(out == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0});
    }
}

// ---- task 1: every kind of neighbourhood, for kernels of small fractions ----------------------
//
// A fast filter may compute kernels like these with integers and one rounded division (every
// weight is m / d), but the bytes must stay those of the double sum. These tests put many 3x3
// neighbourhoods side by side, each alone in its own 3x3 block of one channel, and compare the
// whole image with the reference: all patterns of the extremes 0 and 255, each pixel through all
// 256 values with the others at one level, and for each kernel a neighbourhood for every integer
// sum m[0] p0 + ... + m[8] p8 it can reach. That covers every rounding tie (sums that are
// exactly half-way between two bytes), the sums just beside a tie, negative results and both
// ends of the saturation.

namespace {

using numerators = std::array<int, 9>;
using neighbourhood = std::array<std::uint8_t, 9>;

struct fraction_kernel {
    std::string name;
    numerators m;
    int d;                              // every weight is m[i] / d
    std::optional<numerators> m2 = {};  // a gradient magnitude: the second kernel, also over d
};

kernel over(const numerators& m, int d) {
    kernel k{};
    for (std::size_t i = 0; i < 9; ++i) k[i] = static_cast<double>(m[i]) / d;  // the nearest double
    return k;
}

filter_spec spec_of(const fraction_kernel& k) {
    return {over(k.m, k.d), k.m2 ? std::optional<kernel>(over(*k.m2, k.d)) : std::nullopt};
}

// The named kernels (given as numbers: task 1 does not depend on task 2) and other fractions.
std::vector<fraction_kernel> fraction_kernels() {
    const numerators sobel_x = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    const numerators sobel_y = {-1, -2, -1, 0, 0, 0, 1, 2, 1};
    return {
        {"identity", {0, 0, 0, 0, 1, 0, 0, 0, 0}, 1},
        {"box (ninths)", {1, 1, 1, 1, 1, 1, 1, 1, 1}, 9},
        {"sharpen", {0, -1, 0, -1, 5, -1, 0, -1, 0}, 1},
        {"diagonal (quarters)", {-1, 0, 1, 0, 0, 0, -1, 0, 1}, 4},
        {"sobel-x", sobel_x, 1},
        {"sobel-y", sobel_y, 1},
        {"prewitt-x", {-1, 0, 1, -1, 0, 1, -1, 0, 1}, 1},
        {"prewitt-y", {-1, -1, -1, 0, 0, 0, 1, 1, 1}, 1},
        {"laplacian-4", {0, 1, 0, 1, -4, 1, 0, 1, 0}, 1},
        {"laplacian-8", {1, 1, 1, 1, -8, 1, 1, 1, 1}, 1},
        {"Gaussian blur (sixteenths)", {1, 2, 1, 2, 4, 2, 1, 2, 1}, 16},
        {"mean of five (fifths)", {0, 1, 0, 1, 1, 1, 0, 1, 0}, 5},
        {"thirds with negative weights", {1, -2, 1, 0, 3, 0, -1, 0, 0}, 3},
        {"sevenths, mixed signs", {2, -1, 0, 3, 1, -2, 0, 1, 1}, 7},
        {"63rds", {10, -5, 7, 20, 30, -3, 4, 0, 1}, 63},
        {"64ths", {3, -5, 7, 20, 30, -3, 4, 0, 1}, 64},
        {"sixths (an even denominator with an odd factor)", {1, 2, 1, 0, 0, 0, -1, -2, -1}, 6},
        {"tenths", {1, 1, 1, 1, 2, 1, 1, 1, 1}, 10},
        {"twelfths, mixed signs", {1, -2, 3, 0, 5, 0, -3, 2, -1}, 12},
        {"integer weights whose magnitudes add up to 128", {64, 0, 0, 0, -64, 0, 0, 0, 0}, 1},
        {"integer weights whose magnitudes add up to 129", {65, 0, 0, 0, -64, 0, 0, 0, 0}, 1},
        {"sevenths whose magnitudes add up to 128 sevenths", {0, 64, 0, 0, 64, 0, 0, 0, 0}, 7},
        {"sobel magnitude", sobel_x, 1, sobel_y},
        {"prewitt magnitude", {-1, 0, 1, -1, 0, 1, -1, 0, 1}, 1, numerators{-1, -1, -1, 0, 0, 0, 1, 1, 1}},
        {"magnitude of halves", {-1, 0, 1, 0, 0, 0, 0, 0, 0}, 2, numerators{0, 1, 0, 0, 0, 0, 0, -1, 0}},
        {"sobel magnitude in quarters", sobel_x, 4, sobel_y},
        {"sobel magnitude in eighths", sobel_x, 8, sobel_y},
        {"sobel magnitude in thirds", sobel_x, 3, sobel_y},
        {"magnitude of large integer weights", {64, 0, -64, 0, 0, 0, 0, 0, 0}, 1, numerators{0, 64, 0, 0, 0, 0, 0, -64, 0}},
    };
}

// The neighbourhoods listed above, for the kernel with numerators m.
std::vector<neighbourhood> neighbourhood_classes(const numerators& m) {
    std::vector<neighbourhood> all;
    for (int bits = 0; bits < 512; ++bits) {  // all patterns of 0 and 255
        neighbourhood n{};
        for (std::size_t i = 0; i < 9; ++i) n[i] = (bits >> i) & 1 ? 255 : 0;
        all.push_back(n);
    }
    for (std::size_t swept = 0; swept < 9; ++swept)  // one pixel through all values
        for (const int level : {0, 1, 2, 127, 128, 254, 255})
            for (int v = 0; v < 256; ++v) {
                neighbourhood n;
                n.fill(static_cast<std::uint8_t>(level));
                n[swept] = static_cast<std::uint8_t>(v);
                all.push_back(n);
            }
    // Every reachable sum P: the positive weights make the positive part, the negative ones the
    // negative part, the largest weights first, each pixel as large as it may be.
    int lowest = 0, highest = 0;
    for (const int w : m) (w < 0 ? lowest : highest) += w * 255;
    std::array<std::size_t, 9> order{};
    for (std::size_t i = 0; i < 9; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::abs(m[a]) > std::abs(m[b]); });
    for (int sum = lowest; sum <= highest; ++sum) {
        neighbourhood n{};
        int rest = sum;
        for (const std::size_t i : order) {
            if (m[i] == 0 || (rest > 0) != (m[i] > 0)) continue;
            const int v = std::min(255, rest / m[i]);
            n[i] = static_cast<std::uint8_t>(v);
            rest -= v * m[i];
        }
        if (rest == 0) all.push_back(n);
    }
    return all;
}

// An image of 3 channels holding each neighbourhood in a 3x3 block of one channel.
image blocks_of(const std::vector<neighbourhood>& all) {
    constexpr int blocks_per_row = 128;
    const int blocks = static_cast<int>((all.size() + 2) / 3);
    image picture(3 * blocks_per_row, 3 * ((blocks + blocks_per_row - 1) / blocks_per_row), 3);
    for (std::size_t k = 0; k < all.size(); ++k) {
        const int block = static_cast<int>(k / 3);
        const int left = 3 * (block % blocks_per_row);
        const int top = 3 * (block / blocks_per_row);
        for (std::size_t i = 0; i < 9; ++i)
            picture.at(left + static_cast<int>(i % 3), top + static_cast<int>(i / 3), static_cast<int>(k % 3)) = all[k][i];
    }
    return picture;
}

}  // namespace

TEST_CASE("filter_row matches the definition on every kind of neighbourhood for kernels of fractions", "[lab04][task1]") {
    // Under a sanitizer the first two kernels: it looks at memory, not at rounding.
    std::vector<fraction_kernel> kernels = fraction_kernels();
    if (parlab::testing::under_sanitizer()) kernels.resize(2);
    for (const fraction_kernel& k : kernels) {
        const image source = blocks_of(neighbourhood_classes(k.m));
        const std::string problem =
            check_rows(source.view(), {k.name + " (weights over " + std::to_string(k.d) + ")", spec_of(k)},
                       "neighbourhood classes");
        INFO(problem);
        CHECK(problem.empty());
    }
}

TEST_CASE("filter_row writes only its own row", "[lab04][task1]") {
    const image source = random_image(17, 5, 3, 3);
    std::vector<std::uint8_t> out(source.view().row_bytes() + 8, 0xAB);
    parlab::lab04::filter_row(source.view(), test_kernels()[2].f,
                              2, std::span<std::uint8_t>(out).subspan(4, source.view().row_bytes()));
    INFO("bytes before or after the row passed to filter_row were changed");
    CHECK(std::all_of(out.begin(), out.begin() + 4, [](std::uint8_t b) { return b == 0xAB; }));
    CHECK(std::all_of(out.end() - 4, out.end(), [](std::uint8_t b) { return b == 0xAB; }));
}

// ---- task 2: named kernels ----------------------------------------------------------------------

TEST_CASE("named_filter knows every kernel of the README", "[lab04][task2]") {
    const double ninth = 1.0 / 9.0;
    const kernel sobel_x = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    const kernel sobel_y = {-1, -2, -1, 0, 0, 0, 1, 2, 1};
    const std::vector<std::pair<std::string, filter_spec>> expected = {
        {"identity", {{0, 0, 0, 0, 1, 0, 0, 0, 0}, {}}},
        {"box", {{ninth, ninth, ninth, ninth, ninth, ninth, ninth, ninth, ninth}, {}}},
        {"sharpen", {{0, -1, 0, -1, 5, -1, 0, -1, 0}, {}}},
        {"diagonal", {{-0.25, 0, 0.25, 0, 0, 0, -0.25, 0, 0.25}, {}}},
        {"sobel-x", {sobel_x, {}}},
        {"sobel-y", {sobel_y, {}}},
        {"prewitt-x", {{-1, 0, 1, -1, 0, 1, -1, 0, 1}, {}}},
        {"prewitt-y", {{-1, -1, -1, 0, 0, 0, 1, 1, 1}, {}}},
        {"laplacian-4", {{0, 1, 0, 1, -4, 1, 0, 1, 0}, {}}},
        {"laplacian-8", {{1, 1, 1, 1, -8, 1, 1, 1, 1}, {}}},
        {"sobel", {sobel_x, sobel_y}},
    };
    REQUIRE(parlab::lab04::filter_names().size() == expected.size());
    for (const auto& [name, spec] : expected) {
        const auto got = parlab::lab04::named_filter(name);
        INFO("named_filter(\"" << name << "\")" << (got ? " has the wrong weights (row by row, see README.md)" : " returned nothing"));
        CHECK((got && *got == spec));
    }
    CHECK_FALSE(parlab::lab04::named_filter("sobel-z"));
    CHECK_FALSE(parlab::lab04::named_filter(""));
}

TEST_CASE("parse_filter reads names and nine numbers", "[lab04][task2]") {
    const auto sobel_x = parlab::lab04::named_filter("sobel-x");
    REQUIRE(sobel_x);
    CHECK(parlab::lab04::parse_filter("sobel-x") == *sobel_x);
    CHECK(parlab::lab04::parse_filter(" 1, 2,3,4,5,6,7,8, -9.5 ").k == kernel{1, 2, 3, 4, 5, 6, 7, 8, -9.5});
    CHECK_FALSE(parlab::lab04::parse_filter("1,2,3,4,5,6,7,8,9").k2);
}

TEST_CASE("parse_filter refuses bad kernels with a clear message", "[lab04][task2]") {
    using parlab::testing::contains;
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("sobel-z"), contains("unknown name") && contains("sobel-z"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("1,2,3"), contains("nine numbers") && contains("got 3"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("1,2,3,4,5,6,7,8,9,10"), contains("got 10"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("1,2,x,4,5,6,7,8,9"), contains("'x'"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("1,2,,4,5,6,7,8,9"), contains("not a number"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("1,2,3,4,5,6,7,8,inf"), contains("finite"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter("1,2,3,4,5,6,7,8,1e300"), contains("at most"));
    CHECK_THROWS_WITH(parlab::lab04::parse_filter(""), contains("nine numbers"));
    CHECK_THROWS_AS(parlab::lab04::parse_filter("5"), std::invalid_argument);
}

TEST_CASE("the named edge kernels filter a photo like the definition", "[lab04][task2]") {
    const image source = parlab::load_image(parlab::testing::images_dir() / "chelsea.png");
    for (const char* name : {"sharpen", "sobel-x", "sobel-y", "prewitt-x", "prewitt-y", "laplacian-4",
                             "laplacian-8", "sobel", "box"}) {
        const auto f = parlab::lab04::named_filter(name);
        INFO("named_filter(\"" << name << "\") returned nothing");
        REQUIRE(f);
        const std::string problem = check_rows(source.view(), {name, *f}, "chelsea.png");
        INFO(problem);
        CHECK(problem.empty());
    }
}

// ---- tasks 3 and 4: the row drivers -------------------------------------------------------------

namespace {

// What a driver did, recorded by the test's row function. Lives in shared memory so that
// forked workers can record too.
struct driver_record {
    static constexpr int max_rows = 512;
    std::atomic<int> calls[max_rows];
    std::atomic<int> outside;        // calls for a row that is not in the image
    std::atomic<int> first_outside;  // the first such row
    std::atomic<int> under_lock;
    std::atomic<int> bad_row_size;
    std::atomic<int> finished;  // rows the row function has finished writing
    std::atomic<pid_t> tids[64];
    std::atomic<int> tid_count;
};

// A row function that records its call, then fills the row with a pattern of y.
// With `meet`, the first call to finish its row then waits (at most 0.2 s) until a second call
// has finished one too: a driver whose workers compute at the same time then always has two of
// them inside compute_row together, so workers that share one scratch row overwrite each other's
// row in every run, not once in a while. A driver that computes one row at a time only pays the
// 0.2 s once.
parlab::lab04::row_function recording_row_function(driver_record& record, parlab::lab04::output_lock& lock,
                                                   std::size_t row_bytes, int height, bool meet) {
    return [&record, &lock, row_bytes, height, meet](int y, std::span<std::uint8_t> row) {
        if (y < 0 || y >= height) {  // row(y) of the target is not memory of the image: write nothing
            if (record.outside.fetch_add(1) == 0) record.first_outside.store(y);
            return;
        }
        if (y < driver_record::max_rows) record.calls[y].fetch_add(1);
        if (lock.held_by_caller()) record.under_lock.fetch_add(1);
        if (row.size() != row_bytes) record.bad_row_size.fetch_add(1);
        const pid_t me = ::gettid();
        bool known = false;
        const int count = std::min(record.tid_count.load(), 64);
        for (int i = 0; i < count; ++i) known = known || record.tids[i].load() == me;
        if (!known) {
            const int slot = record.tid_count.fetch_add(1);
            if (slot < 64) record.tids[slot].store(me);
        }
        for (std::size_t i = 0; i < row.size(); ++i) row[i] = static_cast<std::uint8_t>(y * 7 + static_cast<int>(i));
        if (record.finished.fetch_add(1) == 0 && meet) {
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
            while (record.finished.load() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
        }
    };
}

// Checks the record and the target after a driver ran; empty when all is well.
std::string check_driver(const driver_record& record, const_image_view target, std::size_t workers) {
    std::ostringstream text;
    int never = 0, twice = 0;
    for (int y = 0; y < target.height; ++y) {
        never += record.calls[y].load() == 0 ? 1 : 0;
        twice += record.calls[y].load() > 1 ? 1 : 0;
    }
    if (record.under_lock.load() > 0)
        text << record.under_lock.load() << " of " << target.height
             << " rows were computed while the worker held the output lock: the workers take turns "
                "instead of computing at the same time. Compute first; lock (if at all) only to store. ";
    if (record.outside.load() > 0)
        text << "compute_row was called " << record.outside.load() << " time(s) for a row outside the image (row "
             << record.first_outside.load() << ", but the image has rows 0 to " << target.height - 1
             << "): with more workers than rows, or a share rounded up, a worker's rows can run past the last "
                "one. ";
    if (never > 0) text << never << " of " << target.height << " rows were never computed. ";
    if (twice > 0) text << twice << " rows were computed more than once. ";
    if (record.bad_row_size.load() > 0) text << "compute_row got a row span of the wrong size. ";
    const int distinct = record.tid_count.load();
    if (distinct > static_cast<int>(workers))
        text << distinct << " different threads computed rows, more than the " << workers << " workers asked for. ";
    for (int y = 0; y < target.height && text.str().empty(); ++y) {
        const auto row = target.row(y);
        for (std::size_t i = 0; i < row.size(); ++i)
            if (row[i] != static_cast<std::uint8_t>(y * 7 + static_cast<int>(i))) {
                text << "row " << y << " of the target does not hold what compute_row wrote for it (do workers "
                        "that compute at the same time share one scratch row? Each needs its own, or none). ";
                break;
            }
    }
    return text.str();
}

struct driver_case {
    int width;
    int height;
    std::size_t workers;
};
const std::vector<driver_case> driver_cases = {
    {5, 0, 2}, {3, 1, 1}, {3, 1, 4}, {7, 10, 3}, {2, 97, 2}, {16, 200, 4}, {1, 300, 8}, {4, 5, 16}};

template <class Driver>
void check_driver_cases(Driver run) {
    const driver_case c = GENERATE(from_range(driver_cases));
    // Everything the workers touch lives in shared memory, which works for threads too.
    parlab::shared_value<driver_record> record;
    parlab::shared_value<parlab::lab04::output_lock> lock;
    const std::size_t row_bytes = static_cast<std::size_t>(c.width) * 3;
    parlab::shared_array<std::uint8_t> pixels(std::max<std::size_t>(1, row_bytes * static_cast<std::size_t>(c.height)));
    const image_view target{pixels.data(), c.width, c.height, 3, row_bytes};
    run(target, c.workers, *lock, recording_row_function(*record, *lock, row_bytes, c.height, c.workers > 1 && c.height > 1));
    const std::string problem = check_driver(*record, target, c.workers);
    INFO(c.width << "x" << c.height << " target, " << c.workers << " worker(s): " << problem);
    CHECK(problem.empty());
}

// Every photo, the kernel it is filtered with (test_kernels()[2]) and the reference filtering,
// made once for all the worker counts below: the plain reference is the slow part, most of all
// under the sanitizers.
struct photo_reference {
    std::string name;
    image source;
    filter_spec f;
    image expected;
};
const std::vector<photo_reference>& photo_references() {
    static const std::vector<photo_reference> made = [] {
        std::vector<photo_reference> references;
        const filter_spec f = test_kernels()[2].f;
        for (const auto& path : parlab::testing::photos()) {
            image source = parlab::load_image(path);
            image expected = reference_filter(source.view(), f);
            references.push_back({path.filename().string(), std::move(source), f, std::move(expected)});
        }
        return references;
    }();
    return made;
}

template <class Filter>
void check_filter_photos_and_shapes(Filter run) {
    const std::size_t workers = GENERATE(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{8});
    const auto kernels = test_kernels();
    for (const photo_reference& photo : photo_references()) {
        image got(photo.source.width(), photo.source.height(), photo.source.channels());
        run(photo.source.view(), got.view(), photo.f, workers);
        const std::string difference = parlab::first_difference(photo.expected.view(), got.view());
        INFO(photo.name << " with " << workers << " workers: " << difference);
        CHECK(difference.empty());
    }
    for (const auto& [width, height] : awkward_shapes) {
        for (const int channels : {1, 3, 4}) {
            const image source = random_image(width, height, channels, 5);
            image got(width, height, channels);
            run(source.view(), got.view(), kernels[5].f, workers);
            const image expected = reference_filter(source.view(), kernels[5].f);
            const std::string difference = parlab::first_difference(expected.view(), got.view());
            INFO(shape_name(width, height, channels) << " with " << workers << " workers: " << difference);
            CHECK(difference.empty());
        }
    }
}

// A target of the wrong size, zero workers and a kernel with a NaN weight are each refused.
template <class Filter>
void check_refusals(Filter run) {
    const image source = random_image(4, 3, 3, 1);
    image wrong(3, 4, 3);
    image right(4, 3, 3);
    const filter_spec identity{{0, 0, 0, 0, 1, 0, 0, 0, 0}, {}};
    CHECK_THROWS_AS(run(source.view(), wrong.view(), identity, 2), std::invalid_argument);
    CHECK_THROWS_AS(run(source.view(), right.view(), identity, 0), std::invalid_argument);
    filter_spec nan = identity;
    nan.k[0] = std::nan("");
    CHECK_THROWS_AS(run(source.view(), right.view(), nan, 1), std::invalid_argument);
}

}  // namespace

TEST_CASE("run_rows_threads computes every row once, never under the lock", "[lab04][task3]") {
    check_driver_cases(parlab::lab04::run_rows_threads);
}

TEST_CASE("filter_threads matches the definition", "[lab04][task3]") {
    check_filter_photos_and_shapes(parlab::lab04::filter_threads);
}

TEST_CASE("filter_threads refuses bad arguments", "[lab04][task3]") {
    check_refusals(parlab::lab04::filter_threads);
}

TEST_CASE("run_rows_processes computes every row once, never under the lock", "[lab04][task4]") {
    check_driver_cases(parlab::lab04::run_rows_processes);
}

TEST_CASE("filter_processes matches the definition, into ordinary memory", "[lab04][task4]") {
    check_filter_photos_and_shapes(parlab::lab04::filter_processes);
}

TEST_CASE("filter_processes refuses bad arguments", "[lab04][task4]") {
    check_refusals(parlab::lab04::filter_processes);
}
