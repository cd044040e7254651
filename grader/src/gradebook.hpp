#pragma once
// Grading a whole class: one report per submission folder, a CSV gradebook built from them, and
// a batch that can be stopped and resumed (same seed, only changed submissions graded again).

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "io.hpp"
#include "model.hpp"

namespace parlab::grader {

/// The submission folders of a class folder (one per student; hidden ones and files left out), sorted.
[[nodiscard]] std::vector<std::filesystem::path> submission_folders(const std::filesystem::path& dir);

/// The folder of a submission laid out like labs/ (a student's repo has labs/, an upload may not).
/// Throws std::invalid_argument when `dir` is not a folder.
[[nodiscard]] std::filesystem::path submission_labs(const std::filesystem::path& dir);

/// "sub-<16 hex digits>" from the submission's canonical path: two classes with an "alice" get
/// work folders of their own.
[[nodiscard]] std::string submission_key(const std::filesystem::path& dir);

/// A digest of every file under `dir` (relative paths and contents, `.git` left out): it changes
/// whenever a file is added, removed, renamed or edited.
[[nodiscard]] std::string content_hash(const std::filesystem::path& dir);

/// A 64-bit digest (FNV-1a, 16 hex digits) of `bytes`: a key for files, not a defence against
/// collisions made on purpose (compare the bytes where that matters).
[[nodiscard]] std::string text_hash(const std::string& bytes);


/// Why a report, or some of its labs, could not be graded (a missing lab, a build failure, a
/// grader error), then what the grader noted about the upload (an ignored file):
/// "01-race-condition: <message>; ...". Empty when every lab was graded and nothing was noted.
[[nodiscard]] std::string grading_errors(const grade_report& report);

/// The gradebook: for each lab in order, its points, its maximum and each check's points in rubric
/// order, then total, max, seed and error; one row per report.
[[nodiscard]] std::string gradebook_csv(const std::vector<lab_info>& labs, const std::vector<grade_report>& reports);

/// The labs a batch grades, the same for every submission so that every maximum is the same: the
/// labs `names` names, or without names every lab of `all` that any of the submission `folders` has
/// a file of (every lab when none has). Throws std::invalid_argument for an unknown name.
[[nodiscard]] std::vector<lab_info> batch_labs(const std::vector<lab_info>& all, const std::vector<std::string>& names,
                                               const std::vector<std::filesystem::path>& folders);

/// A stored report brought to the rubric `labs` hold now, without running anything: each check's
/// stored fraction of its points now. Empty when the submission must be graded again: the report
/// has other labs or checks than `labs`, or a check's rubric entry changed in anything but its
/// points.
[[nodiscard]] std::optional<grade_report> rescored(const grade_report& stored, const std::vector<lab_info>& labs);

/// Whether a stored `report` is the grade of the files whose content_hash is `hash`, graded with
/// `seed`: a batch skips such a submission. A report of a job that died has no hash, so never is.
[[nodiscard]] bool graded_from(const grade_report& report, const std::string& hash, unsigned long long seed);

/// A student of the class roster (--roster): the folder is the name of their submission folder.
struct roster_student {
    std::string id;       ///< the institution's student number (Canvas "SIS User ID", Moodle "ID number")
    std::string name;
    std::string section;
    std::string folder;
};

/// The students of a roster CSV `text` read from `source`: a header row naming the columns id, name,
/// section and folder (in any order), then one student a line; blank lines, a byte order mark and
/// CRLF line ends are allowed. Throws std::invalid_argument naming `source` and the line of a
/// mistake: a missing or unknown column, a wrong number of fields, an empty id or folder, an id or
/// folder given twice.
[[nodiscard]] std::vector<roster_student> parse_roster(const std::string& text, const std::string& source);

/// The learning management systems a batch exports grades for.
enum class lms_kind { canvas, moodle };

/// A grade import file for `kind`, one row per roster student, in roster order: per lab its points
/// (0 for a lab not graded), then the total. `reports` are the batch's reports by submission folder;
/// a student without one gets zeros. Canvas: "Student,ID,SIS User ID,SIS Login ID,Section", then
/// one column per lab titled with its points possible ("Lab 01 race condition (100)"), then "Final
/// Points", a column Canvas reads as its own and does not import. Moodle: "ID number,Full name,
/// Section", one column per lab, "Total" and "Feedback" (why a student got nothing).
[[nodiscard]] std::string lms_csv(lms_kind kind, const std::vector<lab_info>& labs, const std::vector<roster_student>& roster,
                                  const std::map<std::string, grade_report>& reports);

/// The UTF-8 byte order mark, which Excel needs to read a CSV as UTF-8 (--bom).
inline constexpr const char* utf8_bom = "\xEF\xBB\xBF";

/// The timing checks of a stored report that wait for a quiet machine (not run here, or too
/// noisy to decide), by lab folder.
[[nodiscard]] std::map<std::string, std::vector<std::string>> waiting_timing_checks(const grade_report& report);

/// `stored` with each check that `fresh` has (the same lab folder and check name) replaced by the
/// fresh result; the totals follow.
void replace_checks(grade_report& stored, const grade_report& fresh);

}  // namespace parlab::grader
