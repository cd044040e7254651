#pragma once
// The class report: one self-contained HTML page (inline CSS and SVG, nothing fetched) from the
// JSON reports of a batch, for the instructor.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "model.hpp"

namespace parlab::grader {

/// One student's report and the name of its file without ".json".
struct student_report {
    std::string name;
    grade_report report;
};

struct report_set {
    std::vector<student_report> reports;  ///< sorted by name
    std::vector<std::string> warnings;    ///< one line per file skipped
};

/// Reads every `*.json` of `dir` (hidden files left out) with the kit's `labs` (load_report); a file
/// that is not a report this grader reads is skipped with a warning naming it and why. Throws
/// std::invalid_argument when `dir` is not a folder or holds no good report.
[[nodiscard]] report_set load_reports(const std::filesystem::path& dir, const std::vector<lab_info>& labs);

/// How many total scores fall in each tenth of the maximum: [0,10%), [10,20%), ..., [90,100%].
[[nodiscard]] std::array<int, 10> score_histogram(const std::vector<student_report>& reports);

struct pass_rate {
    std::string lab;    ///< "01-race-condition"
    std::string check;  ///< "mutex-threads"
    int passed = 0;
    int total = 0;     ///< students for whom it ran (passed or not)
    int not_run = 0;   ///< students for whom it did not run here (deferred): not counted in total
    bool manual = false;  ///< marked by hand: "not run" is "not marked yet"
    [[nodiscard]] double rate() const { return total == 0 ? 0.0 : static_cast<double>(passed) / total; }
};

/// Every check of the class with the share of students who passed it among those it ran for,
/// hardest first (ties in lab and check order); checks that ran for nobody come last.
[[nodiscard]] std::vector<pass_rate> pass_rates(const std::vector<student_report>& reports);

/// Text made safe inside HTML elements and double-quoted attribute values.
[[nodiscard]] std::string html_escape(const std::string& text);

/// What the student table says beside a student's scores: below half the maximum, labs missing
/// from the submission, labs handed in as the untouched skeleton. Empty when none applies.
[[nodiscard]] std::string student_flags(const grade_report& report);

/// The page, to be written at `page` (links are relative to its folder; empty: the reports
/// folder). Students whose `NAME.md` sits in `dir` beside their JSON are linked to it.
[[nodiscard]] std::string class_report_html(const report_set& set, const std::filesystem::path& dir,
                                            const std::filesystem::path& page = {});

}  // namespace parlab::grader
