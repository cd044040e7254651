// The kit's own commands: the labs' programs, package, release, bench, test and check-kit.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>

#include <algorithm>

#include "commands.hpp"
#include "kit_build.hpp"
#include "kit_check.hpp"
#include "kit_tools.hpp"
#include "report.hpp"

namespace parlab::grader::commands {
namespace fs = std::filesystem;

namespace {

struct release_arguments {
    fs::path root;
    fs::path folder;
};

struct package_arguments {
    fs::path root;
    std::string target;
    std::vector<std::string> labs;  ///< and the zip to write, the one ending in .zip
    std::optional<not_run_policy> when_not_run;
};

struct bench_arguments {
    fs::path root;
    std::string only;
    bool mine = false;
    std::vector<std::string> rest;  ///< the bench programs' own options
};

struct kit_arguments {
    fs::path root;
};

int release(const release_arguments& args) {
    const std::size_t files = write_release(args.root, fs::absolute(args.folder));
    fmt::print("wrote the student edition to {} ({} files, no solutions/)\n", args.folder.string(), files);
    return 0;
}

int package(const package_arguments& args) {
    const fs::path& root = args.root;
    if (!fs::is_directory(root / "solutions")) throw usage_error("package needs the instructor's copy");
    fs::path out = "parlab-gradescope.zip";
    std::vector<std::string> labs;
    for (const auto& item : args.labs) {
        if (fs::path(item).extension() == ".zip") out = item;
        else labs.push_back(item);
    }
    if (const fs::path folder = fs::absolute(out).parent_path(); !fs::is_directory(folder))
        throw usage_error(fmt::format("package: no folder {} to write {} in", folder.string(), out.filename().string()));
    // Gradescope grades once per upload, on the container's CPUs: a check deferred there would
    // wait for a machine that never comes, so the package settles it (exclude unless told award).
    const std::string when_not_run = args.when_not_run == not_run_policy::award ? "award" : "exclude";
    const auto timed = write_gradescope_package(root, labs, out, when_not_run);
    fmt::print("wrote {} (labs: {}): upload it as the autograder in Gradescope\n", fs::absolute(out).string(),
               labs.empty() ? std::string("all") : fmt::format("{}", fmt::join(labs, " ")));
    if (!timed.empty())
        fmt::print("timing checks ({}) run only where the container has the CPUs they need (at least one whole CPU, "
                   "two for a speedup; Gradescope's default is half a CPU); where they cannot run they are {} "
                   "(--when-not-run {} {})\n",
                   fmt::join(timed, ", "),
                   when_not_run == "award" ? "given their points" : "left out of the maximum",
                   when_not_run == "award" ? "exclude" : "award",
                   when_not_run == "award" ? "leaves them out" : "gives their points instead");
    // what the instructor types into Gradescope's assignment settings
    const auto all = kit_labs(root);
    double total = 0, timing = 0;
    std::string files;
    for (const auto& lab : all) {
        if (!labs.empty() && std::none_of(labs.begin(), labs.end(), [&](const std::string& name) { return find_lab(all, name) == &lab; }))
            continue;
        for (const auto& spec : lab.checks) (spec.as<timing_kind>() != nullptr ? timing : total) += spec.points;
        for (const auto& source : lab.sources) files += (files.empty() ? "" : ", ") + source;
    }
    fmt::print("in Gradescope: a Programming Assignment on the base image Ubuntu 22.04 (the default, which the kit is "
               "checked on), autograder points {} ({}), students upload {}\n",
               format_points(when_not_run == "award" ? total + timing : total),
               timing > 0 ? fmt::format("the timing checks' {} {}", format_points(timing),
                                        when_not_run == "award" ? "included: given where they cannot run"
                                                                   : "left out: on the default half CPU they cannot run")
                          : std::string("every check"),
               files);
    return 0;
}

/// Every lab's bench program on the solutions. ("copy" and "filter" name labs 03 and 04, as they
/// did when one program measured both.)
int bench(const bench_arguments& args) {
    std::string only = args.only;
    if (only == "copy") only = "shared-image-copy";
    if (only == "filter") only = "edge-filter";
    return run_benches(args.root, only, args.mine, args.rest);
}

// A lab's teaching program: `demo LAB [--solutions] [ARGS...]`, or `PROGRAM [--solutions]
// [ARGS...]` for a program that one lab ships (`filter`). The grader takes --solutions (build it
// from the solutions); every other argument, --help included, is the program's.
int program(const fs::path& root, const std::vector<std::string>& args) {
    std::vector<std::string> rest(args.begin() + 1, args.end());
    const bool solutions = std::erase(rest, "--solutions") > 0;
    std::string lab;
    if (args.front() == "demo") {
        if (rest.empty() || rest.front().rfind("--", 0) == 0) throw usage_error("demo needs a lab: ./parlab demo LAB [--solutions]");
        lab = rest.front();
        rest.erase(rest.begin());
    }
    return run_lab_program(root, lab, args.front(), rest, solutions);
}

int test(const kit_arguments& args) { return run_kit_tests(args.root); }

// The kit's consistency (kit_check.hpp): run by the build after the grader is linked, and by hand.
int check_kit(const kit_arguments& args) {
    const std::vector<std::string> problems = kit_problems(args.root);
    for (const auto& problem : problems) fmt::print(stderr, "parlab: kit check: {}\n", problem);
    if (problems.empty()) return 0;
    fmt::print(stderr, "parlab: kit check: {} problem{} in {}\n", problems.size(), problems.size() == 1 ? "" : "s",
               args.root.string());
    return 1;
}

void define_programs(command_line& cli) {
    cli.otherwise(
        {{audience::students, "filter IN OUT --kernel NAME|k1,...,k9 [--workers N] [--solutions]",
          "apply your edge filter (or the solution's) to any image"},
         {audience::students, "smooth IN.npy OUT.npy --sigma S [--axis 0|1] [--workers N] [--solutions]",
          "smooth a NumPy array of doubles with your split_rows (lab 05)"},
         {audience::students, "makesky OUT_DIR [--count N] [--side PIXELS] [--seed S] [--float64]",
          "write fake sky images as FITS files (lab 06; 25 of 1000 x 1000 by default)"},
         {audience::students, "highpass IN_DIR OUT_DIR --size S [--workers N] [--chunksize C] [--solutions]",
          "high-pass every FITS image of a folder with your process pool (lab 06)"},
         {audience::students, "pipefacts, faults, joinfirst, shmnames",
          "measure what a pipe holds, page faults, a join before a read, names in /dev/shm: the OS facts the labs "
          "teach, on this machine\n(any program a lab ships runs the same way: ./parlab PROGRAM ...)"},
         {audience::teaching, "demo LAB [--solutions]", "a classroom demo of one lab"}},
        program);
}

void define_package(command_line& cli) {
    auto [app, args] = cli.add<package_arguments>(
        {"package",
         "Writes a Gradescope autograder for an assignment of these labs (all when none is named). A check the "
         "container cannot run (a timing check under less than the whole cores it needs) is left out of the maximum, "
         "or given its points with --when-not-run award.",
         {{audience::instructors, "package gradescope [LAB...] [OUT.zip]",
           "write a Gradescope autograder for an assignment of these labs"}}},
        package);
    app.add_option("TARGET", args.target, "what to package for: gradescope, the one there is")
        ->required()->check(one_of({"gradescope"}));
    app.add_option("LAB", args.labs,
                   "a lab of the assignment (none: every lab); one ending in .zip is instead the file to write "
                   "(default: parlab-gradescope.zip)");
    add_when_not_run_option(app, args.when_not_run,
                            "what a check the container cannot run is worth: left out of the maximum (exclude, the "
                            "default) or its points (award)");
}

void define_release(command_line& cli) {
    auto [app, args] = cli.add<release_arguments>(
        {"release",
         "Writes the student edition (everything but solutions/, plus the CI workflow) into DIR, which must not exist "
         "or be empty.",
         {{audience::instructors, "release DIR", "write the student edition (no solutions/)"}}},
        release);
    app.add_option("DIR", args.folder, "the folder to write")->required();
}

void define_bench(command_line& cli) {
    auto [app, args] = cli.add<bench_arguments>(
        {"bench",
         "Timing tables on this machine, from every lab's bench program: of the model solutions, or of your own code "
         "with --mine (a student edition, which has no solutions, always times yours). Any other option goes to each "
         "bench program as it is (--max-workers N, --repetitions R).",
         {{audience::students, "bench --only LAB --mine",
           "the timing tables of your own code that a lab's ANSWERS.md asks for"},
          {audience::teaching, "bench [--only LAB]", "timing tables of the model solutions on this machine"}}},
        bench);
    app.add_option("--only", args.only, "only this lab's tables (copy and filter also name labs 03 and 04)")->type_name("LAB");
    app.add_flag("--mine", args.mine, "time your code in labs/, not the model solutions");
    app.allow_extras();
    app.callback([&app = app, &args = args] { args.rest = app.remaining(); });
}

void define_kit_checks(command_line& cli) {
    cli.add<kit_arguments>(
        {"test",
         "Builds the kit's trees and runs their tests (in the kit's own repository the dev tree, with the grader's "
         "end-to-end tests and the known-bad self-check, then the tsan tree; in a student edition the dev tree). Exit "
         "0 when every test passed.",
         {{audience::contributors, "test", "build everything and run the kit's own tests (release, dev and tsan trees)"}}},
        test);
    cli.add<kit_arguments>(
        {"check-kit",
         "Checks that each fact about a lab is found where it is used: lab.json and the rubric load, every check has "
         "its verifier and every verifier a check, every known-bad patch applies. The build runs it (target "
         "parlab_kit_checked); exit 1 with one line per problem.",
         {{audience::contributors, "check-kit", "check that every fact about a lab agrees where it is used (the build runs it)"}}},
        check_kit);
}

}  // namespace

void define_kit(command_line& cli) {
    define_programs(cli);
    define_package(cli);
    define_release(cli);
    define_bench(cli);
    define_kit_checks(cli);
}

}  // namespace parlab::grader::commands
