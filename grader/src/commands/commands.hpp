#pragma once
// parlab_grader's commands. Each file defines its commands on the command line (cli.hpp): the
// CLI11 subcommand with its options and their help, its lines in `./parlab help`, and the function
// that runs it with its typed arguments and returns the exit code: 0 the work is done (every check
// passed, for a grade), 1 some check did not pass, 2 a usage or set-up error (thrown as
// usage_error). The grading commands are in grading.cpp, the student's in student.cpp, the kit's
// own and the labs' programs in kit.cpp.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "model.hpp"

namespace CLI {
class Option;
}  // namespace CLI

namespace parlab::grader::commands {

/// Defines every command of `./parlab` on `cli`, in the order `./parlab help` lists them.
void define_all(command_line& cli);

void define_grading(command_line& cli);  ///< grade, batch, report, similarity (grading.cpp)
void define_student(command_line& cli);  ///< list, hint, watch, sources (student.cpp)
void define_kit(command_line& cli);      ///< the labs' programs, package, release, bench, test, check-kit (kit.cpp)

// What the commands share (common.cpp).

/// --seed N on `app`, into `seed` (left empty when not given).
CLI::Option* add_seed_option(CLI::App& app, std::optional<unsigned long long>& seed, const std::string& description);
/// --when-not-run award|exclude on `app`, into `policy` (left empty when not given).
CLI::Option* add_when_not_run_option(CLI::App& app, std::optional<not_run_policy>& policy, const std::string& description);
/// DIR, the folder of submissions (one folder per student) of batch and similarity, into `folder`.
CLI::Option* add_submissions_argument(CLI::App& app, std::filesystem::path& folder);
/// For CLI11's Option::check: empty when `text` names a folder, else what is wrong.
[[nodiscard]] std::string existing_folder(const std::string& text);
/// The report of the last `./parlab grade` of labs/, read with `labs`, if there is one this grader
/// reads.
[[nodiscard]] std::optional<grade_report> last_grade(const std::filesystem::path& root, const std::vector<lab_info>& labs);
/// Whether standard output takes colours (a terminal, and NO_COLOR unset).
[[nodiscard]] bool colour_on_stdout();

}  // namespace parlab::grader::commands
