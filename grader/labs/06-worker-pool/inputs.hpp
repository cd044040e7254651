#pragma once
// Lab 06's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe and
// the verifier alike: the hidden images and windows, the tasks' values, durations and failures,
// and the timed batch.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "seeded.hpp"

namespace parlab::grader::lab06 {

/// One image to high-pass: its shape, window and the seed of its pixels.
struct image_case {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t size = 1;  ///< the median window
    std::uint64_t pixels_seed = 0;
    std::string about;     ///< what the case is for, in the student's terms
};

/// The pixels of a case, row after row: multiples of 1/8 in [-500, 500), so every value is exact
/// in float, with many repeated values (ties in the windows) and some bright "stars".
[[nodiscard]] inline std::vector<float> case_pixels(std::size_t rows, std::size_t cols, std::uint64_t seed) {
    seeded_numbers numbers(seed);
    std::vector<float> pixels(rows * cols);
    for (float& p : pixels) {
        const std::uint64_t r = numbers.next();
        const auto level = static_cast<long>((r >> 8) % 8000) - 4000;  // eighths
        p = (r & 7) == 0 ? static_cast<float>(level % 16) : static_cast<float>(level) / 8.0F;
    }
    return pixels;
}

[[nodiscard]] inline std::vector<float> case_pixels(const image_case& c) {
    return case_pixels(c.rows, c.cols, c.pixels_seed);
}

/// highpass-map: the odd shapes first (one pixel, one row, one column, images smaller than the
/// window), even and odd windows, then two drawn from the seed.
[[nodiscard]] inline std::vector<image_case> image_cases(std::uint64_t seed) {
    seeded_numbers n(derive_seed(seed, 61));
    auto count = [&](long lo, long hi) { return static_cast<std::size_t>(n.between(lo, hi)); };
    std::uint64_t made = 0;
    auto make = [&](std::size_t rows, std::size_t cols, std::size_t size, std::string about) {
        return image_case{rows, cols, size, derive_seed(seed, 600 + made++), std::move(about)};
    };
    std::vector<image_case> cases;
    cases.push_back(make(1, 1, 1, "a single pixel, window 1"));
    cases.push_back(make(1, 1, count(2, 6), "a single pixel, a window larger than the image"));
    cases.push_back(make(1, count(5, 30), 2 * count(1, 3) + 1, "one row, an odd window"));
    cases.push_back(make(count(5, 30), 1, 2 * count(1, 3), "one column, an even window"));
    cases.push_back(make(count(2, 4), count(2, 5), count(6, 9), "an image smaller than its window"));
    cases.push_back(make(count(20, 60), count(20, 60), 2 * count(2, 6), "an even window"));
    cases.push_back(make(count(20, 60), count(20, 60), 2 * count(2, 6) + 1, "an odd window"));
    return cases;
}

/// How many workers a check's pool has.
[[nodiscard]] inline std::size_t pool_workers(std::uint64_t seed, std::uint64_t purpose) {
    return static_cast<std::size_t>(seeded_numbers(derive_seed(seed, purpose)).between(2, 4));
}

/// What a map-order task returns when it runs in the caller's process instead of a worker.
inline constexpr double ran_in_caller = -1;

/// The value task t returns in the order checks: a number no one can know before the seed.
[[nodiscard]] inline double task_value(std::uint64_t seed, std::size_t task) {
    return static_cast<double>(seeded_numbers(derive_seed(seed, 700 + task)).next() % 1000000007ULL) + 0.25;
}

/// map-order: tasks, and how long each sleeps (ms): the first task the longest.
struct order_case {
    std::size_t workers = 2;
    std::vector<int> sleep_ms;
};
[[nodiscard]] inline order_case order_plan(std::uint64_t seed) {
    seeded_numbers n(derive_seed(seed, 62));
    order_case c{static_cast<std::size_t>(n.between(2, 3)), {}};
    const auto tasks = static_cast<std::size_t>(n.between(7, 12));
    c.sleep_ms.push_back(300);
    for (std::size_t t = 1; t < tasks; ++t) c.sleep_ms.push_back(static_cast<int>(n.between(0, 15)));
    return c;
}

/// completion-order: three workers start three tasks at once with these durations (ms), far
/// enough apart that they end in the order of their durations. Never the shortest first and the
/// longest last: then the end order would be the input order, which a pool that runs the tasks
/// one after another (the skeleton) also reports.
[[nodiscard]] inline std::vector<int> uneven_durations(std::uint64_t seed) {
    std::vector<int> ms = {20, 200, 380};
    seeded_numbers n(derive_seed(seed, 63));
    for (std::size_t i = ms.size() - 1; i > 0; --i) std::swap(ms[i], ms[static_cast<std::size_t>(n.next() % (i + 1))]);
    if (std::is_sorted(ms.begin(), ms.end())) std::swap(ms.front(), ms.back());
    return ms;
}

/// task-failure: which tasks throw (with which text) and which one kills its worker.
struct failure_plan {
    std::size_t workers = 2;
    std::size_t tasks = 0;
    std::vector<std::size_t> throwing;
    std::size_t crashing = 0;
    std::string text;  ///< task t throws text + " " + t
};
[[nodiscard]] inline failure_plan failure_cases(std::uint64_t seed) {
    seeded_numbers n(derive_seed(seed, 64));
    failure_plan p;
    p.workers = static_cast<std::size_t>(n.between(2, 3));
    p.tasks = static_cast<std::size_t>(n.between(8, 14));
    p.crashing = static_cast<std::size_t>(n.between(0, static_cast<long>(p.tasks) - 1));
    for (std::size_t t = 0; t < p.tasks; ++t)
        if (t != p.crashing && n.next() % 4 == 0) p.throwing.push_back(t);
    if (p.throwing.empty()) p.throwing.push_back(p.crashing == 0 ? 1 : 0);
    p.text = "probe refuses frame, token " + std::to_string(n.next() % 1000000007ULL);
    return p;
}

/// chunks: tasks and chunk size; task 0 sleeps 200 ms so that the other worker takes the
/// second chunk.
struct chunk_plan {
    std::size_t tasks = 0;
    std::size_t chunksize = 2;
};
[[nodiscard]] inline chunk_plan chunk_case(std::uint64_t seed) {
    seeded_numbers n(derive_seed(seed, 65));
    chunk_plan c;
    c.chunksize = static_cast<std::size_t>(n.between(2, 4));
    c.tasks = 3 * c.chunksize + static_cast<std::size_t>(n.between(1, static_cast<long>(c.chunksize) - 1));
    return c;
}

/// amdahl-fit: speedups of a serial fraction f at 1..8 workers, each multiplied by a small
/// seeded error, so the least-squares answer is not f itself.
struct speedup_sample {
    std::size_t workers;
    double speedup;
};
[[nodiscard]] inline std::vector<speedup_sample> amdahl_points(std::uint64_t seed) {
    seeded_numbers n(derive_seed(seed, 66));
    const double f = 0.02 + 0.4 * n.unit();
    std::vector<speedup_sample> points;
    for (std::size_t p = 1; p <= 8; ++p) {
        const double exact = 1.0 / (f + (1.0 - f) / static_cast<double>(p));
        points.push_back({p, exact * (0.95 + 0.1 * n.unit())});
    }
    return points;
}

// ---- the timed batch (pool-speedup) ----

inline constexpr std::size_t timing_tasks = 16;
inline constexpr std::size_t timing_side = 256;
inline constexpr std::size_t timing_window = 11;

/// The seed of the timed batch's image t for one run.
[[nodiscard]] inline std::uint64_t timing_image_seed(std::uint64_t seed, std::uint64_t nonce, std::size_t task) {
    return derive_seed(timing_seed(seed, nonce), 800 + task);
}

/// What a timed task answers about its high-pass: sum of pixel i times (i mod 7 + 1), added in
/// order in double (exact for these floats, so the grader's reference gives the same digits).
[[nodiscard]] inline double weighted_sum(std::span<const float> pixels) {
    double sum = 0;
    for (std::size_t i = 0; i < pixels.size(); ++i) sum += static_cast<double>(pixels[i]) * static_cast<double>(i % 7 + 1);
    return sum;
}

}  // namespace parlab::grader::lab06
