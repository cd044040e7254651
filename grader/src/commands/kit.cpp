// The kit's own commands: release, package, bench, the labs' programs, test and check-kit.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "commands.hpp"
#include "kit_build.hpp"
#include "kit_check.hpp"
#include "kit_tools.hpp"
#include "report.hpp"

namespace parlab::grader::commands {
namespace fs = std::filesystem;

int release(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    if (args.positional.size() != 1) throw usage_error("release needs one folder: ./parlab release DIR");
    const fs::path dest = fs::absolute(args.positional.front());
    const std::size_t files = write_release(root, dest);
    fmt::print("wrote the student edition to {} ({} files, no solutions/)\n", args.positional.front(), files);
    return 0;
}

int package(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root", "--when-not-run"}, {});
    const fs::path root = require_root(args);
    if (args.positional.empty() || args.positional.front() != "gradescope")
        throw usage_error("package knows one target: ./parlab package gradescope [LAB...] [OUT.zip] [--when-not-run award|exclude]");
    if (!fs::is_directory(root / "solutions")) throw usage_error("package needs the instructor's copy");
    fs::path out = "parlab-gradescope.zip";
    std::vector<std::string> labs;
    for (auto it = args.positional.begin() + 1; it != args.positional.end(); ++it) {
        if (fs::path(*it).extension() == ".zip") out = *it;
        else labs.push_back(*it);
    }
    if (const fs::path folder = fs::absolute(out).parent_path(); !fs::is_directory(folder))
        throw usage_error(fmt::format("package: no folder {} to write {} in", folder.string(), out.filename().string()));
    // Gradescope grades once per upload, on the container's CPUs: a check deferred there would
    // wait for a machine that never comes, so the package settles it (exclude unless told award).
    const std::string when_not_run = args.value("--when-not-run", "exclude");
    (void)parse_when_not_run(when_not_run);
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

/// `bench [--only LAB] [ARGS...]`: every lab's bench program on the solutions. ("copy" and "filter"
/// name labs 03 and 04, as they did when one program measured both.)
int bench(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root", "--only"}, {"--mine"}, unknown_options::pass_on);
    std::string only = args.value("--only");
    if (only == "copy") only = "shared-image-copy";
    if (only == "filter") only = "edge-filter";
    return run_benches(require_root(args), only, args.flag("--mine"), args.positional);
}

int program(const std::string& command, const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {"--solutions"}, unknown_options::pass_on);
    const fs::path root = require_root(args);
    const bool solutions = args.flag("--solutions");
    std::vector<std::string> rest = args.positional;
    std::string lab;
    if (command == "demo") {
        if (rest.empty() || rest.front().rfind("--", 0) == 0) throw usage_error("demo needs a lab: ./parlab demo LAB [--solutions]");
        lab = rest.front();
        rest.erase(rest.begin());
    }
    return run_lab_program(root, lab, command, rest, solutions);
}

int test(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {}, unknown_options::pass_on);
    if (!args.positional.empty()) throw usage_error(fmt::format("test takes no arguments, got '{}'", args.positional.front()));
    return run_kit_tests(require_root(args));
}

// The kit's consistency (kit_check.hpp): run by the build after the grader is linked, and by hand.
int check_kit(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const std::vector<std::string> problems = kit_problems(root);
    for (const auto& problem : problems) fmt::print(stderr, "parlab: kit check: {}\n", problem);
    if (problems.empty()) return 0;
    fmt::print(stderr, "parlab: kit check: {} problem{} in {}\n", problems.size(), problems.size() == 1 ? "" : "s", root.string());
    return 1;
}

}  // namespace parlab::grader::commands
