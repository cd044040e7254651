#include "kit_tools.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "cli.hpp"
#include "grade.hpp"
#include "kit_build.hpp"
#include "model.hpp"
#include "scratch_dir.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

namespace {

/// The kit's files as git knows them, or every file outside build/ and .git/ without git.
std::vector<std::string> kit_files(const fs::path& root) {
    std::vector<std::string> files;
    if (const auto listed = fs::exists(root / ".git") ? run_command({"git", "-C", root.string(), "ls-files"}, 60)
                                                      : command_result{};
        listed.code == 0) {
        std::istringstream lines(listed.output);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) files.push_back(line);
    } else {
        for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
            const auto name = it->path().filename();
            if (it->is_directory() && (name == "build" || name == ".git")) {
                it.disable_recursion_pending();
                continue;
            }
            if (it->is_regular_file()) files.push_back(fs::relative(it->path(), root).string());
        }
    }
    return files;
}

}  // namespace

const lab_info& resolve_lab(const std::vector<lab_info>& labs, const std::string& name) {
    const lab_info* lab = find_lab(labs, name);
    if (lab == nullptr) throw usage_error(fmt::format("no lab '{}'; ./parlab list shows them", name));
    return *lab;
}

std::vector<std::string> lab_program_names(const fs::path& root, const std::string& folder) {
    std::set<std::string> names;
    const fs::path programs = root / "grader" / "labs" / folder / "programs";
    if (fs::is_directory(programs))
        for (const auto& entry : fs::directory_iterator(programs))
            if (entry.path().extension() == ".cpp") names.insert(entry.path().stem().string());
    return {names.begin(), names.end()};
}

int run_lab_program(const fs::path& root, const std::string& lab_name, const std::string& program,
                    const std::vector<std::string>& args, bool solutions) {
    if (solutions && !fs::is_directory(root / "solutions")) throw usage_error("this copy has no solutions/");
    const auto labs = kit_labs(root);
    const lab_info* lab = nullptr;
    if (!lab_name.empty()) {
        lab = &resolve_lab(labs, lab_name);
        const auto names = lab_program_names(root, lab->folder);
        if (std::find(names.begin(), names.end(), program) == names.end())
            throw usage_error(fmt::format("lab {} has no {} program", lab->name, program));
    } else {
        for (const auto& candidate : labs) {
            const auto names = lab_program_names(root, candidate.folder);
            if (std::find(names.begin(), names.end(), program) != names.end()) lab = &candidate;
        }
        if (lab == nullptr) throw usage_error(fmt::format("unknown command '{}' (./parlab help lists the commands and the labs' programs)", program));
    }
    const std::string preset = solutions ? "solutions-release" : "release";
    const std::string target = fmt::format("{}_{}", lab->target_prefix(), program);
    build_targets(root, preset, {target});
    std::vector<std::string> argv = {(root / "build" / preset / target).string()};
    if (program == "demo") {
        // Demos write their pictures and tables next to the build, one folder per lab.
        const fs::path out = root / "build" / "demo" / lab->folder;
        fs::create_directories(out);
        argv.insert(argv.end(), {"--out", out.string()});
    }
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    // A lab program gets SIGPIPE's default, as under ctest: a pool that does not guard against a
    // dead worker's pipe dies here as it does in the tests (the grader itself ignores the signal).
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(raw[0], raw.data());
    ::signal(SIGPIPE, SIG_IGN);
    throw std::runtime_error(fmt::format("cannot run {}", argv.front()));
}

int run_benches(const fs::path& root, const std::string& only, bool mine, const std::vector<std::string>& args) {
    // The student's own code where asked, or where there are no solutions (a student edition).
    const std::string tree = mine || !fs::is_directory(root / "solutions") ? "release" : "solutions-release";
    const auto labs = kit_labs(root);
    const lab_info* wanted = only.empty() ? nullptr : find_lab(labs, only);
    if (!only.empty() && wanted == nullptr) throw usage_error(fmt::format("bench: no lab '{}'; ./parlab list shows them", only));
    std::vector<const lab_info*> chosen;
    std::vector<std::string> targets;
    for (const auto& lab : labs) {
        const auto names = lab_program_names(root, lab.folder);
        if ((wanted != nullptr && wanted != &lab) || std::find(names.begin(), names.end(), "bench") == names.end()) continue;
        chosen.push_back(&lab);
        targets.push_back(lab.target_prefix() + "_bench");
    }
    if (chosen.empty()) throw usage_error(fmt::format("no bench program for {}", only.empty() ? "any lab" : only));
    build_targets(root, tree, targets);
    fmt::print("machine: {}\ncode: {}\n", describe_machine(),
               tree == "release" ? "yours (labs/)" : "the model solutions (./parlab bench --mine times yours)");
    for (const lab_info* lab : chosen) {
        fmt::print("\n== lab {:02}: {}\n", lab->number, lab->title);
        std::fflush(stdout);
        std::vector<std::string> argv = {(root / "build" / tree / (lab->target_prefix() + "_bench")).string()};
        argv.insert(argv.end(), args.begin(), args.end());
        if (const int code = run_program(argv, {}, {}, false); code != 0) return code;
    }
    return 0;
}

