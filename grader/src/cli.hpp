#pragma once
// parlab_grader's command line. Each command is defined once, by the commands/*.cpp file that
// runs it: a CLI11 subcommand with its options and their descriptions, plus its lines in
// `./parlab help`. Both `./parlab help` and `./parlab COMMAND --help` are printed from those
// definitions, so the help lives where the options do. (The files that define commands include
// <CLI/CLI.hpp>; this header does not, so that files needing only usage_error stay light.)

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace parlab::grader {

/// A mistake in how a command was called: the grader prints it on one line and exits with 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Who a line of `./parlab help` is for; the help has one section each, in this order.
enum class audience { students, instructors, teaching, contributors };

/// A line of `./parlab help`: what to type after ./parlab, and what it does.
struct help_line {
    audience reader;
    std::string synopsis;  ///< e.g. "hint LAB [TASK] [N]"; every --option in it must be the command's
    std::string summary;   ///< wrapped to the page
};

/// How a command presents itself.
struct command_text {
    std::string name;
    std::string description;       ///< below the usage line of `./parlab NAME --help` (\n: a new paragraph)
    std::vector<help_line> lines;  ///< its lines in `./parlab help` (one per audience it serves)
};

/// A command being defined: declare its options on `app`, bound to members of `arguments`.
template <class Arguments>
struct command_definition {
    CLI::App& app;
    Arguments& arguments;
};

/// A line of `./parlab help` with the command it belongs to (empty for a lab's program).
struct listed_line {
    std::string command;
    help_line line;
};

/// Every command of parlab_grader, and the runner that parses a command line and runs one.
class command_line {
public:
    /// `about` opens `./parlab help`, `footer` closes it.
    command_line(std::string about, std::string footer);
    ~command_line();
    command_line(const command_line&) = delete;
    command_line& operator=(const command_line&) = delete;

    /// Defines a command that runs `run` with its Arguments as the command line filled them. The
    /// hidden --root (the kit's folder, made canonical; the `parlab` script always gives it) is
    /// bound to `arguments.root`; the caller adds the rest.
    template <class Arguments>
    command_definition<Arguments> add(command_text text, std::function<int(const Arguments&)> run) {
        auto arguments = std::make_shared<Arguments>();
        CLI::App& app = add_app(std::move(text), arguments->root, [arguments, run] { return run(*arguments); });
        return {app, *arguments};
    }

    /// What any other command name runs (a lab's program): `run` gets the kit's folder (--root) and
    /// every other argument as it was written, in order, the name first. `lines` are the programs'
    /// lines in `./parlab help`.
    using passthrough = std::function<int(const std::filesystem::path& root, const std::vector<std::string>& args)>;
    void otherwise(std::vector<help_line> lines, passthrough run);

    /// Parses `args` (the arguments after the program's name) and runs the command they name:
    /// its exit code, or 0 after printing the help it was asked for. A mistake in them throws
    /// usage_error.
    [[nodiscard]] int run(const std::vector<std::string>& args);

    /// `./parlab help`: every command's lines, by audience, between `about` and `footer`.
    [[nodiscard]] std::string overview() const;
    /// `./parlab NAME --help`; nothing when no command has that name.
    [[nodiscard]] std::optional<std::string> help(const std::string& name) const;
    /// The command called `name`, or nullptr.
    [[nodiscard]] const CLI::App* find(const std::string& name) const;
    /// The commands' names, in the order they were defined.
    [[nodiscard]] std::vector<std::string> names() const;
    /// Every line of `./parlab help`, in order.
    [[nodiscard]] const std::vector<listed_line>& lines() const { return lines_; }

private:
    struct command;
    CLI::App& add_app(command_text text, std::filesystem::path& root, std::function<int()> run);
    [[nodiscard]] int run_otherwise(const std::vector<std::string>& args) const;
    [[nodiscard]] std::string describe(const std::exception& error, const CLI::App& app,
                                       const std::vector<std::string>& args) const;

    std::unique_ptr<CLI::App> app_;
    std::vector<command> commands_;
    std::vector<listed_line> lines_;
    std::string about_, footer_;
    passthrough otherwise_;
};

/// For CLI11's Option::check: empty when `text` is a whole number from `least` to `most`, else
/// what was expected (CLI11 puts the option's name in front).
[[nodiscard]] std::function<std::string(const std::string&)> whole_number(unsigned long long least, unsigned long long most);

/// For CLI11's Option::check: empty when `text` is one of `words`, else what was expected.
[[nodiscard]] std::function<std::string(const std::string&)> one_of(std::vector<std::string> words);

}  // namespace parlab::grader
