#include "support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace parlab::grader::checking {
namespace fs = std::filesystem;

// The check's time limit: the rubric's "timeout" (or the type's default), grown for a slow or
// loaded machine.
int timeout_seconds(const check_spec& spec, int fallback, const grading_context& context) {
    return std::max(1, static_cast<int>(spec.timeout.value_or(fallback) * context.timeout_scale * context.load_factor));
}

run_place graded_place(const grading_context& context) { return {context.run_dir, context.run_as}; }
run_place reference_place(const grading_context& context) {
    if (context.reference_dir.empty()) return graded_place(context);  // a context made by hand (tests)
    return {context.reference_dir, context.reference_as};
}

// A private copy of a program in `place`'s bin folder (the grader's, not writable by the run), so
// the unprivileged user can run it wherever the kit lives.
fs::path stage_program(const fs::path& program, const run_place& place, const std::string& flavour) {
    const fs::path copy = place.dir / "bin" / (flavour + "-" + program.filename().string());
    const fs::path fresh = copy.string() + ".new";
    fs::create_directories(copy.parent_path());
    fs::copy_file(program, fresh, fs::copy_options::overwrite_existing);
    fs::permissions(fresh, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
    fs::rename(fresh, copy);  // a copy still running from an earlier check keeps its own file
    return copy;
}

run_request base_request(const run_place& place, std::vector<std::string> argv, int timeout_seconds,
                         std::vector<std::string> extra_env) {
    run_request request;
    request.argv = std::move(argv);
    request.env = clean_environment(place.dir, extra_env);
    request.workdir = place.dir;
    request.timeout = std::chrono::seconds(timeout_seconds);
    // A run sees its own folder and nothing else of the machine's files (sandbox.hpp).
    request.isolate = isolation{{place.dir}, {}};
    request.stop_when_deadlocked = true;
    if (place.user) {
        request.run_as_uid = place.user->first;
        request.run_as_gid = place.user->second;
    }
    return request;
}

void pass(check_result& r, std::string message, double fraction) {
    r.status = fraction >= 1.0 ? check_status::passed : check_status::failed;
    r.fraction = std::clamp(fraction, 0.0, 1.0);
    r.score = r.max_score * r.fraction;
    r.message = std::move(message);
}

void fail(check_result& r, check_status status, std::string message, std::string details) {
    r.status = status;
    r.score = r.fraction = 0;
    r.message = std::move(message);
    r.details = std::move(details);
}

// A check this machine cannot run (a speedup check without the cores for it). The rubric's
// "when_not_run" decides what it is worth, the same for every student: "defer" (the default: no
// points yet, the maximum unchanged; grade again where it can run), "award" (its points) or
// "exclude" (out of the maximum).
void not_run(check_result& r, const check_spec& spec, const std::string& why) {
    r.status = check_status::skipped;
    if (spec.when_not_run == not_run_policy::award) {
        r.fraction = 1;
        r.score = r.max_score;
        r.message = fmt::format("not run here ({}); its points are given, as the rubric says", why);
    } else if (spec.when_not_run == not_run_policy::exclude) {
        r.score = r.max_score = 0;
        r.message = fmt::format("not run here ({}); it does not count, as the rubric says", why);
    } else {
        r.score = 0;
        // the reason says what it needs (free cores, a quiet machine, the instructor's copy)
        r.message = fmt::format("not run here ({}); its points wait until it is graded where it can run", why);
    }
}

// A run that timed out having used little processor time: every process sat blocked, and the
// kernel says on what (a deadlock between a pipe's two ends, a join, a semaphore).
std::string blocked_message(int timeout_seconds, const run_result& run) {
    const std::string used = fmt::format("{:.1f} s of CPU", std::max(0.0, run.cpu_seconds));
    if (run.deadlocked)
        return fmt::format("stopped after {:.0f} s of its {} s: a deadlock ({}; {}): each process waits for another "
                           "that waits too, so none would ever go on",
                           run.seconds, timeout_seconds, run.blocked, used);
    if (run.blocked.empty())
        return fmt::format("timed out after {} s with its processes blocked ({}): a deadlock?", timeout_seconds, used);
    return fmt::format("timed out after {} s with its processes blocked ({}; {}): a deadlock?", timeout_seconds,
                       run.blocked, used);
}

// Turns a run that did not end normally into a result; false when the run ended normally.
bool abnormal_end(check_result& r, const run_result& run, int timeout_seconds) {
    if (run.timed_out) {
        // The processor time it used tells a program that sat blocked from one that kept running.
        const bool busy = !run.sat_blocked(timeout_seconds);
        fail(r, check_status::timeout,
             busy ? fmt::format("timed out after {} s while computing ({:.1f} s of CPU): a loop that never ends, or far "
                                "too much work?",
                                timeout_seconds, run.cpu_seconds)
                  : blocked_message(timeout_seconds, run),
             run.output);
        r.blocked = !busy;
        return true;
    }
    if (run.output_flooded) {
        fail(r, check_status::error, "stopped: printed more than 32 MB (is there a print in a hot loop?)");
        return true;
    }
    if (run.status.signaled) {
        fail(r, check_status::crashed, fmt::format("crashed: {}", run.status.describe()), run.output);
        return true;
    }
    return false;
}

constexpr std::size_t gib = std::size_t{1} << 30;

// The memory limit of a run: the rubric's "memory_gib" (default 2 GiB), `factor` times.
std::optional<std::size_t> memory_limit(const check_spec& spec, double factor) {
    const double limit = spec.memory_gib * factor;
    if (limit <= 0) return std::nullopt;
    return static_cast<std::size_t>(limit * static_cast<double>(gib));
}

// Whether a run that failed did so because it reached its memory limit.
bool out_of_memory(const std::string& text) {
    for (const char* sign : {"bad_alloc", "Cannot allocate memory", "cannot allocate memory", "out of memory"})
        if (text.find(sign) != std::string::npos) return true;
    return false;
}

std::string memory_message(const check_spec& spec, double factor) {
    return fmt::format("used more than {:g} GiB of memory, this check's limit: does something allocate far more than "
                       "the input needs (or leak in a loop)?",
                       spec.memory_gib * factor);
}

std::string hung_at_start(int timeout) {
    return fmt::format("timed out after {} s before the program reached main(): something in your file hangs at "
                       "start-up (a global's constructor?)",
                       timeout);
}

probe_outcome run_probe(const grading_context& context, const fs::path& program, const std::string& name,
                        const std::vector<std::string>& args, int timeout, const std::vector<std::string>& env,
                        std::optional<std::size_t> memory, const fs::path& report_file) {
    std::vector<std::string> argv{program.string(), "check", name, fmt::format("--seed={}", context.seed)};
    argv.insert(argv.end(), args.begin(), args.end());
    run_request request = base_request(graded_place(context), argv, timeout, env);
    request.control_channel = true;
    request.memory_limit = memory;
    request.report_file = report_file;
    // only ThreadSanitizer runs have a report file
    request.fixed_layout = request.huge_address_space = !report_file.empty();
    if (!report_file.empty()) request.isolate->writable.push_back(report_file.parent_path());
    probe_outcome out;
    out.run = run_sandboxed(request);
    std::istringstream lines(out.run.control);
    for (std::string line; std::getline(lines, line);) {
        if (line == "ready") {
            out.started = true;
            continue;
        }
        try {
            out.answer.emplace(nlohmann::json::parse(line));
        } catch (const nlohmann::json::exception&) {
        }
    }
    return out;
}

// Turns a run that did not end normally (or never started) into a result; false otherwise.
bool abnormal_probe_end(check_result& r, const probe_outcome& out, int timeout, const check_spec& spec, lab_state& state,
                        double memory_factor) {
    if (out.run.timed_out && !out.started) {
        state.never_started = hung_at_start(timeout);
        fail(r, check_status::timeout, state.never_started, out.run.output);
        return true;
    }
    // (a probe that answered reports a part that ran out of memory in its own answer: a child
    // it ran under a time limit, killed by the kernel, is one failed case, not the whole check)
    if (!out.answer && (out.run.memory_exceeded || out_of_memory(out.run.output))) {
        fail(r, check_status::failed, memory_message(spec, memory_factor), out.run.output);
        return true;
    }
    return abnormal_end(r, out.run, timeout);
}

// The student's probe answer judged by the lab's verifier, its fraction turned into points.
check_result verify_answer(const probe_verifier& verifier, const check_spec& spec, const probe_outcome& out,
                           const grading_context& context, const check_result& start) {
    verify_context with_wall{context};
    with_wall.wall_seconds = out.run.seconds;  // as the grader measured it, whatever the answer says
    const probe_verdict verdict = verifier.verify(spec, *out.answer, with_wall);
    check_result r = start;
    r.status = verdict.passed ? check_status::passed : check_status::failed;
    r.fraction = std::clamp(verdict.passed ? 1.0 : verdict.fraction, 0.0, 1.0);
    r.score = r.fraction * start.max_score;
    r.message = verdict.message;
    r.artifact = verdict.artifact;
    if (!verdict.passed) r.details = out.run.output;
    return r;
}

const probe_verifier* verifier_for(const lab_info& lab, const probe_run& run, const lab_build& build, check_result& r) {
    const probe_verifier* verifier = all_labs().probe(lab.folder, run.probe);
    if (verifier != nullptr && !build.probe.empty()) return verifier;
    fail(r, check_status::error, fmt::format("the grader has no probe '{}/{}' (check the rubric)", lab.name, run.probe));
    return nullptr;
}

}  // namespace parlab::grader::checking
