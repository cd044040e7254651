#pragma once
// Running one rubric check against a built submission.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "model.hpp"
#include "sandbox.hpp"

namespace parlab::grader {

/// Everything a check needs besides its spec and the built programs.
struct grading_context {
    std::filesystem::path root;          ///< the kit
    std::filesystem::path run_dir;       ///< scratch folder the runs may write (owned by the run user)
    std::filesystem::path artifacts_dir; ///< where checks write files for people (diff images)
    unsigned long long seed = 0;
    std::optional<std::pair<uid_t, gid_t>> run_as;
    double timeout_scale = 1.0;          ///< PARLAB_TIMEOUT_SCALE, for slow machines
    double load_factor = 1.0;            ///< time limits grow with the machine's load (see load_factor())
    std::filesystem::path reference_probe;  ///< the grader's own timing baselines (no student code)
};

/// What the grader learnt about one lab's programs while checking it.
struct lab_state {
    /// Set when a run timed out before the program's main() said "ready": every later check of
    /// the lab fails at once with this message instead of waiting for its own time limit.
    std::string never_started;
    /// Whether the lab's build failure was already reported (on its first check).
    bool build_reported = false;
    /// Tasks with a probe check that did not pass: their race checks cannot vouch for them.
    std::set<int> failed_tasks;
};

/// A probe run's input: the probe's arguments after the program name.
struct probe_call {
    std::vector<std::string> args;
};

/// The programs built for one lab.
struct lab_programs {
    lab_build release;
    lab_build tsan;
};

/// Verifies what a lab's probe returned for a "probe" (or "race") check, against the grader's own
/// reference; registered per lab in grader/src/labs.cpp.
struct probe_verifier {
    /// The probe's arguments after its check name, besides --seed (the probe makes its inputs
    /// from the seed).
    std::function<probe_call(const check_spec&, const grading_context&)> make_call;
    /// Turns the probe's JSON answer into a result (status, score fraction, message).
    std::function<check_result(const check_spec&, const nlohmann::json& answer, const grading_context&)> verify;
};

/// Checks what a timed run of the student's code answered (its digest) for the input made from
/// (seed, nonce): the expected digest, and whether an answer matches it.
struct timing_verifier {
    std::function<std::string(const std::map<std::string, std::string>& options, std::uint64_t seed, std::uint64_t nonce)>
        expected;
    std::function<bool(const std::string& expected, const std::string& got)> matches =
        [](const std::string& e, const std::string& g) { return e == g; };
};

/// Lab modules register their verifiers under "lab-name/probe-name".
std::map<std::string, probe_verifier>& probe_verifiers();
std::map<std::string, timing_verifier>& timing_verifiers();

/// Runs one check. Never throws for anything the student's code does.
[[nodiscard]] check_result run_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                                     const lab_programs& programs, lab_state& state);

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

/// Deciding a timing check from pairwise speedups: passed when at least two thirds of the pairs
/// reach `threshold`, failed when at least two thirds fall short, otherwise undecided.
enum class timing_verdict { passed, failed, undecided };
/// A fail needs at least `min_pairs_to_fail` pairs, so that a short burst of other work on the
/// machine cannot fail a check by itself (it only delays the verdict).
[[nodiscard]] timing_verdict decide_timing(const std::vector<double>& speedups, double threshold,
                                           std::size_t min_pairs_to_fail = 1);

}  // namespace parlab::grader
