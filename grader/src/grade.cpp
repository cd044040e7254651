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
        if (c.as<race_kind>() != nullptr && (only.empty() || std::find(only.begin(), only.end(), c.name) != only.end())) return true;
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
    constexpr std::string_view prefix = "parlab-grade-";
    const auto shared = shared_place(prefix, options.root);
    if (!shared)
        throw std::runtime_error(fmt::format("{} belongs to another user: the grader copies {} there for the user "
                                             "who compiles, who cannot read it where it is; remove that folder, or "
                                             "grade a kit every user can read",
                                             shared_place_name(prefix, options.root).string(),
                                             options.root.string()));
    const fs::path& base = *shared;
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

namespace {

// The labs a grade covers and what the submission holds of them.
struct lab_selection {
    std::vector<const lab_info*> chosen;   ///< graded, in this order
    std::vector<const lab_info*> present;  ///< the labs the submission has files of
    submission_files files;
    std::string upload_problem;  ///< why the chosen labs cannot be built at all
};

std::vector<const lab_info*> named_labs(const std::vector<lab_info>& all, const std::vector<std::string>& names) {
    std::vector<const lab_info*> chosen;
    for (const auto& name : names) {
        const lab_info* lab = find_lab(all, name);
        if (lab == nullptr) {
            std::string known;
            for (const auto& l : all) known += (known.empty() ? "" : ", ") + l.name;
            throw std::invalid_argument(fmt::format("no lab '{}' (the labs are: {})", name, known));
        }
        chosen.push_back(lab);
    }
    return chosen;
}

// What is wrong with an upload that has no file of the labs asked for (empty when it has some).
std::string upload_problem(const lab_selection& selection, const std::vector<lab_info>& all) {
    const bool any = std::any_of(selection.chosen.begin(), selection.chosen.end(), [&](const lab_info* lab) {
        return std::find(selection.present.begin(), selection.present.end(), lab) != selection.present.end();
    });
    if (selection.files.file_count == 0) return "the submission is empty: upload the files you edited (bank.cpp, filter.cpp, ...)";
    if (any) return {};
    // the files of the labs asked for, or of every lab
    std::vector<const lab_info*> asked = selection.chosen;
    if (asked.empty())
        for (const auto& lab : all) asked.push_back(&lab);
    std::string expected;
    for (const lab_info* lab : asked)
        for (const auto& f : lab->sources) expected += fmt::format("{}{} (lab {})", expected.empty() ? "" : ", ", f, lab->name);
    return fmt::format("the submission has none of the files the grader looks for: expected {}{}", expected,
                       selection.files.ignored.empty() ? "" : fmt::format("; got {}", fmt::join(selection.files.ignored, ", ")));
}

// A submission's files are found wherever they are; without lab names, the labs it has files of
// are graded (and every lab of labs/ or the solutions).
lab_selection select_labs(const grade_options& options, const std::vector<lab_info>& all) {
    lab_selection selection;
    selection.chosen = named_labs(all, options.lab_names);
    if (options.overlay) {
        selection.files = find_submission_files(options.lab_source, all);
        selection.present = selection.files.labs_present(all);
        if (options.lab_names.empty()) selection.chosen = selection.present;
        selection.upload_problem = upload_problem(selection, all);
        // Without lab names there is no lab to charge it to: nothing is graded, and the report says why.
        if (!selection.upload_problem.empty() && selection.chosen.empty()) throw submission_error(selection.upload_problem);
    } else if (options.lab_names.empty()) {
        for (const auto& lab : all) selection.chosen.push_back(&lab);
    }
    return selection;
}

// How the runs of this grade are sandboxed, in the words of the report's header.
std::string sandbox_text(const std::optional<grading_users>& users, const isolation_support& isolation) {
    std::string text = isolation.available ? isolation.how : "no namespaces (" + isolation.missing + ")";
    if (users)
        text += fmt::format("; compiled as uid {}, run as uid {}, the grader's reference as uid {}", users->compile.first,
                            users->student.first, users->reference.first);
    else text += fmt::format("; run as the grader's own user (uid {})", ::getuid());
    const memory_group_support& memory = memory_groups();
    text += memory.available ? fmt::format("; {} per run (ThreadSanitizer runs {:g} times the rubric's)", memory.how,
                                           tsan_memory_factor)
                             : fmt::format("; address-space limit per process, none under ThreadSanitizer ({})", memory.missing);
    return text + "; limits on time, processes, files and output";
}

using user_ids = std::optional<std::pair<uid_t, gid_t>>;

// What every lab of one grade shares: where its runs happen and as whom, and its builds.
class grading_session {
public:
    grading_session(const grade_options& options, const lab_selection& selection, const std::optional<grading_users>& users)
        : options_(options), selection_(selection), compile_as_(users ? user_ids(users->compile) : std::nullopt),
          run_as_(users ? user_ids(users->student) : std::nullopt),
          reference_as_(users ? user_ids(users->reference) : std::nullopt), scratch_(run_as_),
          reference_scratch_(reference_as_), place_(place_for_build(options, compile_as_)),
          builder_(options.root, place_.kit, place_.source, place_.work, options.overlay, compile_as_,
                   options.overlay ? &selection.files : nullptr) {
        context_.root = options.root;
        context_.run_dir = scratch_.path;
        context_.reference_dir = reference_scratch_.path;
        context_.reference_as = reference_as_;
        context_.artifacts_dir = options.artifacts.empty() ? options.work / "artifacts" : options.artifacts;
        fs::create_directories(context_.artifacts_dir);
        context_.seed = options.seed;
        context_.run_as = run_as_;
        if (const char* scale = std::getenv("PARLAB_TIMEOUT_SCALE")) context_.timeout_scale = std::max(0.1, std::atof(scale));
        context_.load_factor = options.limits_without_load ? 1.0 : load_factor();
        context_.reference_probe = fs::read_symlink("/proc/self/exe").parent_path() / "parlab_reference_probe";
        if (!fs::exists(context_.reference_probe))
            throw std::runtime_error(fmt::format("the grader's reference program {} is missing: rebuild the grader",
                                                 context_.reference_probe.string()));
        if (options.light_optimisation) builder_.light_optimisation();
    }

