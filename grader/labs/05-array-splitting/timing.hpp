#pragma once
// The timed smoothing's verifier, shared by lab 05 (split_rows on 1 and 2 workers) and lab 08
// (smooth_rows_distributed on ranks against the grader's serial smoothing): the same input, made
// from the seed and the nonce (inputs.hpp), and the same answer.

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "inputs.hpp"
#include "lab_api.hpp"
#include "reference.hpp"

namespace parlab::grader::lab05 {

namespace ref = lab05_reference;

/// The timing verifier of a timed smoothing: the answer must hold the sampled outputs and the sum
/// of all outputs of the timing input for (seed, nonce), within the lab's tolerance.
[[nodiscard]] inline timing_verifier smoothing_timing_verifier() {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>&, std::uint64_t seed, std::uint64_t nonce) {
        static const std::vector<double> carried = ref::weight_per_sample(timing_cols, timing_sigma);
        static const ref::kernel g = ref::gaussian(timing_sigma);
        std::vector<double> input(timing_rows * timing_cols);
        fill_timing_input(input, seed, nonce);
        std::vector<double> samples;
        for (const std::size_t p : timing_positions(seed, nonce)) {
            const std::size_t row = p / timing_cols;
            samples.push_back(ref::smooth_at(input.data() + row * timing_cols, timing_cols, g,
                                             p % timing_cols));
        }
        double sum = 0;
        for (std::size_t i = 0; i < input.size(); ++i) sum += input[i] * carried[i % timing_cols];
        return timing_answer(samples, sum);
    };
    v.matches = [](const std::string& expected, const std::string& got) {
        std::vector<double> want, have;
        double want_sum = 0, have_sum = 0;
        if (!read_timing_answer(expected, want, want_sum) || !read_timing_answer(got, have, have_sum))
            return false;
        // inputs in [0, 1): the lab's tolerance is 1e-12; the sum of 3.2 million outputs may be
        // added in any order
        for (std::size_t i = 0; i < want.size(); ++i)
            if (!(std::fabs(want[i] - have[i]) <= 1e-12)) return false;
        return std::fabs(want_sum - have_sum) <= 1e-8 * std::fabs(want_sum) + 1e-9;
    };
    return v;
}

}  // namespace parlab::grader::lab05
