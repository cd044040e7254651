#pragma once
// Lab 08's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe's
// rank 0 and by the verifier alike, the way lab 05 makes its own (the same filter, the same kind
// of arrays), and where the ranks leave what the student's code returned.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "../05-array-splitting/inputs.hpp"
#include "seeded.hpp"

namespace parlab::grader::lab08 {

/// Every check runs the student's code on 1, 2, 3 and 4 ranks.
inline constexpr int most_ranks = 4;

/// One input: a vector pair (dot), an array (rows) or a signal (rows = 1). Lab 05's cases, whose
/// worker count lab 08 leaves at 0: every check runs each case on 1 to most_ranks ranks.
using input_case = lab05::smooth_case;

/// The numbers of a case, or (`which` 1) the second vector of a pair.
[[nodiscard]] inline std::vector<double> case_values(const input_case& c, std::uint64_t which = 0) {
    input_case values = c;
    if (which != 0) values.values_seed = derive_seed(c.values_seed, which);
    return lab05::case_values(values);
}

namespace detail {
// Lab 05's maker with no worker count.
class case_maker : public lab05::detail::case_maker {
public:
    using lab05::detail::case_maker::case_maker;
    input_case make(std::size_t rows, std::size_t cols, double sigma, std::string about) {
        return lab05::detail::case_maker::make(rows, cols, sigma, 0, std::move(about));
    }
};
}  // namespace detail

/// dot-product: vector pairs of odd lengths (no rank count divides most of them).
[[nodiscard]] inline std::vector<input_case> dot_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 81);
    std::vector<input_case> cases;
    cases.push_back(m.make(1, 1, 1, "one element, which the other ranks get none of"));
    cases.push_back(m.make(1, m.count(2, 3), 1, "fewer elements than ranks"));
    cases.push_back(m.make(1, m.count(5, 40), 1, "a short pair"));
    cases.push_back(m.make(1, m.count(100001, 250001), 1, "a long pair"));
    return cases;
}

/// smooth-rows: arrays of odd shapes.
[[nodiscard]] inline std::vector<input_case> rows_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 82);
    std::vector<input_case> cases;
    cases.push_back(m.make(1, m.count(30, 80), m.sigma(1, 6), "one row"));
    cases.push_back(m.make(m.count(2, 3), m.count(20, 50), m.sigma(1, 4), "fewer rows than ranks"));
    cases.push_back(m.make(m.count(5, 9), m.count(2, 4), m.sigma(2, 6), "rows shorter than the radius"));
    cases.push_back(m.make(m.count(30, 60), m.count(200, 600), m.sigma(0.5, 12), "a normal array"));
    return cases;
}

/// halo: signals whose halos (radius 34 and more: 272 bytes and more) are above the eager limit
/// the probe sets, so that two ranks both sending first deadlock; one with a small radius.
[[nodiscard]] inline std::vector<input_case> signal_cases(std::uint64_t seed) {
    detail::case_maker m(seed, 83);
    std::vector<input_case> cases;
    cases.push_back(m.make(1, 1, m.sigma(8.6, 12), "a single sample"));
    cases.push_back(m.make(1, m.count(5, 30), m.sigma(8.6, 12), "shorter than the radius: one rank has it all"));
    cases.push_back(m.make(1, m.count(110, 130), m.sigma(8.6, 10), "room for 2 or 3 ranks only: the others get nothing"));
    cases.push_back(m.make(1, m.count(900, 3000), m.sigma(8.6, 20), "a signal"));
    cases.push_back(m.make(1, m.count(20000, 40000), m.sigma(0.5, 2), "a long signal, small radius"));
    return cases;
}

/// The file rank `rank` of a run on `ranks` ranks writes for case `index` of check `job`.
[[nodiscard]] inline std::string result_file(const std::string& job, int ranks, std::size_t index, int rank) {
    return fmt::format("{}-{}-{}-{}.raw", job, ranks, index, rank);
}

}  // namespace parlab::grader::lab08
