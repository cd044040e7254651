#pragma once
// parlab_grader's commands, one function each; main.cpp finds them by name. Each takes the
// arguments after its name and returns the exit code: 0 the work is done (every check passed,
// for a grade), 1 some check did not pass, 2 a usage or set-up error (thrown as usage_error).
// The grading commands are in grading.cpp, the student's in student.cpp, the kit's own in kit.cpp.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "model.hpp"

namespace parlab::grader::commands {

using command_arguments = std::vector<std::string>;

// grading.cpp
int grade(const command_arguments& raw);
int batch(const command_arguments& raw);
int similarity(const command_arguments& raw);
int report(const command_arguments& raw);
extern const char* const batch_usage;

// student.cpp
int list(const command_arguments& raw);
int hint(const command_arguments& raw);
int sources(const command_arguments& raw);
int watch(const command_arguments& raw);

// kit.cpp
int release(const command_arguments& raw);
int package(const command_arguments& raw);
int bench(const command_arguments& raw);
int check_kit(const command_arguments& raw);
int test(const command_arguments& raw);
/// A lab's teaching program: `demo LAB [--solutions] [ARGS...]`, or `PROGRAM [--solutions]
/// [ARGS...]` for a program that one lab ships (`filter`).
int program(const std::string& command, const command_arguments& raw);

// What the commands share (common.cpp).

/// --seed: a non-negative integer; empty draws one.
[[nodiscard]] unsigned long long parse_seed(const std::string& text);
/// --root, which must be the kit; its canonical path.
[[nodiscard]] std::filesystem::path require_root(const arguments& args);
/// The folder of submissions, the first positional argument of `command` (`usage` shows how to
/// call it), which must exist.
[[nodiscard]] std::filesystem::path submissions_folder(const arguments& args, const std::string& command,
                                                       const std::string& usage);
/// --when-not-run: award or exclude (what a check this machine cannot run is worth where the
/// rubric says defer); empty: the rubric's word stands.
[[nodiscard]] std::optional<not_run_policy> parse_when_not_run(const std::string& value);
/// A positive whole number given as `what`; a usage_error otherwise.
[[nodiscard]] int positive_number(const std::string& text, const std::string& what);
/// The report of the last `./parlab grade` of labs/, read with `labs`, if there is one this grader
/// reads.
[[nodiscard]] std::optional<grade_report> last_grade(const std::filesystem::path& root, const std::vector<lab_info>& labs);
/// Whether standard output takes colours (a terminal, and NO_COLOR unset).
[[nodiscard]] bool colour_on_stdout();

}  // namespace parlab::grader::commands
