#pragma once
// What the three kinds of run checks (probe.cpp, race.cpp, timing.cpp in this folder) share:
// where a run happens, starting and ending a result, reading a run that went wrong, and one run
// of a probe in "check" mode. Internal to the checks; checks.hpp is the interface.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "checks.hpp"

namespace parlab::grader::checking {

/// The check's time limit: the rubric's "timeout" (or the type's default), grown for a slow or
/// loaded machine.
[[nodiscard]] int timeout_seconds(const check_spec& spec, int fallback, const grading_context& context);

/// Where a run happens and as whom: graded code in the run folder, the grader's reference side of
/// a timing pair in a folder of its own.
struct run_place {
    std::filesystem::path dir;
    std::optional<std::pair<uid_t, gid_t>> user;
};
[[nodiscard]] run_place graded_place(const grading_context& context);
[[nodiscard]] run_place reference_place(const grading_context& context);

/// A private copy of a program in `place`'s bin folder (the grader's, not writable by the run), so
/// the unprivileged user can run it wherever the kit lives.
[[nodiscard]] std::filesystem::path stage_program(const std::filesystem::path& program, const run_place& place,
                                                  const std::string& flavour);

/// A sandboxed run of `argv` in `place`, seeing its own folder and nothing else of the machine's files.
[[nodiscard]] run_request base_request(const run_place& place, std::vector<std::string> argv, int timeout_seconds,
                                       std::vector<std::string> extra_env = {});

void pass(check_result& r, std::string message, double fraction = 1.0);
void fail(check_result& r, check_status status, std::string message, std::string details = {});

/// A check this machine cannot run (a speedup check without the cores for it). The rubric's
/// "when_not_run" decides what it is worth, the same for every student: "defer" (the default: no
/// points yet, the maximum unchanged; grade again where it can run), "award" (its points) or
/// "exclude" (out of the maximum).
void not_run(check_result& r, const check_spec& spec, const std::string& why);

/// Turns a run that did not end normally into a result (a timeout told blocked from computing, a
/// flood of output, a crash); false when the run ended normally.
bool abnormal_end(check_result& r, const run_result& run, int timeout_seconds);

/// The memory limit of a run: the rubric's "memory_gib" (default 2 GiB), `factor` times.
[[nodiscard]] std::optional<std::size_t> memory_limit(const check_spec& spec, double factor = 1.0);
/// Whether a run that failed did so because it reached its memory limit.
[[nodiscard]] bool out_of_memory(const std::string& text);
[[nodiscard]] std::string memory_message(const check_spec& spec, double factor = 1.0);
/// A run that timed out before its main() said "ready".
[[nodiscard]] std::string hung_at_start(int timeout);

/// What one run of a probe in "check" mode gave.
struct probe_outcome {
    run_result run;
    bool started = false;                 ///< the probe said "ready"
    std::optional<nlohmann::json> answer; ///< the last JSON line of fd 3
};
[[nodiscard]] probe_outcome run_probe(const grading_context& context, const std::filesystem::path& program,
                                      const std::string& name, const std::vector<std::string>& args, int timeout,
                                      const std::vector<std::string>& env, std::optional<std::size_t> memory,
                                      const std::filesystem::path& report_file = {});

/// Turns a probe run that did not end normally (or never started) into a result; false otherwise.
bool abnormal_probe_end(check_result& r, const probe_outcome& out, int timeout, const check_spec& spec, lab_state& state,
                        double memory_factor = 1.0);

/// The verifier of the probe `run` names when it and `build`'s probe exist; otherwise null, with
/// `r` failed as the grader's own error (a rubric naming a probe the lab lacks).
[[nodiscard]] const probe_verifier* verifier_for(const lab_info& lab, const probe_run& run, const lab_build& build,
                                                 check_result& r);

/// The student's probe answer judged by the lab's verifier, its fraction turned into points.
[[nodiscard]] check_result verify_answer(const probe_verifier& verifier, const check_spec& spec, const probe_outcome& out,
                                         const grading_context& context, const check_result& start);

/// The three kinds of check that run code (manual checks are marked by hand: marks.hpp).
/// Each takes the check and its kind's settings (spec.kind).
[[nodiscard]] check_result run_probe_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                                           const probe_kind& probe, const lab_programs& programs, lab_state& state);
[[nodiscard]] check_result run_race_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                                          const race_kind& race, const lab_programs& programs, lab_state& state);
[[nodiscard]] check_result run_timing_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                                            const timing_kind& timing, const lab_programs& programs, lab_state& state);

}  // namespace parlab::grader::checking
