#pragma once
// Lab results a batch shares between submissions: one lab's files graded with one seed, by one
// grader and rubric, give the same result, so a second submission with the same files (an
// untouched skeleton, a copy) takes the first one's instead of compiling and running it again.

#include <filesystem>
#include <optional>
#include <string>

#include "model.hpp"
#include "submission.hpp"

namespace parlab::grader {

/// What a lab's result depends on in one submission: its editable files' contents (or their
/// absence), the seed, the lab's rubric as loaded and the grader program itself.
struct lab_identity {
    std::string key;    ///< a file name: the lab's folder and a digest of `bytes`
    std::string bytes;  ///< all of it, compared whole on a hit (a digest alone could be forged)
};
[[nodiscard]] lab_identity identify_lab(const lab_info& lab, const submission_files& files, unsigned long long seed);

/// The result stored for `id` in the folder `cache` (read with `lab`, whose rubric is part of the
/// identity); its difference pictures are copied into `artifacts`. Empty when there is none.
[[nodiscard]] std::optional<lab_result> cached_lab(const std::filesystem::path& cache, const lab_identity& id,
                                                   const lab_info& lab, const std::filesystem::path& artifacts);

/// Stores `result` for `id`, unless another grade of the same files could give another result:
/// a check the grader could not run (error), or a timing check deferred or inconclusive.
void store_lab(const std::filesystem::path& cache, const lab_identity& id, const lab_result& result);

}  // namespace parlab::grader
