#include "grade.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>

#include "build.hpp"
#include "checks.hpp"
#include "lab_cache.hpp"
#include "machine_turn.hpp"
#include "parlab/workers.hpp"
#include "sandbox.hpp"
#include "scratch_dir.hpp"
#include "submission.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

// A progress line that rewrites itself on a terminal and stays quiet elsewhere.
struct progress_line {
    bool enabled;
    bool terminal = ::isatty(2) != 0;
    void operator()(const std::string& text) const {
        if (!enabled) return;
        if (terminal) fmt::print(stderr, "\r\x1b[K{}", text.substr(0, 110));
        else fmt::print(stderr, "  {}\n", text);
        std::fflush(stderr);
    }
    void clear() const {
        if (enabled && terminal) fmt::print(stderr, "\r\x1b[K");
    }
};

// A scratch folder a run may write, owned by the user it runs as and closed to every other (its
// bin/ is the grader's); removed at the end.
struct run_folder {
    scratch_dir dir{"parlab-run"};
    const fs::path& path = dir.path();
    explicit run_folder(const std::optional<std::pair<uid_t, gid_t>>& owner) {
        fs::create_directories(path / "bin");
        if (owner && ::chown(path.c_str(), owner->first, owner->second) != 0)
            throw std::runtime_error("cannot hand the scratch folder to the unprivileged user");
    }
};

bool needs_tsan(const lab_info& lab, const std::vector<std::string>& only) {
    for (const auto& c : lab.checks)
        if (c.type == "race" && (only.empty() || std::find(only.begin(), only.end(), c.name) != only.end())) return true;
    return false;
}

bool readable_by(const std::pair<uid_t, gid_t>& user, const fs::path& file) {
    run_request request;
    request.argv = {"/usr/bin/test", "-r", file.string()};
    request.env = clean_environment("/");
    request.workdir = "/";
    request.run_as_uid = user.first;
    request.run_as_gid = user.second;
    return run_sandboxed(request).status.ok();
}

// Where the unprivileged user who compiles student code builds: the kit and the work folder as
// they are when it can read them; otherwise (a kit in root's home, say) a copy of what the build
// needs in /var/tmp, which it can.
struct build_place {
    fs::path kit, source, work;
};
build_place place_for_build(const grade_options& options, const std::optional<std::pair<uid_t, gid_t>>& user) {
    if (!user || (readable_by(*user, options.root / "CMakeLists.txt") &&
                  (options.overlay || readable_by(*user, options.lab_source / "."))))
        return {options.root, options.lab_source, options.work};
    const fs::path base = fs::path("/var/tmp") /
                          fmt::format("parlab-grade-{:016x}", std::hash<std::string>{}(options.root.string()));
    fs::create_directories(base);
    fs::permissions(base, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
    for (const char* part : {"CMakeLists.txt", "CMakePresets.json", "cmake", "common", "grader", "labs"})
        if (fs::exists(options.root / part)) mirror_for_build(options.root / part, base / "kit" / part);
    build_place place{base / "kit", options.lab_source, base / options.work.filename()};
    if (!options.overlay) {
        place.source = base / "source" / options.work.filename();
        mirror_for_build(options.lab_source, place.source);
    }
    fs::create_directories(place.work);
    return place;
}

}  // namespace

std::string describe_machine() {
    std::string model = "unknown CPU";
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    utsname info{};
    ::uname(&info);
    return fmt::format("{}, {} CPUs available, {} {}", model, available_cpus(), info.sysname, info.release);
}

// Whether every file of `lab` the submission has is the kit's skeleton byte for byte (a lab handed
// in untouched: the class report flags it).
bool same_as_skeleton(const lab_info& lab, const submission_files& files, const fs::path& skeletons) {
    bool any = false;
    for (const auto& source : lab.sources) {
        const auto found = files.found.find(lab.folder + "/" + source);
        if (found == files.found.end()) continue;
        const fs::path skeleton = skeletons / lab.folder / source;
        if (!fs::exists(skeleton) || read_text(found->second) != read_text(skeleton)) return false;
        any = true;
    }
    return any;
}

unsigned long long draw_seed() {
    std::random_device device;
    return (static_cast<unsigned long long>(device()) << 32 | device()) % 1000000000ULL;
}