    [[nodiscard]] const user_ids& run_as() const { return run_as_; }

    // One lab's result: not run (nothing handed in), taken from the batch's lab cache, or graded.
    lab_result grade_lab(const lab_info& lab) {
        lab_result result;
        result.lab = lab;
        if (options_.overlay) result.unchanged_skeleton = same_as_skeleton(lab, selection_.files, options_.root / "labs");
        // the same files graded earlier in the batch (a partial grade never shares)
        const bool shared = options_.overlay && !options_.lab_cache.empty() && options_.only_checks.empty() &&
                            !options_.build_only && !options_.stop_at_first_loss && !options_.limits_without_load;
        const lab_identity identity = shared ? identify_lab(lab, selection_.files, options_.seed) : lab_identity{};
        if (auto cached = shared ? cached_lab(options_.lab_cache, identity, lab, context_.artifacts_dir) : std::nullopt) {
            cached->unchanged_skeleton = result.unchanged_skeleton;
            return std::move(*cached);
        }
        run_checks(lab, result);
        if (shared) store_lab(options_.lab_cache, identity, result);
        return result;
    }

    void done() const { progress_.clear(); }

private:
    const grade_options& options_;
    const lab_selection& selection_;
    const user_ids compile_as_, run_as_, reference_as_;
    run_folder scratch_, reference_scratch_;
    build_place place_;
    submission_build builder_;
    grading_context context_;
    const progress_line progress_{options_.progress};

    // Beside other graders (a batch with --jobs), each step takes its turn and a timing check
    // the machine alone.
    [[nodiscard]] std::optional<machine_turn> turn(bool alone) const {
        std::optional<machine_turn> taken;
        if (!options_.machine_lock.empty()) taken.emplace(options_.machine_lock, alone);
        return taken;
    }

    // The lab's own tests against the code just built (grade_options::lab_tests): the kit's code,
    // not a student's, so run as the user who compiles it, in the tree it was built in. (Not
    // beside the checks: the grader's runs reap their own children, and one thread at a time.)
    lab_tests_run run_lab_tests(const lab_info& lab, const lab_build& release) {
        lab_tests_run run;
        if (!release.ok) {
            run.output = release.errors;
            return run;
        }
        const auto started = std::chrono::steady_clock::now();
        if (const auto program = builder_.build_lab_tests(lab, run.output)) {
            const auto ran = run_command({program->string(), options_.lab_tests, "--abort"}, 300, compile_as_,
                                         program->parent_path());
            run.code = ran.timed_out ? -1 : ran.code;
            run.output = ran.timed_out ? "the lab's tests ran out of their 300 s\n" + ran.output : ran.output;
        }
        run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return run;
    }

