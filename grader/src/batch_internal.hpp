#pragma once
// What batch.cpp and batch_marks.cpp share; internal to the batch.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "batch.hpp"
#include "gradebook.hpp"
#include "marks.hpp"
#include "model.hpp"

namespace parlab::grader {

/// A submission's report as the batch stores it (NAME.json through json_report) and its Markdown
/// twin.
struct graded_submission {
    grade_report report;
    std::string markdown;
};

/// The report the batch stored for `name`, read with `labs`; empty when there is none, or when it
/// is not one this grader reads (that submission is graded again).
[[nodiscard]] std::optional<grade_report> stored_report(const batch_options& options, const std::string& name,
                                                        const std::vector<lab_info>& labs);

/// Writes a submission's report into --reports (and its Markdown twin with --markdown).
void write_submission_report(const batch_options& options, const std::string& name, const graded_submission& result);

/// The marks of --marks, read before anything is graded so that a mistake in the file stops the
/// batch at once. A missing file is written as a template with a row per student and manual
/// check; empty without --marks.
[[nodiscard]] hand_marks read_marks(const batch_options& options, const std::vector<lab_info>& labs,
                                    const std::vector<std::filesystem::path>& folders);

/// Puts the hand marks into every stored report, so that a mark edited, added or taken out of
/// the marks file shows in the reports and the gradebook without grading anything again.
void mark_reports(const batch_options& options, const std::vector<lab_info>& labs,
                  const std::vector<std::filesystem::path>& folders, const hand_marks& marks);

/// One Markdown file per student in --feedback's folder: what they got and what to look at. A
/// roster student without a submission gets one saying so.
void write_feedback(const batch_options& options, const std::vector<grade_report>& reports,
                    const std::vector<roster_student>& roster);

}  // namespace parlab::grader
