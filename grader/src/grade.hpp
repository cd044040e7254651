#pragma once
// One grade run over one submission: build each lab, run its checks, gather the report.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace parlab::grader {

struct grade_options {
    std::filesystem::path root;                    ///< the kit
    std::filesystem::path lab_source;              ///< folder laid out like labs/
    bool overlay = false;                          ///< a submission: only its editable files count
    std::string submission_label;                  ///< how reports name it
    std::filesystem::path work;                    ///< build folder for this submission
    std::vector<std::string> lab_names;            ///< empty: every lab
    std::vector<std::string> only_checks;          ///< empty: every check; else only these (by name)
    unsigned long long seed = 0;
    bool verbose = false;
    bool progress = true;                          ///< a live progress line on stderr
    bool build_only = false;                       ///< build every program, run no check (to prebuild)
    std::filesystem::path artifacts;               ///< difference pictures; empty: work/artifacts
    std::filesystem::path machine_lock;            ///< graders side by side: their turns (machine_turn.hpp); empty: alone
    bool light_optimisation = false;               ///< compile at -O1: quicker builds, for grades that time nothing
    /// Stop grading a lab at its first check that does not pass (the known-bad self-check needs
    /// only that one: the checks after it would not change its verdict, only its time).
    bool stop_at_first_loss = false;
    /// Time limits as the rubric gives them, not grown for the machine's load (the known-bad
    /// self-check, which grades again with grown limits a run that timed out while computing).
    bool limits_without_load = false;
    /// What a check this machine cannot run is worth where its rubric says "defer": a Gradescope
    /// package names award or exclude, since no later grade resolves a deferral there.
    std::optional<not_run_policy> instead_of_defer;
    /// Someone else's code (a submission) is graded only in namespaces of its own or, without
    /// them, as root (run as another user); this allows it without either, and the report says so.
    bool unsandboxed = false;
    /// A folder of lab results shared with other grades of the same batch (lab_cache.hpp): a lab
    /// whose files, seed, rubric and grader match a stored result takes it. Empty: none.
    std::filesystem::path lab_cache;
    /// The kit's known-bad self-check: also build the lab's own Catch2 tests against the graded
    /// code (in the release tree, where it is compiled for the checks anyway) and run the tests
    /// this test spec names ("[lab05][task2]"), into lab_result::lab_tests. Empty: none.
    std::string lab_tests;
};

/// Grades; throws std::invalid_argument for an unknown lab name, std::runtime_error for a kit
/// problem (missing rubric folder). Never throws for what the student's code does.
[[nodiscard]] grade_report grade(const grade_options& options);

/// "Intel(R) Xeon(R) ... , 2 CPUs available, Linux 6.1"
[[nodiscard]] std::string describe_machine();

/// A seed for hidden inputs, drawn from the system's entropy.
[[nodiscard]] unsigned long long draw_seed();

}  // namespace parlab::grader
