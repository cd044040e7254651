#pragma once
// What the grader knows about labs and what it found: lab metadata, rubric checks, results.

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace parlab::grader {

enum class check_status { passed, failed, timeout, crashed, error, inconclusive, skipped };

[[nodiscard]] const char* to_string(check_status status) noexcept;

/// The status a report names ("passed", ...); empty for a name that is none.
[[nodiscard]] std::optional<check_status> status_named(const std::string& name);

/// The type of a rubric value a check takes.
enum class param_type { integer, number, text, boolean };

/// A rubric key a lab's verifier takes for its probe (besides the keys every check has), with its
/// type and its value when the rubric leaves it out. Declared where the verifier is registered
/// (grader/labs/NN-name/verify.cpp), so that the rubric loader can check it.
struct param_decl {
    std::string key;
    param_type type = param_type::integer;
    nlohmann::json fallback;
};

/// The rubric keys the verifier of `probe` in the lab folder `folder` declares; nullptr when there is no such verifier.
/// The lab registry (lab_api.cpp) answers it.
[[nodiscard]] const std::vector<param_decl>* declared_params(const std::string& folder, const std::string& probe);

/// What a check that this machine cannot run is worth (a speedup check without the cores).
enum class not_run_policy {
    defer,    ///< no points yet, the maximum unchanged: grade again where it can run (the default)
    award,    ///< its points
    exclude,  ///< out of the maximum
};

/// One side of a timing check: a timed run of the student's probe or of the grader's reference.
struct timing_side {
    std::string label;
    std::string probe;               ///< the timed run's name in its program
    std::vector<std::string> args;   ///< "--key=value" options
    bool reference = false;          ///< "program": "reference" (the grader's own) or "student"
};

/// What a probe or race check runs: a check of the lab's probe program, judged by the lab's verifier
/// of the same name.
struct probe_run {
    std::string probe;  ///< the probe check that runs (a probe check's own name by default)
    /// The keys the probe's verifier declares (param_decl), each present: the rubric's value or
    /// the declared default.
    nlohmann::json params = nlohmann::json::object();
};

/// "type": "probe": the student's probe run as built for grading (checks/probe.cpp).
struct probe_kind : probe_run {};

/// "type": "race": a probe run under ThreadSanitizer; passes when no race is reported and the
/// answer is right (checks/race.cpp).
struct race_kind : probe_run {};

/// "type": "timing": two timed runs in alternating pairs, the student's side at least
/// `min_speedup` times as fast (checks/timing.cpp).
struct timing_kind {
    int needs_cores = 1;
    double min_speedup = 0;
    std::size_t pairs = 5, max_pairs = 15, min_pairs_to_fail = 10;
    timing_side a, b;
    /// Probe checks of the lab that check the code the sides run ("needs_passed"): the pairs are
    /// timed only when each passed, as the check's own task must (only a right answer's speed
    /// counts). For a task of its own, such as a lab's "measure and explain".
    std::vector<std::string> needs_passed;
};

/// "type": "manual": marked by the instructor (batch --marks); nothing runs.
struct manual_kind {};

using check_kind = std::variant<probe_kind, race_kind, timing_kind, manual_kind>;

/// The rubric's name of a kind ("type"): "probe", "race", "timing" or "manual".
[[nodiscard]] const char* type_name(const check_kind& kind) noexcept;

/// One check of a lab's rubric (grader/labs/NN-name/rubric.json), as an instructor edits it, with
/// every key parsed and its type checked when the rubric is loaded.
struct check_spec {
    std::string name;
    int task = 0;
    double points = 0;
    check_kind kind;
    std::string description;    ///< what the check verifies, for people: grade --verbose shows it beside a failure
    std::optional<int> timeout;       ///< seconds; left out, the kind's default
    double memory_gib = 2.0;          ///< a run's memory limit (0 or less: none)
    not_run_policy when_not_run = not_run_policy::defer;
    /// The rubric entry as written, without "points": a report keeps it beside each check, so a
    /// batch recomputes a check whose points alone changed and grades again one whose settings did.
    nlohmann::json settings = nlohmann::json::object();

    /// The kind's name in the rubric and in reports.
    [[nodiscard]] const char* type() const noexcept { return type_name(kind); }
    /// The kind's settings when the check is of kind K, else nullptr.
    template <class K>
    [[nodiscard]] const K* as() const noexcept { return std::get_if<K>(&kind); }
    /// What a probe or race check runs; nullptr for the other kinds.
    [[nodiscard]] const probe_run* run() const noexcept {
        if (const auto* p = as<probe_kind>()) return p;
        return as<race_kind>();
    }
};

/// Parses one rubric entry of the lab in the folder `folder` (for the keys its verifiers declare). Throws
/// std::runtime_error "<where>: check "NAME": ..." for an unknown key, a missing one or a
/// value of the wrong type.
[[nodiscard]] check_spec parse_check(const nlohmann::json& entry, const std::string& folder, const std::string& where);

/// A lab as lab.json and its rubric describe it.
struct lab_info {
    int number = 0;
    std::string folder;         ///< "01-race-condition"
    std::string name;           ///< "race-condition"
    std::string title;
    std::vector<std::string> sources;  ///< the files a student edits
    struct task {
        int id = 0;
        std::string title;
    };
    std::vector<task> tasks;
    std::vector<check_spec> checks;
    /// The checks an untouched skeleton passes, as its README says (lab.json "given_checks"): the
    /// code it gives is right there, and the task asks for more (speed, say). Every other check
    /// gives the skeleton nothing; a kit test holds the grader to that.
    std::vector<std::string> given_checks;
    /// Whether the lab's code runs threads (lab.json "threads", true unless false). A lab of forked
    /// processes alone has nothing for ThreadSanitizer, which follows the threads of one process:
    /// it may not have a race check, and the ThreadSanitizer trees leave it out.
    bool threads = true;
    /// For each task whose hints.md has one, the number of the hint on hangs ("### Hint K (if it
    /// hangs)"): a check whose run sat blocked points at it instead of at the next hint.
    std::map<int, int> hang_hints;
    [[nodiscard]] std::string tag() const;  ///< "[lab01]"
    [[nodiscard]] std::string target_prefix() const;  ///< "parlab_lab01"
};

struct check_result {
    std::string name;
    int task = 0;
    check_status status = check_status::error;
    double score = 0;           ///< points earned, 0 to max_score
    double max_score = 0;       ///< the check's points
    std::string message;        ///< one line
    std::string details;        ///< longer output (test failures, race report), may be empty
    std::string hint;           ///< what to do next, e.g. the hint command
    std::string artifact;       ///< a file written for this check (a diff image), may be empty
    double seconds = 0;         ///< how long the check took
    std::string type = {};      ///< the rubric's check type: probe | race | timing
    std::optional<double> measured = std::nullopt;  ///< a timing check's median speedup, when it was measured
    double fraction = 0;  ///< the share of the check's points earned, 0 to 1: a change of points rescales it
    /// The rubric entry it was graded under (check_spec::settings, without points): a batch tells
    /// from it whether a rubric edit asks for arithmetic or for grading again.
    nlohmann::json rubric = nullptr;
    bool blocked = false;  ///< stopped at its time limit with every process blocked (not saved in reports)
};

/// A result for `spec` before it is decided: its name, task, type, points, rubric entry and the
/// task's hint.
[[nodiscard]] check_result start_result(const lab_info& lab, const check_spec& spec);

/// A run of the lab's own tests against the graded code (grade_options::lab_tests).
struct lab_tests_run {
    int code = -1;       ///< the test program's exit code; -1 when it was not built or ran out of time
    std::string output;  ///< what it printed, or why it could not be built
    double seconds = 0;  ///< building and running them
};

struct lab_result {
    lab_info lab;
    std::vector<check_result> checks;
    bool unchanged_skeleton = false;  ///< the submission's files of the lab are the kit's skeleton
    std::optional<lab_tests_run> lab_tests = std::nullopt;  ///< only when grade_options::lab_tests asked for them
    [[nodiscard]] double score() const;
    [[nodiscard]] double max_score() const;
};

/// The layout of the JSON report (report.cpp's json_report, described in the README's "The JSON
/// report"), raised whenever a field is renamed, removed or changes meaning: a reader that finds
/// another number knows the report is not one it can read, instead of reading zeros.
inline constexpr int report_format = 1;

struct grade_report {
    std::string submission;     ///< what was graded: labs/, solutions/ or a folder
    unsigned long long seed = 0;
    std::string machine;
    std::string sandbox;        ///< the isolation the graded code had ("bwrap: ...; run as uid 65534")
    std::string error;          ///< why nothing could be graded (an empty upload, say); empty when graded
    std::vector<std::string> notes;  ///< things the student should know (files that were ignored)
    /// A batch's report: the content_hash of the files graded (empty outside a batch, and for a job
    /// that died, so that the next run grades the submission again).
    std::string submission_hash;
    double seconds = 0;         ///< how long grading took
    std::vector<lab_result> labs;
    [[nodiscard]] double score() const;
    [[nodiscard]] double max_score() const;
    [[nodiscard]] bool all_passed() const;
    /// The lab graded from `folder` ("01-race-condition"); nullptr when the report has none.
    [[nodiscard]] const lab_result* lab(const std::string& folder) const;
};

/// Scores `result` at the points of `spec`: its fraction of them, out of them (out of nothing for a
/// check not run here that the rubric excludes).
void apply_points(check_result& result, const check_spec& spec);

/// Reads every lab of `labs_dir` (folders with lab.json) and its rubric,
/// `grading_dir`/NN-name/rubric.json (grading_dir is the kit's grader/labs).
/// Throws std::runtime_error naming the file for a missing or malformed one.
[[nodiscard]] std::vector<lab_info> load_labs(const std::filesystem::path& labs_dir,
                                              const std::filesystem::path& grading_dir);

/// Every lab of the kit at `root`: load_labs of its labs/ and grader/labs/.
[[nodiscard]] std::vector<lab_info> kit_labs(const std::filesystem::path& root);

/// Finds a lab by folder name ("01-race-condition"), short name ("race-condition") or number.
[[nodiscard]] const lab_info* find_lab(const std::vector<lab_info>& labs, const std::string& name);

}  // namespace parlab::grader
