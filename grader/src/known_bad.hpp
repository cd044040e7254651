#pragma once
// The grader's own self-check: every known-bad variant of a lab (solutions/NN-name/kit.json) is
// graded like a submission, and must lose points in the task whose tests it fails. The grader is
// then at least as strict as the lab's tests on every mistake the kit knows.

#include <filesystem>
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
};

/// Grades the known-bad variants of the labs, printing one line per variant. Returns 0 when every
/// variant graded lost points in its task with every seed, 1 otherwise.
int grade_known_bad_variants(const known_bad_options& options);

}  // namespace parlab::grader