// Grader files that are a graded task's answer. The kit builds without them: a timing check
// whose baseline the grader's reference program lacks is not run (checks.cpp), and it runs where
// the instructor grades, with the whole kit.
constexpr std::string_view instructor_only[] = {
    "grader/labs/02-lock-placement/baseline.cpp",  // version 2, task 1 of lab 02: the lock per element
};

std::size_t write_release(const fs::path& root, const fs::path& dest) {
    if (!fs::is_directory(root / "solutions")) throw std::runtime_error("this copy is already a student edition");
    if (fs::exists(dest) && !fs::is_empty(dest))
        throw usage_error(fmt::format("release: {} exists and is not empty", dest.string()));
    std::size_t written = 0;
    for (const auto& file : kit_files(root)) {
        // The solutions (with their known-bad variants) are the instructor's alone.
        if (file.rfind("solutions/", 0) == 0) continue;
        if (std::find(std::begin(instructor_only), std::end(instructor_only), file) != std::end(instructor_only)) continue;
        const fs::path to = dest / file;
        fs::create_directories(to.parent_path());
        fs::copy_file(root / file, to, fs::copy_options::overwrite_existing);  // keeps the permission bits
        ++written;
    }
    // The students' repository grades itself on every push (the kit's own repo runs .ci/run instead).
    fs::create_directories(dest / ".github" / "workflows");
    fs::copy_file(root / "grader" / "ci" / "grade.yml", dest / ".github" / "workflows" / "grade.yml",
                  fs::copy_options::overwrite_existing);
    return written;
}

std::vector<std::string> write_gradescope_package(const fs::path& root, const std::vector<std::string>& names,
                                                  const fs::path& out, const std::string& when_not_run) {
    const auto labs = kit_labs(root);
    std::vector<std::string> folders;
    for (const auto& name : names) folders.push_back(resolve_lab(labs, name).folder);
    std::vector<std::string> timed;  // "lab/check (N points)": the deferred timing checks of the assignment
    for (const auto& lab : labs) {
        if (!folders.empty() && std::find(folders.begin(), folders.end(), lab.folder) == folders.end()) continue;
        for (const auto& spec : lab.checks)
            if (spec.as<timing_kind>() != nullptr && spec.when_not_run == not_run_policy::defer)
                timed.push_back(fmt::format("{}/{} ({} points)", lab.name, spec.name, spec.points));
    }
    const scratch_dir staging("parlab-package");
    const fs::path& stage = staging.path();

    (void)write_release(root, stage / "parlab");
    // Gradescope grades for the instructor, and students never see the package: it has the
    // grader's whole reference program.
    for (const std::string_view file : instructor_only)
        fs::copy_file(root / file, stage / "parlab" / file, fs::copy_options::overwrite_existing);
    // The labs of this assignment: only they are graded, and only their files are looked for.
    std::ofstream(stage / "parlab" / ".gradescope-labs") << fmt::format("{}\n", fmt::join(folders, "\n"));
    std::ofstream(stage / "parlab" / ".gradescope-when-not-run") << when_not_run << "\n";
    for (const char* script : {"setup.sh", "run_autograder"}) {
        fs::copy_file(root / "grader" / "gradescope" / script, stage / script);
        fs::permissions(stage / script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                            fs::perms::others_read | fs::perms::others_exec);
    }
    std::error_code ignored;
    fs::remove(out, ignored);
    if (run_program({"cmake", "-E", "tar", "cf", fs::absolute(out).string(), "--format=zip", "setup.sh", "run_autograder",
                     "parlab"},
                    stage, stage / "tar.log") != 0)
        throw std::runtime_error(fmt::format("cannot write {}", out.string()));
    return timed;
}

}  // namespace parlab::grader
