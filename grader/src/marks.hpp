#pragma once
// Checks an instructor marks by hand (rubric "type": "manual"), such as the written answers of a
// "measure and explain" task: the marks file a batch reads (--marks) and the feedback it exports
// (--feedback).

#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "model.hpp"

namespace parlab::grader {

/// The instructor's mark of one manual check of one student.
struct hand_mark {
    double points = 0;
    std::string comment;  ///< shown to the student beside the points; may be empty
};

/// Hand marks by (student's submission folder, lab folder, check name).
using hand_marks = std::map<std::tuple<std::string, std::string, std::string>, hand_mark>;

/// The columns of a marks file, in the order marks_template writes them.
inline constexpr const char* marks_columns = "student,lab,check,points,comment";

/// The manual checks of `lab`, in rubric order.
[[nodiscard]] std::vector<const check_spec*> manual_checks(const lab_info& lab);

/// The marks of CSV `text` read from `source`: columns student (the submission folder), lab (its
/// folder, name or number), check (a manual check of it; may be empty when the lab has one),
/// points and comment. A row with empty points is not marked yet. Throws std::invalid_argument
/// naming `source` and the line for an unknown lab or check, a check that is not manual, points
/// that are not a number from 0 to the check's points, or a mark given twice.
[[nodiscard]] hand_marks parse_marks(const std::string& text, const std::string& source, const std::vector<lab_info>& labs);

/// A marks file to fill in: a row per student of `students` and manual check of `labs`, points empty.
[[nodiscard]] std::string marks_template(const std::vector<lab_info>& labs, const std::vector<std::string>& students);

/// The result of manual check `spec` of `lab`: its mark, or "not marked yet" (0 points, the
/// maximum unchanged) when `mark` is null.
[[nodiscard]] check_result manual_result(const lab_info& lab, const check_spec& spec, const hand_mark* mark);

/// Every manual check of `report`, the grade of `student`, given its mark in `marks` or made
/// unmarked again (a mark taken out of the file). Returns whether any result changed.
bool apply_marks(grade_report& report, const std::string& student, const hand_marks& marks);

/// What a student reads in the feedback export: the report, then what to do about each check that
/// lost points (its message and the hint to read).
[[nodiscard]] std::string feedback_markdown(const grade_report& report);

}  // namespace parlab::grader
