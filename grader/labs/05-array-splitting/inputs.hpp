#pragma once
// Lab 05's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe and
// the verifier alike, and the format of the timed runs' answers.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "seeded.hpp"

namespace parlab::grader::lab05 {

/// One array to smooth: its shape, sigma, worker count and where its numbers come from.
struct smooth_case {
    std::size_t rows = 0;
    std::size_t cols = 0;
    double sigma = 1;
    std::size_t workers = 1;
    std::uint64_t values_seed = 0;
    double scale = 1;  ///< the numbers are uniform in [-scale, scale)
    std::string about; ///< what the case is for, in the student's terms
};

/// The numbers of a case, row after row.
[[nodiscard]] inline std::vector<double> case_values(const smooth_case& c) {
    seeded_numbers numbers(c.values_seed);
    std::vector<double> values(c.rows * c.cols);
    for (double& v : values) v = (2.0 * numbers.unit() - 1.0) * c.scale;
    return values;
}

namespace detail {
class case_maker {
public:
    case_maker(std::uint64_t seed, std::uint64_t purpose) : seed_(seed), numbers_(derive_seed(seed, purpose)) {}
    std::size_t count(long lo, long hi) { return static_cast<std::size_t>(numbers_.between(lo, hi)); }
    double sigma(double lo, double hi) { return lo + (hi - lo) * numbers_.unit(); }
    smooth_case make(std::size_t rows, std::size_t cols, double sigma, std::size_t workers, std::string about) {
        const double scale = std::pow(10.0, static_cast<double>(numbers_.between(-3, 3)));
        return {rows, cols, sigma, workers, derive_seed(seed_, 500 + made_++), scale, std::move(about)};
    }

private:
    std::uint64_t seed_;
    seeded_numbers numbers_;
    std::uint64_t made_ = 0;
};
}  // namespace detail

/// split-rows (and pipe-gather, which adds big_pipe_case): the odd shapes first, then a normal one.
[[nodiscard]] inline std::vector<smooth_case> split_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 51);
    std::vector<smooth_case> cases;
    cases.push_back(m.make(1, 1, m.sigma(0.3, 3), m.count(1, 5), "a single number"));
    cases.push_back(m.make(1, m.count(40, 90), m.sigma(1, 8), m.count(2, 5), "one row"));
    cases.push_back(m.make(m.count(2, 4), m.count(30, 60), m.sigma(1, 5), 5, "fewer rows than workers"));
    cases.push_back(m.make(m.count(5, 9), m.count(2, 4), m.sigma(2, 6), m.count(2, 5),
                           "rows shorter than the radius (reflect wraps more than once)"));
    cases.push_back(m.make(m.count(30, 70), m.count(200, 700), m.sigma(0.5, 12), m.count(1, 5), "a normal array"));
    return cases;
}

/// pipe-gather's extra case: every row is longer than a pipe holds (64 KiB), so it can only
/// arrive in parts, and every worker sends far more.
[[nodiscard]] inline smooth_case big_pipe_case(std::uint64_t seed) {
    detail::case_maker m(seed, 52);
    return m.make(m.count(12, 20), m.count(9000, 12000), m.sigma(1, 4), m.count(2, 3),
                  "rows longer than a pipe holds");
}

/// halo: smooth_split_columns on a long signal and odd shapes.
[[nodiscard]] inline std::vector<smooth_case> halo_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 53);
    std::vector<smooth_case> cases;
    cases.push_back(m.make(1, 1, m.sigma(0.3, 3), m.count(1, 5), "a single number"));
    cases.push_back(m.make(1, m.count(20000, 40000), m.sigma(5, 40), m.count(2, 5), "one long signal"));
    cases.push_back(m.make(3, 4, m.sigma(2, 6), 5, "more workers than columns, rows shorter than the radius"));
    cases.push_back(m.make(m.count(2, 5), m.count(7, 30), m.sigma(1, 10), m.count(1, 5), "short rows"));
    cases.push_back(m.make(m.count(64, 96), m.count(1500, 3000), m.sigma(4, 12), m.count(2, 4), "many rows"));
    return cases;
}

/// halo: smooth_column_block on its own, one block of columns into an output filled with
/// block_sentinel, which every column outside the block must keep.
struct block_case {
    smooth_case shape;
    std::size_t first = 0;  ///< the block is columns [first, last)
    std::size_t last = 0;
};

/// What the output holds before smooth_column_block runs (any column outside the block keeps it).
inline constexpr double block_sentinel = -7.25e300;

