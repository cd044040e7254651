#pragma once
// Running one rubric check against a built submission.

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "lab_api.hpp"
#include "model.hpp"
#include "machine_load.hpp"
#include "sandbox.hpp"
#include "tsan_report.hpp"

namespace parlab::grader {

/// What the grader learnt about one lab's programs while checking it.
struct lab_state {
    /// Set when a run timed out before the program's main() said "ready": every later check of
    /// the lab fails at once with this message instead of waiting for its own time limit.
    std::string never_started;
    /// Whether the lab's build failure was already reported (on its first check).
    bool build_reported = false;
    /// Tasks with a probe check that did not pass: their race checks cannot vouch for them.
    std::set<int> failed_tasks;
    /// Probe checks that did not pass (a timing check's "needs_passed" looks here).
    std::set<std::string> failed_checks;
    /// Set when a probe check sat blocked until its time limit (a deadlock): the lab's later probe
    /// checks get at most blocked_cut_seconds, so that one deadlock costs one full limit, not one
    /// per check.
    bool sat_blocked = false;
};

/// A probe check's time limit after an earlier check of its lab sat blocked (before the scaling
/// for a slow or loaded machine); every probe of the kit's labs takes a few seconds.
inline constexpr int blocked_cut_seconds = 30;

/// The programs built for one lab.
struct lab_programs {
    lab_build release;
    lab_build tsan;
};

/// ThreadSanitizer's programs use several times the memory of the same code built plainly (its
/// shadow memory and its record of recent accesses): their runs get this many times the rubric's
/// memory limit.
inline constexpr double tsan_memory_factor = 3.0;

/// Runs one check. Never throws for anything the student's code does.
[[nodiscard]] check_result run_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                                     const lab_programs& programs, lab_state& state);

/// The lab's checks, none of them run, each worth 0 with `why` (the first says it, the others point
/// to it): a lab the submission has no files of, or an upload the grader cannot use.
[[nodiscard]] lab_result not_run_lab(const lab_info& lab, const std::string& why);

/// Deciding a timing check from pairwise speedups: passed when there are at least `clear_pairs`
/// pairs and two thirds of them reach `threshold`, failed when at least two thirds fall short,
/// otherwise undecided. A pass never rests on one or two pairs: when other programs disturbed the
/// rest of a round (those pairs do not count), the one quiet pair left could be a lucky one, and
/// a submission that keeps the machine busy would get draw after draw.
enum class timing_verdict { passed, failed, undecided };
/// A fail needs at least `min_pairs_to_fail` pairs, so that a short burst of other work on the
/// machine cannot fail a check by itself (it only delays the verdict).
[[nodiscard]] timing_verdict decide_timing(const std::vector<double>& speedups, double threshold,
                                           std::size_t min_pairs_to_fail = 1);

/// A pass that needs no more pairs: at least `clear_pairs` pairs, each at least `clear_margin`
/// times the threshold. Code clearly above the threshold then takes 3 pairs instead of 5 (a class
/// batch spends most of its time in timing checks, which have the machine alone); code near it
/// is timed as before. Code whose speedup is below the threshold passes this way only if three
/// pairs in a row each measure it more than 10 % too high, rarer than four of five measuring it
/// above the threshold itself, which the two-thirds rule accepts.
inline constexpr std::size_t clear_pairs = 3;
inline constexpr double clear_margin = 1.1;
/// How far above the threshold the median of pairs that ran out undecided must be to pass.
inline constexpr double rescue_margin = 1.25;
[[nodiscard]] bool clearly_passed(const std::vector<double>& speedups, double threshold);

/// The median a timing check reports: the upper middle of an even count. `speedups` is not empty.
[[nodiscard]] double median_speedup(const std::vector<double>& speedups);

/// When the pairs ran out undecided (neither two thirds above the threshold nor two thirds below,
/// as a baseline whose speed varies from run to run gives): passed when there are at least
/// `min_pairs_to_fail` pairs and their median is at least `rescue_margin` times the threshold, so
/// that code typically far above it is not left inconclusive; otherwise still undecided.
[[nodiscard]] timing_verdict decide_out_of_pairs(const std::vector<double>& speedups, double threshold,
                                                 std::size_t min_pairs_to_fail);

}  // namespace parlab::grader