grade_report grade(const grade_options& options) {
    const fs::path meta_source = options.overlay ? options.root / "labs" : options.lab_source;
    std::vector<lab_info> all = load_labs(meta_source, options.root / "grader" / "labs");
    if (options.instead_of_defer)
        for (auto& lab : all)
            for (auto& spec : lab.checks)
                if (spec.when_not_run == not_run_policy::defer) spec.when_not_run = *options.instead_of_defer;
    std::vector<const lab_info*> chosen;
    for (const auto& name : options.lab_names) {
        const lab_info* lab = find_lab(all, name);
        if (lab == nullptr) {
            std::string known;
            for (const auto& l : all) known += (known.empty() ? "" : ", ") + l.name;
            throw std::invalid_argument(fmt::format("no lab '{}' (the labs are: {})", name, known));
        }
        chosen.push_back(lab);
    }
    // A submission's files are found wherever they are; without lab names, the labs it has files
    // of are graded.
    submission_files files;
    std::vector<const lab_info*> present;  // the labs the submission has files of
    std::string upload_problem;  // why the chosen labs cannot be built at all
    if (options.overlay) {
        files = find_submission_files(options.lab_source, all);
        present = files.labs_present(all);
        if (options.lab_names.empty()) chosen = present;
        const bool any = std::any_of(chosen.begin(), chosen.end(), [&](const lab_info* lab) {
            return std::find(present.begin(), present.end(), lab) != present.end();
        });
        if (files.file_count == 0) {
            upload_problem = "the submission is empty: upload the files you edited (bank.cpp, filter.cpp, ...)";
        } else if (!any) {
            // the files of the labs asked for, or of every lab
            std::vector<const lab_info*> asked = chosen;
            if (asked.empty())
                for (const auto& lab : all) asked.push_back(&lab);
            std::string expected;
            for (const lab_info* lab : asked)
                for (const auto& f : lab->sources) expected += fmt::format("{}{} (lab {})", expected.empty() ? "" : ", ", f, lab->name);
            upload_problem = fmt::format("the submission has none of the files the grader looks for: expected {}{}", expected,
                                         files.ignored.empty() ? "" : fmt::format("; got {}", fmt::join(files.ignored, ", ")));
        }
        // Without lab names there is no lab to charge it to: nothing is graded, and the report says why.
        if (!upload_problem.empty() && chosen.empty()) throw submission_error(upload_problem);
    } else if (options.lab_names.empty()) {
        for (const auto& lab : all) chosen.push_back(&lab);
    }

    grade_report report;
    report.submission = options.submission_label;
    report.seed = options.seed;
    report.machine = describe_machine();
    if (!upload_problem.empty()) report.notes.push_back(upload_problem);
    for (const auto& ignored : files.ignored)
        report.notes.push_back(fmt::format("{} was ignored: no lab has a file of that name", ignored));
    const auto started = std::chrono::steady_clock::now();

    become_subreaper();
    const std::optional<grading_users> users = users_for_grading();
    using user = std::optional<std::pair<uid_t, gid_t>>;
    const user compile_as = users ? user(users->compile) : std::nullopt;
    const user run_as = users ? user(users->student) : std::nullopt;
    const user reference_as = users ? user(users->reference) : std::nullopt;
    run_folder scratch(run_as);
    run_folder reference_scratch(reference_as);
    grading_context context;
    context.root = options.root;
    context.run_dir = scratch.path;
    context.reference_dir = reference_scratch.path;
    context.reference_as = reference_as;
    context.artifacts_dir = options.artifacts.empty() ? options.work / "artifacts" : options.artifacts;
    fs::create_directories(context.artifacts_dir);
    context.seed = options.seed;
    context.run_as = run_as;
    const isolation_support& isolation = isolation_for(run_as);
    report.sandbox = isolation.available ? isolation.how : "no namespaces (" + isolation.missing + ")";
    if (users)
        report.sandbox += fmt::format("; compiled as uid {}, run as uid {}, the grader's reference as uid {}",
                                      users->compile.first, users->student.first, users->reference.first);
    else report.sandbox += fmt::format("; run as the grader's own user (uid {})", ::getuid());
    const memory_group_support& memory = memory_groups();
    report.sandbox += memory.available
                          ? fmt::format("; {} per run (ThreadSanitizer runs {:g} times the rubric's)", memory.how,
                                        tsan_memory_factor)
                          : fmt::format("; address-space limit per process, none under ThreadSanitizer ({})", memory.missing);
    report.sandbox += "; limits on time, processes, files and output";
    const bool someone_elses = options.overlay && options.submission_label != "solutions/";
    if (const std::string refusal = unsandboxed_refusal(run_as); someone_elses && !refusal.empty()) {
        if (!options.unsandboxed) throw std::invalid_argument(refusal);
        report.sandbox += "; graded --unsandboxed";
    }
    if (!isolation.available && !someone_elses && options.progress) {
        // said once per grade: a student grading their own code goes on without namespaces
        fmt::print(stderr, "note: your code runs without a sandbox here: {}\n", isolation.missing);
    }
    if (const char* scale = std::getenv("PARLAB_TIMEOUT_SCALE")) context.timeout_scale = std::max(0.1, std::atof(scale));
    context.load_factor = options.limits_without_load ? 1.0 : load_factor();
    const progress_line progress{options.progress};

    context.reference_probe = fs::read_symlink("/proc/self/exe").parent_path() / "parlab_reference_probe";
    if (!fs::exists(context.reference_probe))
        throw std::runtime_error(fmt::format("the grader's reference program {} is missing: rebuild the grader",
                                             context.reference_probe.string()));
    const build_place place = place_for_build(options, compile_as);
    submission_build builder(place.kit, place.source, place.work, options.overlay, compile_as,
                             options.overlay ? &files : nullptr);
    if (options.light_optimisation) builder.light_optimisation();
    // Beside other graders (a batch with --jobs), each step takes its turn and a timing check
    // the machine alone.
    const auto turn = [&](bool alone) {
        std::optional<machine_turn> taken;
        if (!options.machine_lock.empty()) taken.emplace(options.machine_lock, alone);
        return taken;
    };
    for (const lab_info* lab : chosen) {
        // A lab asked for that the submission has no file of is worth nothing, and says so.
        const bool handed_in = !options.overlay || std::find(present.begin(), present.end(), lab) != present.end();
        if (!upload_problem.empty() || !handed_in) {
            report.labs.push_back(not_run_lab(*lab, upload_problem.empty() ? no_submission(*lab) : upload_problem));
            continue;
        }
        lab_result result;
        result.lab = *lab;
        if (options.overlay) result.unchanged_skeleton = same_as_skeleton(*lab, files, options.root / "labs");
        // the same files graded earlier in the batch (a partial grade never shares)
        const bool shared = options.overlay && !options.lab_cache.empty() && options.only_checks.empty() && !options.build_only &&
                            !options.stop_at_first_loss && !options.limits_without_load;
        const lab_identity identity = shared ? identify_lab(*lab, files, options.seed) : lab_identity{};
        if (auto cached = shared ? cached_lab(options.lab_cache, identity, *lab, context.artifacts_dir) : std::nullopt) {
            cached->unchanged_skeleton = result.unchanged_skeleton;
            report.labs.push_back(std::move(*cached));
            continue;
        }
        lab_programs programs;
        progress(fmt::format("[{}] building your code", lab->folder));
        {
            const auto step = turn(false);
            programs.release = builder.build(*lab, build_kind::release);
        }
        // The ThreadSanitizer build waits for the first race check whose task passed its probe
        // checks: for a task that failed them the race check fails at once, and a submission
        // with no such task (an untouched skeleton, say) is compiled only once.
        bool tsan_built = false;
        const auto build_tsan = [&] {
            if (tsan_built || !programs.release.ok || !needs_tsan(*lab, options.only_checks)) return;
            tsan_built = true;
            progress(fmt::format("[{}] building your code with ThreadSanitizer", lab->folder));
            const auto step = turn(false);
            programs.tsan = builder.build(*lab, build_kind::tsan);
        };
        if (options.build_only) {
            build_tsan();
            continue;
        }
        lab_state state;
        for (const auto& spec : lab->checks) {
            if (!options.only_checks.empty() &&
                std::find(options.only_checks.begin(), options.only_checks.end(), spec.name) == options.only_checks.end())
                continue;
            if (spec.type == "race" && state.failed_tasks.count(spec.task) == 0) build_tsan();
            progress(fmt::format("[{}] checking {} (task {})", lab->folder, spec.name, spec.task));
            const auto step = turn(spec.type == "timing");
            result.checks.push_back(run_check(context, *lab, spec, programs, state));
            if (options.stop_at_first_loss && result.checks.back().status != check_status::passed) break;
        }
        if (shared) store_lab(options.lab_cache, identity, result);
        report.labs.push_back(std::move(result));
    }
    progress.clear();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace parlab::grader
