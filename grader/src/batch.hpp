#pragma once
// A class graded in one command: every submission folder in jobs of their own, resumable with the
// same seed, the gradebook and exports written from the reports (README "Grading a class").

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gradebook.hpp"

namespace parlab::grader {

/// "0:42 elapsed, about 3:10 left" from the time so far and the submissions graded and left.
[[nodiscard]] std::string progress_text(double elapsed_seconds, std::size_t graded, std::size_t left);

struct batch_options {
    std::filesystem::path root;           ///< the kit
    std::filesystem::path submissions;    ///< one folder per student
    std::filesystem::path csv;
    std::filesystem::path reports;        ///< one JSON report per student, and the batch's state
    std::vector<std::string> lab_names;   ///< empty: every lab any submission has (batch_labs)
    std::optional<unsigned long long> seed;  ///< empty: the seed of the batch's state, or a new one
    bool force = false;                   ///< grade again even what has not changed
    /// Run only the timing checks the stored reports have as not run (deferred) or inconclusive,
    /// and put their results into those reports; everything else stays as graded.
    bool deferred = false;
    /// The checks a job runs (empty: every check); set per job by a --deferred batch.
    std::vector<std::string> only_checks;
    bool markdown = false;                ///< a Markdown report beside each JSON one
    std::size_t jobs = 1;                 ///< submissions graded at once (timing checks still run alone)
    bool unsandboxed = false;             ///< grade without namespaces where none can be had (see grade_options)
    std::filesystem::path roster;         ///< a roster CSV (parse_roster); empty: none
    std::vector<std::pair<lms_kind, std::filesystem::path>> lms_exports;  ///< needs a roster
    bool bom = false;                     ///< every CSV written starts with utf8_bom
    /// Hand marks of the manual checks (parse_marks); empty: none. A missing file is written as a
    /// template to fill in (marks_template).
    std::filesystem::path marks;
    std::filesystem::path feedback;       ///< a folder for one feedback file per student; empty: none
};

/// A batch stopped by SIGINT or SIGTERM after ending its jobs; what() says how far it got.
struct batch_interrupted : std::runtime_error {
    batch_interrupted(const std::string& what, int stop_signal) : std::runtime_error(what), signal(stop_signal) {}
    int signal;
};

/// Another batch holds the build trees of this kit.
struct batch_busy : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Grades every submission folder that is new or changed since its report (or whose report's
/// rubric changed in more than points; a change of points alone is recomputed), then writes the
/// CSV from every report. One broken submission never stops the batch. Returns the number of rows.
/// Each job is a process group of its own; SIGINT or SIGTERM ends every job and the runs they
/// started, then throws batch_interrupted. Throws batch_busy when another batch holds the kit's
/// job trees (build/grade/batch-N.lock).
std::size_t run_batch(const batch_options& options);

}  // namespace parlab::grader