[[nodiscard]] inline std::vector<block_case> block_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 57);
    std::vector<block_case> cases;
    // (shape, first, last): a block at the row's start, one in the middle narrower than the
    // radius, one at the end, and one on a row shorter than the radius
    {
        smooth_case c = m.make(m.count(2, 4), m.count(300, 600), m.sigma(4, 12), 1, "the first block of a row");
        const std::size_t last = m.count(20, 120);
        cases.push_back({c, 0, last});
    }
    {
        smooth_case c = m.make(m.count(1, 3), m.count(400, 800), m.sigma(8, 20), 1,
                               "a middle block narrower than the radius");
        const std::size_t first = m.count(100, 250);
        cases.push_back({c, first, first + m.count(3, 20)});
    }
    {
        smooth_case c = m.make(m.count(2, 4), m.count(200, 500), m.sigma(2, 9), 1, "the last block of a row");
        const std::size_t first = c.cols - m.count(10, 90);
        cases.push_back({c, first, c.cols});
    }
    {
        smooth_case c = m.make(2, m.count(5, 9), m.sigma(3, 6), 1, "a row shorter than the radius");
        const std::size_t first = m.count(1, 2);
        cases.push_back({c, first, first + m.count(1, 3)});
    }
    return cases;
}

/// worker-failure: the row whose kernel call throws, and the text it throws (drawn from the
/// seed, so that no one can write the message in advance).
struct failure_case {
    smooth_case shape;
    std::size_t failing_row = 0;  ///< rows_ when every row fails
    std::string text;
};

[[nodiscard]] inline std::vector<failure_case> failure_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 54);
    seeded_numbers numbers(derive_seed(seed, 55));
    std::vector<failure_case> cases;
    for (int i = 0; i < 3; ++i) {
        smooth_case shape = m.make(m.count(6, 30), m.count(5, 40), m.sigma(0.5, 3), m.count(2, 5), "");
        const bool every_row = i == 2;
        const std::size_t row = every_row ? shape.rows : static_cast<std::size_t>(numbers.between(0, static_cast<long>(shape.rows) - 1));
        cases.push_back({shape, row, "probe kernel refuses row, token " + std::to_string(numbers.next() % 1000000007ULL)});
    }
    return cases;
}

// ---- timed runs (split-speedup) ----

inline constexpr std::size_t timing_rows = 32;
inline constexpr std::size_t timing_cols = 100000;
inline constexpr double timing_sigma = 40.0;
inline constexpr std::size_t timing_samples = 16;

/// Fills the timed input (timing_rows x timing_cols) with numbers in [0, 1) made from the nonce.
inline void fill_timing_input(std::span<double> values, std::uint64_t seed, std::uint64_t nonce) {
    seeded_numbers numbers(timing_seed(seed, nonce));
    for (double& v : values) v = numbers.unit();
}

/// The positions (row * timing_cols + column) whose outputs a timed run answers.
[[nodiscard]] inline std::vector<std::size_t> timing_positions(std::uint64_t seed, std::uint64_t nonce) {
    seeded_numbers numbers(derive_seed(timing_seed(seed, nonce), 56));
    std::vector<std::size_t> at(timing_samples);
    for (std::size_t& p : at) p = static_cast<std::size_t>(numbers.next() % (timing_rows * timing_cols));
    return at;
}

/// A timed run's answer: the sampled outputs, then the sum of all outputs.
[[nodiscard]] inline std::string timing_answer(std::span<const double> samples, double sum) {
    std::string text;
    for (const double v : samples) text += digest_double(v) + " ";
    return text + digest_double(sum);
}

/// The answer of a timed run whose output (timing_rows x timing_cols, row after row) is `out`:
/// the outputs at timing_positions, then the sum of all of them.
[[nodiscard]] inline std::string timing_digest(std::span<const double> out, std::uint64_t seed, std::uint64_t nonce) {
    std::vector<double> samples;
    for (const std::size_t p : timing_positions(seed, nonce)) samples.push_back(out[p]);
    double sum = 0;
    for (const double v : out) sum += v;
    return timing_answer(samples, sum);
}

/// Reads a timing_answer back; false when it is not one.
[[nodiscard]] inline bool read_timing_answer(const std::string& text, std::vector<double>& samples, double& sum) {
    std::istringstream in(text);
    std::vector<double> numbers;
    for (std::string word; in >> word;) {
        char* end = nullptr;
        const double v = std::strtod(word.c_str(), &end);
        if (end == word.c_str() || *end != '\0' || !std::isfinite(v)) return false;
        numbers.push_back(v);
    }
    if (numbers.size() != timing_samples + 1) return false;
    sum = numbers.back();
    numbers.pop_back();
    samples = std::move(numbers);
    return true;
}

}  // namespace parlab::grader::lab05