    // Builds the lab and runs its checks (those asked for) into `result`. The ThreadSanitizer
    // build waits for the first race check whose task passed its probe checks: for a task that
    // failed them the race check fails at once, and a submission with no such task (an untouched
    // skeleton, say) is compiled only once.
    void run_checks(const lab_info& lab, lab_result& result) {
        lab_programs programs;
        progress_(fmt::format("[{}] building your code", lab.folder));
        {
            const auto step = turn(false);
            programs.release = builder_.build(lab, build_kind::release);
        }
        if (!options_.lab_tests.empty()) result.lab_tests = run_lab_tests(lab, programs.release);
        bool tsan_built = false;
        const auto build_tsan = [&] {
            if (tsan_built || !programs.release.ok || !needs_tsan(lab, options_.only_checks)) return;
            tsan_built = true;
            progress_(fmt::format("[{}] building your code with ThreadSanitizer", lab.folder));
            const auto step = turn(false);
            programs.tsan = builder_.build(lab, build_kind::tsan);
        };
        if (options_.build_only) {
            build_tsan();
            return;
        }
        lab_state state;
        for (const auto& spec : lab.checks) {
            const auto& only = options_.only_checks;
            if (!only.empty() && std::find(only.begin(), only.end(), spec.name) == only.end()) continue;
            if (spec.as<race_kind>() != nullptr && state.failed_tasks.count(spec.task) == 0) build_tsan();
            progress_(fmt::format("[{}] checking {} (task {})", lab.folder, spec.name, spec.task));
            const auto step = turn(spec.as<timing_kind>() != nullptr);
            result.checks.push_back(run_check(context_, lab, spec, programs, state));
            if (options_.stop_at_first_loss && result.checks.back().status != check_status::passed) break;
        }
    }
};

}  // namespace

grade_report grade(const grade_options& options) {
    const fs::path meta_source = options.overlay ? options.root / "labs" : options.lab_source;
    std::vector<lab_info> all = load_labs(meta_source, options.root / "grader" / "labs");
    if (options.instead_of_defer)
        for (auto& lab : all)
            for (auto& spec : lab.checks)
                if (spec.when_not_run == not_run_policy::defer) spec.when_not_run = *options.instead_of_defer;
    const lab_selection selection = select_labs(options, all);

    grade_report report;
    report.submission = options.submission_label;
    report.seed = options.seed;
    report.machine = describe_machine();
    if (!selection.upload_problem.empty()) report.notes.push_back(selection.upload_problem);
    for (const auto& ignored : selection.files.ignored)
        report.notes.push_back(fmt::format("{} was ignored: no lab has a file of that name", ignored));
    const auto started = std::chrono::steady_clock::now();

    become_subreaper();
    const std::optional<grading_users> users = users_for_grading();
    grading_session session(options, selection, users);
    const isolation_support& isolation = isolation_for(session.run_as());
    report.sandbox = sandbox_text(users, isolation);
    const bool someone_elses = options.overlay && options.submission_label != "solutions/";
    if (const std::string refusal = unsandboxed_refusal(session.run_as()); someone_elses && !refusal.empty()) {
        if (!options.unsandboxed) throw std::invalid_argument(refusal);
        report.sandbox += "; graded --unsandboxed";
    }
    if (!isolation.available && !someone_elses && options.progress) {
        // said once per grade: a student grading their own code goes on without namespaces
        fmt::print(stderr, "note: your code runs without a sandbox here: {}\n", isolation.missing);
    }
    for (const lab_info* lab : selection.chosen) {
        // A lab asked for that the submission has no file of is worth nothing, and says so.
        const auto& present = selection.present;
        const bool handed_in = !options.overlay || std::find(present.begin(), present.end(), lab) != present.end();
        if (!selection.upload_problem.empty() || !handed_in) {
            report.labs.push_back(
                not_run_lab(*lab, selection.upload_problem.empty() ? no_submission(*lab) : selection.upload_problem));
            continue;
        }
        lab_result result = session.grade_lab(*lab);
        if (!options.build_only) report.labs.push_back(std::move(result));
    }
    session.done();
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

}  // namespace parlab::grader
