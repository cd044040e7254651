// The hand marks of a batch (--marks) and the feedback files (--feedback): see batch_internal.hpp.

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include "batch_internal.hpp"
#include "build.hpp"
#include "gradebook.hpp"
#include "report.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

// The marks of --marks, read before anything is graded so that a mistake in the file stops the
// batch at once. A missing file is written as a template with a row per student and manual check.
hand_marks read_marks(const batch_options& options, const std::vector<lab_info>& labs, const std::vector<fs::path>& folders) {
    if (options.marks.empty()) return {};
    if (std::all_of(labs.begin(), labs.end(), [](const lab_info& lab) { return manual_checks(lab).empty(); }))
        throw std::invalid_argument("batch: --marks: no lab of this batch has a manual check (a rubric entry with "
                                    "\"type\": \"manual\") to mark by hand");
    std::vector<std::string> students;
    for (const auto& folder : folders) students.push_back(folder.filename().string());
    if (!fs::exists(options.marks)) {
        write_file(options.marks, marks_template(labs, students));
        fmt::print(stderr, "batch: wrote {}, a marks file with a row per student and manual check: fill in points "
                           "(and a comment), then run the batch again\n", options.marks.string());
    }
    hand_marks marks = parse_marks(read_text(options.marks), options.marks.string(), labs);
    std::set<std::string> warned;
    for (const auto& [key, mark] : marks) {
        const std::string& student = std::get<0>(key);
        if (std::find(students.begin(), students.end(), student) == students.end() && warned.insert(student).second)
            fmt::print(stderr, "batch: warning: {} marks '{}', who has no submission folder here\n", options.marks.string(), student);
    }
    return marks;
}

// Puts the hand marks into every stored report, so that a mark edited, added or taken out of the
// marks file shows in the reports and the gradebook without grading anything again.
void mark_reports(const batch_options& options, const std::vector<lab_info>& labs, const std::vector<fs::path>& folders,
                  const hand_marks& marks) {
    std::size_t updated = 0;
    for (const auto& folder : folders) {
        const std::string name = folder.filename().string();
        // one not graded yet, or to be graded again, gets the marks then
        std::optional<grade_report> report = stored_report(options, name, labs);
        if (!report || !apply_marks(*report, name, marks)) continue;
        write_submission_report(options, name, {*report, markdown_report(*report)});
        ++updated;
    }
    fmt::print(stderr, "batch: {} marks from {}; {} reports changed by them\n", marks.size(), options.marks.string(), updated);
}

// One Markdown file per student in --feedback's folder: what they got and what to look at. A
// roster student without a submission gets one saying so.
void write_feedback(const batch_options& options, const std::vector<grade_report>& reports, const std::vector<roster_student>& roster) {
    fs::create_directories(options.feedback);
    std::set<std::string> written;
    for (const auto& report : reports) {
        if (report.submission.empty()) continue;
        write_file(options.feedback / (report.submission + ".md"),
                   report.labs.empty() && !report.error.empty()
                       ? fmt::format("# ParLab grade: not graded\n\nSubmission `{}`: {}\n", report.submission, grading_errors(report))
                       : feedback_markdown(report));
        written.insert(report.submission);
    }
    for (const auto& student : roster)
        if (written.insert(student.folder).second)
            write_file(options.feedback / (student.folder + ".md"),
                       fmt::format("# ParLab grade: no submission\n\n{} ({}): no submission folder `{}` was graded.\n",
                                   student.name, student.id, student.folder));
    fmt::print(stderr, "batch: wrote {} feedback files in {}\n", written.size(), options.feedback.string());
}

}  // namespace parlab::grader
