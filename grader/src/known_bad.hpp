#pragma once
// The grader's own self-check: every known-bad variant of a lab (solutions/NN-name/kit.json) is
// graded like a submission, and must lose points in the task whose tests it fails. The grader is
// then at least as strict as the lab's tests on every mistake the kit knows. The lab's untouched
// skeleton is graded last, in the same tree: it may score only the checks its README gives.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace parlab::grader {

struct known_bad_options {
    std::filesystem::path root;
    std::vector<std::string> lab_names;  ///< every lab when empty
    unsigned long long seed = 0;         ///< the first seed; each variant is graded with seed .. seed + seeds - 1
    int seeds = 3;
    /// Grade only this many variants of each lab, drawn with the seed (0: every variant). That every
    /// patch still applies is checked when the grader is built (check-kit), drawn or not.
    int sample = 0;
    /// With `sample`: instead of a draw, the turn-th group of `sample` variants of each lab, in the
    /// order of its kit.json, wrapping around (turns 0, 1, 2, ... grade every variant in turn).
    std::optional<unsigned long long> turn;
};

/// Which of a lab's `count` variants to grade: all of them; `sample` of them in turn (turn t grades
/// those at t * sample, t * sample + 1, ... wrapping around, so that successive turns grade each
/// one); or `sample` drawn with the seed and the lab's number (the same seed draws the same ones,
/// so that a run can be repeated).
[[nodiscard]] std::vector<bool> variants_to_grade(std::size_t count, const known_bad_options& options, int lab_number);

/// Grades the known-bad variants and then the untouched skeleton of each lab, printing one line
/// for each. Returns 0 when every variant graded lost points in its task with every seed and every
/// skeleton scored only its lab.json's "given_checks" with every seed, 1 otherwise.
int grade_known_bad_variants(const known_bad_options& options);

}  // namespace parlab::grader
