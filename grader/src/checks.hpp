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
#include "sandbox.hpp"

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

/// One ThreadSanitizer report in a run's output.
struct race_report {
    std::string kind;     ///< "data race", "lock-order-inversion (potential deadlock)", ...
    std::string first, second;  ///< the two source locations, as "file:line (what by whom)"
    bool canary = false;  ///< the grader's own planted race (probe.hpp)
};
/// Every ThreadSanitizer report in `output`, in order.
[[nodiscard]] std::vector<race_report> parse_race_reports(const std::string& output);

/// The two source locations of the first ThreadSanitizer report, as "file:line (what)", or
/// nullopt when the output has no report.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> parse_race_report(const std::string& output);

/// The ThreadSanitizer options of a race check. They go in TSAN_OPTIONS, which the sanitizer
/// reads after anything compiled into the program, so they win.
/// `log_path` is where reports go: "stderr", or a path prefix (reports in "<prefix>.<pid>").
[[nodiscard]] std::string tsan_options(const std::filesystem::path& suppressions, const std::string& log_path = "stderr");

/// How many times busier than its CPUs the machine is (the 1-minute load average over the CPUs;
/// 1 when idle, at most 4): time limits grow with it, so a correct program on a loaded machine
/// is not taken for a hung one.
[[nodiscard]] double load_factor();

/// How many cores were idle during `window` (from /proc/stat): the machine's free capacity.
[[nodiscard]] double free_cores(std::chrono::milliseconds window);

/// Processor time all CPUs of the machine have spent busy so far, in seconds (from /proc/stat:
/// everything but idle and I/O wait; "steal", time a virtual machine's host gave to others,
/// included).
[[nodiscard]] double machine_busy_seconds();

/// A timed pair counts only when other programs took at most this many cores, on average, while
/// either of its runs was timed: more, and a speedup looks smaller than the code makes it.
inline constexpr double busy_core_limit = 0.5;

/// Deciding a timing check from pairwise speedups: passed when at least two thirds of the pairs
/// reach `threshold`, failed when at least two thirds fall short, otherwise undecided.
enum class timing_verdict { passed, failed, undecided };
/// A fail needs at least `min_pairs_to_fail` pairs, so that a short burst of other work on the
/// machine cannot fail a check by itself (it only delays the verdict).
[[nodiscard]] timing_verdict decide_timing(const std::vector<double>& speedups, double threshold,
                                           std::size_t min_pairs_to_fail = 1);

}  // namespace parlab::grader
