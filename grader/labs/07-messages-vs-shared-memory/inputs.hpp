#pragma once
// Lab 07's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe and the
// verifier alike: the arrays sent as messages, the pipeline and limit cases, the value of every
// item, and the timed transfer's input.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "seeded.hpp"

namespace parlab::grader::lab07 {

/// One array to send: its shape and where its numbers come from.
struct array_case {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::uint64_t values_seed = 0;
    std::string about;  ///< what the case is for, in the student's terms
};

/// The numbers of a case, row after row, uniform in [-1000, 1000).
[[nodiscard]] inline std::vector<double> case_values(const array_case& c) {
    return parlab::uniform_values(c.rows * c.cols, c.values_seed, -1000.0, 1000.0);
}

/// pipe-message and shared-sum: empty arrays, one number, odd shapes, more than a pipe holds,
/// and the source material's 170 x 9111.
[[nodiscard]] inline std::vector<array_case> array_cases(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 71));
    std::uint64_t made = 0;
    auto make = [&](std::size_t rows, std::size_t cols, std::string about) {
        return array_case{rows, cols, derive_seed(seed, 700 + made++), std::move(about)};
    };
    std::vector<array_case> cases;
    cases.push_back(make(0, 0, "an empty array"));
    cases.push_back(make(0, static_cast<std::size_t>(numbers.between(1, 50)), "no rows"));
    cases.push_back(make(1, 1, "a single number"));
    cases.push_back(make(static_cast<std::size_t>(numbers.between(2, 9)), static_cast<std::size_t>(numbers.between(2, 300)),
                         "a small array"));
    cases.push_back(make(static_cast<std::size_t>(numbers.between(3, 6)), static_cast<std::size_t>(numbers.between(20000, 40000)),
                         "more than a pipe holds"));
    cases.push_back(make(170, 9111, "the source material's 170 x 9111"));
    return cases;
}

/// The payload of item `sequence` of producer `producer` in a pipeline of the run with `seed`.
[[nodiscard]] inline std::uint64_t item_value(std::uint64_t seed, std::size_t producer, std::size_t sequence) {
    return derive_seed(derive_seed(seed, 7300 + producer), sequence);
}

/// One run of the pipeline.
struct pipeline_case {
    std::size_t producers = 1;
    std::size_t consumers = 1;
    std::size_t capacity = 1;
    std::size_t items_per_producer = 0;
    unsigned take_microseconds = 0;  ///< how long each take pauses (slow consumers)
    /// How long the take of the run's last item pauses: a caller that returns before its consumers
    /// end kills that take however the processes are scheduled, rather than only when it is quick.
    unsigned last_take_milliseconds = 0;
};

/// bounded-buffer: capacity 1, more producers than consumers and the other way round, a roomy
/// buffer, no items at all, a bigger one drawn from the seed, and slow consumers (the buffer is
/// still full when the producers are done, so the caller must wait for the consumers).
[[nodiscard]] inline std::vector<pipeline_case> pipeline_cases(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 73));
    auto n = [&](long lo, long hi) { return static_cast<std::size_t>(numbers.between(lo, hi)); };
    return {
        {1, 1, 1, n(200, 600)},
        {n(2, 4), 1, 1, n(100, 300)},
        {1, n(2, 4), 1, n(200, 400)},
        {n(2, 4), n(2, 4), n(2, 7), n(200, 500)},
        {n(2, 3), n(2, 3), 64, n(500, 1500)},
        {n(1, 3), n(1, 3), n(1, 4), 0},
        {2, 2, n(16, 32), n(60, 100), 1000, 400},
    };
}

/// at-most-k: workers and limit.
struct limit_case {
    std::size_t workers = 1;
    std::size_t limit = 1;
};

[[nodiscard]] inline std::vector<limit_case> limit_cases(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 74));
    auto n = [&](long lo, long hi) { return static_cast<std::size_t>(numbers.between(lo, hi)); };
    return {{n(4, 7), 2}, {n(5, 8), 3}, {n(2, 4), 1}, {2, n(3, 6)}};
}

// ---- the timed transfer --------------------------------------------------------------------------

/// The source material's larger array.
inline constexpr std::size_t timing_rows = 500;
inline constexpr std::size_t timing_cols = 9111;
/// How many numbers each run changes (at places drawn from its nonce).
inline constexpr std::size_t timing_changes = 32;

/// The timed input for the run's seed (before any nonce's changes).
[[nodiscard]] inline std::vector<double> timing_base(std::uint64_t seed) {
    return seeded_doubles(derive_seed(seed, 75), timing_rows * timing_cols);
}

/// Applies the changes of one nonce to timing_base (or a copy of it); returns the places changed,
/// so that the probe can put the base's numbers back after the run.
inline std::vector<std::size_t> apply_nonce(std::vector<double>& values, std::uint64_t seed, std::uint64_t nonce) {
    seeded_numbers numbers(timing_seed(seed, nonce));
    std::vector<std::size_t> places;
    for (std::size_t i = 0; i < timing_changes; ++i) {
        const auto at = static_cast<std::size_t>(numbers.between(0, static_cast<long>(values.size()) - 1));
        values[at] = 1000.0 * numbers.unit();
        places.push_back(at);
    }
    return places;
}

}  // namespace parlab::grader::lab07
