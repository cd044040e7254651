#pragma once
// Finding a lab's editable files in a submission, however it arrived: a copy of the kit, a labs/
// folder, lab folders, one lab's folder, or loose files at the top of an upload.

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

namespace parlab::grader {

/// A submission that cannot be graded at all (empty, or none of its files belongs to a lab).
struct submission_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct submission_files {
    std::map<std::string, std::filesystem::path> found;    ///< "01-race-condition/bank.cpp" -> its file
    std::map<std::string, std::string> ambiguous;          ///< same key -> why no one file was taken
    std::vector<std::string> ignored;                      ///< loose source files that belong to no lab
    std::size_t file_count = 0;                            ///< regular files in the submission
    /// The labs with at least one of their files in the submission.
    [[nodiscard]] std::vector<const lab_info*> labs_present(const std::vector<lab_info>& labs) const;
};

/// Matches the files of `dir` to the labs' editable files by name. Where several files have a
/// lab file's name, the one in a folder named after the lab wins, then the one under labs/.
[[nodiscard]] submission_files find_submission_files(const std::filesystem::path& dir, const std::vector<lab_info>& labs);

/// Why a lab asked for is worth nothing in a submission without its files: "no submission for
/// 01-race-condition: the submission has no bank.cpp".
[[nodiscard]] std::string no_submission(const lab_info& lab);

}  // namespace parlab::grader
