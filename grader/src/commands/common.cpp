#include <unistd.h>

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <limits>

#include "commands.hpp"
#include "io.hpp"
#include "report.hpp"

namespace parlab::grader::commands {
namespace fs = std::filesystem;

namespace {

struct help_arguments {
    fs::path root;
    std::string command;
};

}  // namespace

void define_all(command_line& cli) {
    define_grading(cli);
    define_student(cli);
    define_kit(cli);
    auto help = cli.add<help_arguments>(
        {"help", "Lists the commands for each audience or, given a COMMAND, what it does and its options.",
         {{audience::contributors, "help", "this text"}}},
        [&cli](const help_arguments& args) {
            if (args.command.empty()) {
                fmt::print("{}", cli.overview());
                return 0;
            }
            const auto text = cli.help(args.command);
            if (!text)
                throw usage_error(fmt::format("help: no command '{}' (a lab's program answers ./parlab {} --help itself)",
                                              args.command, args.command));
            fmt::print("{}", *text);
            return 0;
        });
    help.app.add_option("COMMAND", help.arguments.command, "the command to explain (the same as ./parlab COMMAND --help)");
}

CLI::Option* add_seed_option(CLI::App& app, std::optional<unsigned long long>& seed, const std::string& description) {
    return app
        .add_option_function<unsigned long long>(
            "--seed", [&seed](const unsigned long long& value) { seed = value; }, description)
        ->type_name("N")
        ->check(whole_number(0, std::numeric_limits<unsigned long long>::max()));
}

CLI::Option* add_when_not_run_option(CLI::App& app, std::optional<not_run_policy>& policy, const std::string& description) {
    return app
        .add_option_function<std::string>(
            "--when-not-run",
            [&policy](const std::string& value) { policy = value == "award" ? not_run_policy::award : not_run_policy::exclude; },
            description)
        ->type_name("award|exclude")
        ->check(one_of({"award", "exclude"}));
}

CLI::Option* add_submissions_argument(CLI::App& app, fs::path& folder) {
    return app.add_option("DIR", folder, "the submissions, one folder per student")->required()->check(existing_folder);
}

std::string existing_folder(const std::string& text) {
    return fs::is_directory(text) ? std::string() : fmt::format("no folder '{}'", text);
}

std::optional<grade_report> last_grade(const fs::path& root, const std::vector<lab_info>& labs) {
    const auto json = read_json(root / "build" / "grade" / "labs" / "last.json");
    return json ? read_report(*json, labs) : std::nullopt;
}

bool colour_on_stdout() { return ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr; }

}  // namespace parlab::grader::commands
