#pragma once
// The grader's own self-check: every known-bad variant of a lab (solutions/NN-name/kit.json) is
// graded like a submission, and must lose points in the task whose tests it fails. The grader is
// then at least as strict as the lab's tests on every mistake the kit knows.

#include <filesystem>
#include <string>
#include <vector>

namespace parlab::grader {

/// Grades each known-bad variant of the labs named (every lab when empty) with the seeds
/// `seed` .. `seed + seeds - 1`, printing one line per variant. Returns 0 when every variant lost
/// points in its task with every seed, 1 otherwise.
int grade_known_bad_variants(const std::filesystem::path& root, const std::vector<std::string>& lab_names,
                             unsigned long long seed, int seeds = 3);

}  // namespace parlab::grader
