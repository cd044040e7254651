#pragma once
// Running one rubric check against a built submission.

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
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

/// Verifies what a lab's probe returned for a "probe" check, against the grader's own
/// reference; registered per lab by the lab modules (grader/src/labNN.cpp).
struct probe_verifier {
    /// The probe's arguments after its check name, besides --seed (the probe makes its inputs
    /// from the seed).
    std::function<probe_call(const check_spec&, const grading_context&)> make_call;
    /// Turns the probe's JSON answer into a result (status, score fraction, message).
    std::function<check_result(const check_spec&, const nlohmann::json& answer, const grading_context&)> verify;
};

/// Lab modules register their verifiers under "lab-name/probe-name".
std::map<std::string, probe_verifier>& probe_verifiers();

/// Runs one check. Never throws for anything the student's code does.
[[nodiscard]] check_result run_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                                     const lab_programs& programs);

/// Parses Catch2's closing summary ("All tests passed (...)" or "test cases: N | P passed | F failed");
/// nullopt when the output has none (the program crashed or exited early).
struct catch_summary {
    int cases = 0;
    int failed = 0;
};
[[nodiscard]] std::optional<catch_summary> parse_catch_summary(const std::string& output);

/// The two source locations of the first ThreadSanitizer report, as "file:line (what)", or
/// nullopt when the output has no report.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> parse_race_report(const std::string& output);

/// How many cores were idle during `window` (from /proc/stat): the machine's free capacity.
[[nodiscard]] double free_cores(std::chrono::milliseconds window);

/// Deciding a timing check from pairwise speedups: passed when at least two thirds of the pairs
/// reach `threshold`, failed when at least two thirds fall short, otherwise undecided.
enum class timing_verdict { passed, failed, undecided };
[[nodiscard]] timing_verdict decide_timing(const std::vector<double>& speedups, double threshold);

}  // namespace parlab::grader
