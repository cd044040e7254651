// The grader's command line (cli.hpp, commands/*.cpp): ./parlab help shows only what the commands
// define, lists every command and every program the labs ship, and a mistake on the command line is
// one usage_error.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "cli.hpp"
#include "commands/commands.hpp"
#include "kit_tools.hpp"
#include "parlab/testing.hpp"

namespace fs = std::filesystem;
using parlab::grader::audience;
using parlab::grader::command_line;
using parlab::grader::usage_error;
using parlab::grader::whole_number;
using parlab::testing::contains;

namespace {

// The words of `text` that start with "--", without what follows the option's name.
std::vector<std::string> options_named(const std::string& text) {
    std::vector<std::string> names;
    std::istringstream words(text);
    for (std::string word; words >> word;) {
        const auto start = word.find("--");
        if (start == std::string::npos) continue;
        const auto end = word.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", start);
        names.push_back(word.substr(start, end == std::string::npos ? end : end - start));
    }
    return names;
}

// The programs a line of the labs' programs names: "filter IN OUT ...", "pipefacts, faults, ...".
std::vector<std::string> programs_named(const std::string& synopsis) {
    std::vector<std::string> names;
    std::istringstream words(synopsis);
    for (std::string word; words >> word;) {
        const bool more = word.back() == ',';
        names.push_back(more ? word.substr(0, word.size() - 1) : word);
        if (!more) break;
    }
    return names;
}

struct toy_arguments {
    fs::path root;
    std::string lab;
    int count = 1;
    bool all = false;
};

// A command line with one command, toy LAB [--count N] [--all], and the labs' programs, whose
// arguments end in `passed`.
void define_toy(command_line& cli, std::vector<std::string>& passed) {
    auto [app, args] = cli.add<toy_arguments>({"toy", "A command for the tests.", {{audience::students, "toy LAB", "a toy"}}},
                                              [](const toy_arguments& a) { return a.all ? 1 : 0; });
    app.add_option("LAB", args.lab, "a lab")->required();
    app.add_option("--count", args.count, "how many")->check(whole_number(1, 9));
    app.add_flag("--all", args.all, "all of them");
    cli.otherwise({}, [&passed](const fs::path& root, const std::vector<std::string>& rest) {
        passed = rest;
        return root == fs::canonical(PARLAB_KIT_ROOT) ? 3 : 4;
    });
}

// The usage_error a command line throws, or "" when it throws none.
std::string mistake(const std::vector<std::string>& args) {
    command_line cli("", "");
    std::vector<std::string> passed;
    define_toy(cli, passed);
    try {
        (void)cli.run(args);
    } catch (const usage_error& error) {
        return error.what();
    }
    return "";
}

}  // namespace

TEST_CASE("every option a line of ./parlab help shows is an option of its command", "[grader][cli]") {
    command_line cli("", "");
    parlab::grader::commands::define_all(cli);
    for (const auto& [command, line] : cli.lines()) {
        if (command.empty()) continue;  // a lab's program: its options are its own
        const CLI::App* app = cli.find(command);
        REQUIRE(app != nullptr);
        for (const auto& option : options_named(line.synopsis)) {
            INFO(line.synopsis);
            CHECK(app->get_option_no_throw(option) != nullptr);
        }
    }
}

TEST_CASE("./parlab help lists every command and every program a lab ships", "[grader][cli]") {
    command_line cli("", "");
    parlab::grader::commands::define_all(cli);
    std::set<std::string> listed;
    for (const auto& [command, line] : cli.lines()) {
        if (!command.empty()) listed.insert(command);
        else
            for (const auto& program : programs_named(line.synopsis)) listed.insert(program);
    }
    for (const auto& name : cli.names()) {
        INFO(name);
        CHECK(listed.count(name) == 1);
        CHECK_THAT(*cli.help(name), contains("Usage: ./parlab " + name));
    }
    std::set<std::string> shipped;
    for (const auto& lab : fs::directory_iterator(fs::path(PARLAB_KIT_ROOT) / "grader" / "labs"))
        for (const auto& program : parlab::grader::lab_program_names(PARLAB_KIT_ROOT, lab.path().filename().string())) shipped.insert(program);
    for (const auto& program : shipped) {
        INFO(program);
        CHECK(listed.count(program) == 1);
    }
    for (const auto& name : listed) {
        INFO(name);
        CHECK((shipped.count(name) == 1 || cli.find(name) != nullptr));
    }
}

TEST_CASE("a command runs with its arguments typed", "[grader][cli]") {
    command_line cli("", "");
    std::vector<std::string> passed;
    define_toy(cli, passed);
    CHECK(cli.run({"toy", "--root", PARLAB_KIT_ROOT, "lab", "--count=3"}) == 0);
    CHECK(cli.run({"toy", "--all", "lab", "--root", PARLAB_KIT_ROOT}) == 1);
}

TEST_CASE("a mistake on the command line is one usage_error naming it", "[grader][cli]") {
    const std::string root = PARLAB_KIT_ROOT;
    CHECK_THAT(mistake({"toy", "--root", root, "lab", "--bogus"}), contains("unknown option '--bogus'"));
    CHECK_THAT(mistake({"toy", "--root", root, "lab", "extra"}), contains("unexpected argument 'extra'"));
    CHECK_THAT(mistake({"toy", "--root", root, "lab", "--count"}), contains("--count needs a value"));
    CHECK_THAT(mistake({"toy", "--root", root, "lab", "--count", "ten"}), contains("expected a whole number from 1 to 9, got 'ten'"));
    CHECK_THAT(mistake({"toy", "--root", root, "lab", "--count", "0"}), contains("got '0'"));
    CHECK_THAT(mistake({"toy", "--root", root}), contains("toy needs LAB (usage: ./parlab toy LAB [OPTIONS])"));
    CHECK_THAT(mistake({"toy", "--root", "/", "lab"}), contains("expected the ParLab kit's folder, got '/'"));
    CHECK_THAT(mistake({"toy", "lab"}), contains("toy needs --root"));
    CHECK_THAT(mistake({}), contains("needs a command"));
    for (const auto& args : std::vector<std::vector<std::string>>{{"toy", "--root", root, "lab", "--bogus"}, {"toy"}, {}})
        CHECK(mistake(args).find('\n') == std::string::npos);
}

TEST_CASE("a lab's program gets its arguments as they were written", "[grader][cli]") {
    command_line cli("", "");
    std::vector<std::string> passed;
    define_toy(cli, passed);
    const std::vector<std::string> args = {"filter", "in.png", "--help", "-h", "--kernel=sobel", "-w4", "--", "-1,0", ""};
    std::vector<std::string> with_root = args;
    with_root.insert(with_root.begin() + 1, {"--root", PARLAB_KIT_ROOT});
    CHECK(cli.run(with_root) == 3);
    CHECK(passed == args);
}
