#include "checks.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "marks.hpp"
#include "parlab/workers.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

// The check's time limit: the rubric's "timeout" (or the type's default), grown for a slow or
// loaded machine.
int timeout_seconds(const check_spec& spec, int fallback, const grading_context& context) {
    return std::max(1, static_cast<int>(spec.timeout.value_or(fallback) * context.timeout_scale * context.load_factor));
}

// Where a run happens and as whom: graded code in the run folder, the grader's reference side of
// a timing pair in a folder of its own.
struct run_place {
    fs::path dir;
    std::optional<std::pair<uid_t, gid_t>> user;
};
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
                         std::vector<std::string> extra_env = {}) {
    run_request request;
    request.argv = std::move(argv);
    request.env = clean_environment(place.dir, extra_env);
    request.workdir = place.dir;
    request.timeout = std::chrono::seconds(timeout_seconds);
    // A run sees its own folder and nothing else of the machine's files (sandbox.hpp).
    request.isolate = isolation{{place.dir}, {}};
    if (place.user) {
        request.run_as_uid = place.user->first;
        request.run_as_gid = place.user->second;
    }
    return request;
}

check_result start_result(const lab_info& lab, const check_spec& spec) {
    check_result r;
    r.name = spec.name;
    r.task = spec.task;
    r.type = spec.type;
    r.max_score = spec.points;
    r.hint = spec.task > 0 ? fmt::format("./parlab hint {} {}", lab.name, spec.task) : "";
    return r;
}

void pass(check_result& r, std::string message, double fraction = 1.0) {
    r.status = fraction >= 1.0 ? check_status::passed : check_status::failed;
    r.fraction = std::clamp(fraction, 0.0, 1.0);
    r.score = r.max_score * r.fraction;
    r.message = std::move(message);
}

void fail(check_result& r, check_status status, std::string message, std::string details = {}) {
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
std::optional<std::size_t> memory_limit(const check_spec& spec, double factor = 1.0) {
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

std::string memory_message(const check_spec& spec, double factor = 1.0) {
    return fmt::format("used more than {:g} GiB of memory, this check's limit: does something allocate far more than "
                       "the input needs (or leak in a loop)?",
                       spec.memory_gib * factor);
}

std::string hung_at_start(int timeout) {
    return fmt::format("timed out after {} s before the program reached main(): something in your file hangs at "
                       "start-up (a global's constructor?)",
                       timeout);
}

// What one run of a probe in "check" mode gave.
struct probe_outcome {
    run_result run;
    bool started = false;                 ///< the probe said "ready"
    std::optional<nlohmann::json> answer; ///< the last JSON line of fd 3
};

probe_outcome run_probe(const grading_context& context, const fs::path& program, const std::string& name,
                        const std::vector<std::string>& args, int timeout, const std::vector<std::string>& env,
                        std::optional<std::size_t> memory, const fs::path& report_file = {}) {
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
                        double memory_factor = 1.0) {
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

check_result run_probe_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                             const lab_programs& programs, lab_state& state) {
    check_result r = start_result(lab, spec);
    const std::string& probe = spec.probe;
    const probe_verifier* verifier = all_labs().probe(lab.name, probe);
    if (verifier == nullptr || programs.release.probe.empty()) {
        fail(r, check_status::error, fmt::format("the grader has no probe '{}/{}' (check the rubric)", lab.name, probe));
        return r;
    }
    const int full = timeout_seconds(spec, 30, context);
    const int cut = std::max(1, static_cast<int>(blocked_cut_seconds * context.timeout_scale * context.load_factor));
    const int timeout = state.sat_blocked ? std::min(full, cut) : full;
    const probe_call call = verifier->make_call ? verifier->make_call(spec, context) : probe_call{};
    const probe_outcome out = run_probe(context, stage_program(programs.release.probe, graded_place(context), "release"), probe,
                                        call.args,
                                        timeout, {}, memory_limit(spec));
    if (abnormal_probe_end(r, out, timeout, spec, state)) {
        if (out.run.timed_out && out.started && timeout < full)
            r.message += fmt::format(" (its limit was cut from {} s to {} s: an earlier check of this lab already sat "
                                     "blocked for its whole limit)",
                                     full, timeout);
        if (out.run.sat_blocked(timeout)) state.sat_blocked = true;
        return r;
    }
    if (!out.answer) {
        fail(r, check_status::error,
             fmt::format("the code ended without an answer ({}): does it call exit()?", out.run.status.describe()),
             out.run.output);
        return r;
    }
    if (out.answer->contains("error")) {
        const std::string error = out.answer->at("error").is_string() ? out.answer->at("error").get<std::string>() : "?";
        fail(r, check_status::failed, out_of_memory(error) ? memory_message(spec) : error, out.run.output);
        return r;
    }
    try {
        return verify_answer(*verifier, spec, out, context, r);
    } catch (const std::exception&) {
        fail(r, check_status::error, "the probe's answer was malformed: does your code write on the grader's channel?",
             out.run.output);
        return r;
    }
}

// A folder for files the runs write but must not remove or replace: the grader's, searchable by
// everyone, writable by it alone; removed with its content at the end.
struct report_folder {
    fs::path path;
    report_folder() {
        std::string pattern = (fs::temp_directory_path() / "parlab-reports-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot make a folder in /tmp for the reports");
        path = pattern;
        fs::permissions(path, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    }
    report_folder(const report_folder&) = delete;
    report_folder& operator=(const report_folder&) = delete;
    ~report_folder() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    /// Everything written in the folder's files.
    [[nodiscard]] std::string read_all() const {
        std::string text;
        for (const auto& entry : fs::directory_iterator(path)) text += read_text(entry.path());
        return text;
    }
};

check_result run_race_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                            const lab_programs& programs, lab_state& state) {
    check_result r = start_result(lab, spec);
    // First, as the grade builds for ThreadSanitizer only when some race check can vouch for its task.
    if (state.failed_tasks.count(spec.task) > 0) {
        fail(r, check_status::failed,
             fmt::format("task {} does not pass its other checks yet, so the race check cannot vouch for it", spec.task));
        return r;
    }
    if (!programs.tsan.ok) {
        fail(r, check_status::error, "the ThreadSanitizer build failed", programs.tsan.errors);
        return r;
    }
    if (!programs.tsan.forbidden.empty()) {
        fail(r, check_status::failed,
             fmt::format("your code uses {}, which can switch ThreadSanitizer off or hide what it finds, so the race "
                         "check cannot vouch for it: remove it",
                         programs.tsan.forbidden));
        return r;
    }
    const std::string& probe = spec.probe;
    const probe_verifier* verifier = all_labs().probe(lab.name, probe);
    if (verifier == nullptr || programs.tsan.probe.empty()) {
        fail(r, check_status::error, fmt::format("the grader has no probe '{}/{}' (check the rubric)", lab.name, probe));
        return r;
    }
    const int timeout = timeout_seconds(spec, 120, context);
    // The kit's suppressions: races ThreadSanitizer reports inside the uninstrumented libstdc++.
    const fs::path suppressions = context.run_dir / "tsan.supp";
    fs::copy_file(context.root / "cmake" / "tsan.supp", suppressions, fs::copy_options::overwrite_existing);
    probe_call call = verifier->make_call ? verifier->make_call(spec, context) : probe_call{};
    call.args.emplace_back("--canary");
    // ThreadSanitizer writes its reports into a file the grader made, in a folder the run cannot
    // change: what the program prints (a report of its own making, say) is never read as one,
    // and redirecting its own stderr hides nothing.
    const report_folder reports_dir;
    const probe_outcome out = run_probe(context, stage_program(programs.tsan.probe, graded_place(context), "tsan"), probe, call.args,
                                        timeout, {"TSAN_OPTIONS=" + tsan_options(suppressions, (reports_dir.path / "tsan").string())},
                                        memory_limit(spec, tsan_memory_factor), reports_dir.path / "tsan");
    const auto reports = parse_race_reports(reports_dir.read_all());
    for (const auto& report : reports) {
        if (report.canary) continue;
        fail(r, check_status::failed,
             fmt::format("ThreadSanitizer saw a {} between {} and {}", report.kind, report.first, report.second),
             out.run.output);
        return r;
    }
    if (abnormal_probe_end(r, out, timeout, spec, state, tsan_memory_factor)) return r;
    if (!out.answer || out.answer->contains("error")) {
        fail(r, check_status::failed,
             fmt::format("under ThreadSanitizer your code gave no answer ({}), so the race check cannot vouch for it",
                         out.answer ? out.answer->value("error", std::string("?")) : out.run.status.describe()),
             out.run.output);
        return r;
    }
    check_result verdict;
    try {
        verdict = verify_answer(*verifier, spec, out, context, r);
    } catch (const std::exception&) {
        fail(r, check_status::error, "the probe's answer was malformed: does your code write on the grader's channel?");
        return r;
    }
    if (verdict.status != check_status::passed) {
        fail(r, check_status::failed,
             "under ThreadSanitizer your code gave a wrong answer, so the race check cannot vouch for it: " + verdict.message,
             out.run.output);
        return r;
    }
    const bool canary_seen = std::any_of(reports.begin(), reports.end(), [](const race_report& x) { return x.canary; });
    if (!canary_seen) {
        fail(r, check_status::failed,
             "ThreadSanitizer did not report the race the grader plants on purpose after your code ran, so it was "
             "switched off or its output was hidden: the race check cannot vouch for your code",
             out.run.output);
        return r;
    }
    pass(r, "no data race reported by ThreadSanitizer, on hidden inputs with the right answers");
    return r;
}

// Options of a "--key=value" argument list, for the timing verifiers.
std::map<std::string, std::string> options_of(const std::vector<std::string>& args) {
    std::map<std::string, std::string> options;
    for (const auto& a : args)
        if (const auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos)
            options[a.substr(2, eq - 2)] = a.substr(eq + 1);
    return options;
}

// A random nonce per timed pair: unpredictable, so no run can be prepared ahead of its "go".
std::uint64_t draw_nonce() {
    static std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32 | device()) % 1000000000000000ULL;
}

check_result run_timing_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                              const lab_programs& programs, lab_state& state) {
    check_result r = start_result(lab, spec);
    // Only work whose result is right is worth timing; this also spares a class batch the
    // timed pairs of every unfinished task.
    if (state.failed_tasks.count(spec.task) > 0) {
        fail(r, check_status::failed,
             fmt::format("not timed: task {} does not pass its other checks yet, and only a right answer's speed counts",
                         spec.task));
        return r;
    }
    const int needs = spec.needs_cores;
    if (available_cpus() < static_cast<std::size_t>(needs)) {
        not_run(r, spec, fmt::format("needs {} cores, this machine gives the grader {}", needs, available_cpus()));
        return r;
    }
    // Under a CPU quota smaller than the cores a pair needs (a container of half a CPU), the
    // kernel stops the group for the rest of each period once the quota is spent: a run that
    // starts with quota left is not stopped, a longer one is, so wall-clock times favour the side
    // that happens to run unthrottled (the lab 04 skeleton measured 1.6x there against 1.3x).
    if (const auto quota = cpu_quota(); quota && *quota < needs - 0.01) {
        not_run(r, spec, fmt::format("needs {} whole core{}, this machine's CPU quota gives the grader {:.2g} of a CPU, "
                                     "which distorts wall-clock times",
                                     needs, needs > 1 ? "s" : "", *quota));
        return r;
    }
    if (programs.release.probe.empty()) {
        fail(r, check_status::error, "the grader has no probe for this lab");
        return r;
    }
    // A speedup needs its cores free: with another program on one of two cores no code can show
    // it, so the check is skipped with the reason rather than failed.
    if (needs > 1) {
        const double free = free_cores(std::chrono::milliseconds(300));
        if (free < needs - 0.5) {
            not_run(r, spec, fmt::format("needs {} free cores, but only {:.1f} were free (another program is busy)", needs, free));
            return r;
        }
    }
    const double threshold = spec.min_speedup;
    const std::size_t batch = spec.pairs;
    const std::size_t max_pairs = spec.max_pairs;
    const int timeout = timeout_seconds(spec, 20, context);

    // One side of the pair: the student's probe, or the grader's own reference program.
    struct side {
        std::string label, probe;
        std::vector<std::string> args;
        bool reference = false;
        const timing_verifier* verifier = nullptr;
        std::unique_ptr<sandbox_session> session;
    };
    const auto make_side = [&](const timing_side& from) {
        side s;
        s.label = from.label;
        s.probe = from.probe;
        s.args = from.args;
        s.reference = from.reference;
        if (!s.reference) {
            s.verifier = all_labs().timing(lab.name, s.probe);
            if (s.verifier == nullptr)
                throw std::runtime_error(fmt::format("no timing verifier '{}/{}' (check the rubric)", lab.name, s.probe));
        }
        // the reference in its own folder, as its own user: the graded side can neither swap its
        // program nor signal it
        const run_place place = s.reference ? reference_place(context) : graded_place(context);
        const fs::path program = s.reference ? stage_program(context.reference_probe, place, "grader")
                                             : stage_program(programs.release.probe, place, "release");
        std::vector<std::string> argv{program.string(), "time", s.probe};
        argv.insert(argv.end(), s.args.begin(), s.args.end());
        argv.push_back(fmt::format("--seed={}", context.seed));
        run_request request = base_request(place, argv, timeout * 100);
        request.memory_limit = memory_limit(spec);
        s.session = std::make_unique<sandbox_session>(request);
        return s;
    };
    side a = make_side(spec.a);
    side b = make_side(spec.b);

    // A side that ended or hung: the reason, in the student's terms.
    const auto session_failed = [&](side& s, const std::string& otherwise) {
        const run_result ended = s.session->finish();
        if (!s.session->ready_seen() && ended.timed_out) {
            state.never_started = hung_at_start(timeout);
            fail(r, check_status::timeout, state.never_started, ended.output);
        } else if (ended.memory_exceeded || (!ended.timed_out && out_of_memory(ended.output))) {
            fail(r, check_status::failed, memory_message(spec), ended.output);
        } else if (!abnormal_end(r, ended, timeout)) {
            fail(r, check_status::error, otherwise, ended.output);
        } else if (r.status == check_status::timeout) {
            r.message = fmt::format("timed out after {} s in the timed run ({})", timeout, s.label);
        }
    };
    std::map<std::uint64_t, std::string> expected_by_nonce;  // one reference computation per nonce
    // One timed run: its seconds, and the cores other programs took meanwhile on average (the
    // machine's busy time less the run's own; a program that starts after the free-core check
    // above shows here).
    struct timed {
        double seconds = 0;
        double others = 0;
    };
    const double tick = 1.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
    // Each side is paused while the other is timed: nothing it leaves running in the background
    // can take the processor from the other side.
    const auto step = [&](side& s, std::uint64_t nonce) -> std::optional<timed> {
        const double own_before = s.session->cpu_seconds();
        const double busy_before = machine_busy_seconds();
        s.session->resume();
        const auto answer = s.session->go(nonce, std::chrono::seconds(timeout));
        s.session->pause();
        const double busy = machine_busy_seconds() - busy_before;
        const double own = s.session->cpu_seconds() - own_before;
        if (answer && answer->line.rfind("ok ", 0) == 0) {
            // both counts move in whole clock ticks: two of them are rounding, not other programs
            const timed t{answer->seconds, std::max(0.0, busy - own - 2 * tick) / std::max(answer->seconds, 1e-3)};
            const std::string digest = answer->line.substr(3);
            if (s.verifier == nullptr) return t;  // the grader's own program
            auto [at, inserted] = expected_by_nonce.try_emplace(nonce);
            if (inserted) at->second = s.verifier->expected(options_of(s.args), context.seed, nonce);
            if (s.verifier->matches(at->second, digest)) return t;
            fail(r, check_status::failed,
                 fmt::format("the timed run ({}) answered a wrong result for its input (expected {}, got {}): the grader "
                             "counts only the time of work whose result it checked",
                             s.label, at->second, digest.substr(0, 40)));
            return std::nullopt;
        }
        session_failed(s, answer ? fmt::format("the timed run ({}) failed: {}", s.label, answer->line)
                                 : fmt::format("the timed run ({}) failed: no answer", s.label));
        return std::nullopt;
    };
    for (side* s : {&a, &b}) {
        if (s->session->await("prepared", std::chrono::seconds(timeout))) {
            s->session->pause();
            continue;
        }
        // The grader's own program lacks this baseline (its answer to probe.hpp's "time NAME"):
        // a student edition leaves out a baseline that is a task's answer (./parlab release).
        if (s->reference && s->session->said_instead().rfind("error the probe has no timed run", 0) == 0) {
            not_run(r, spec, fmt::format("the student edition leaves out {}: this check runs where your instructor grades",
                                         s->label));
            return r;
        }
        session_failed(*s, fmt::format("the timed run ({}) did not get ready", s->label));
        return r;
    }
    // Pairs during which other programs took the processor do not count; as many of them as the
    // check has pairs may be timed again, and a check that saw any is never failed: it waits for
    // a quiet machine instead (a pass stands: it rests on the quiet pairs alone).
    std::vector<double> speedups;
    std::size_t disturbed = 0;
    double most_taken = 0;
    timing_verdict verdict = timing_verdict::undecided;
    while (speedups.size() < max_pairs && disturbed < max_pairs && verdict == timing_verdict::undecided) {
        for (std::size_t i = 0; i < batch && speedups.size() < max_pairs && disturbed < max_pairs; ++i) {
            const std::uint64_t nonce = draw_nonce();
            const auto ta = step(a, nonce);
            if (!ta) return r;
            const auto tb = step(b, nonce);
            if (!tb) return r;
            if (const double taken = std::max(ta->others, tb->others); taken > busy_core_limit) {
                ++disturbed;
                most_taken = std::max(most_taken, taken);
                continue;
            }
            speedups.push_back(ta->seconds / std::max(tb->seconds, 1e-9));
        }
        verdict = decide_timing(speedups, threshold, spec.min_pairs_to_fail);
    }
    if (disturbed > 0 && verdict != timing_verdict::passed) {
        not_run(r, spec,
                fmt::format("other programs took up to {:.1f} cores while {} of {} timed pairs ran, which makes a "
                            "speedup look smaller than it is",
                            most_taken, disturbed, disturbed + speedups.size()));
        return r;
    }
    std::vector<double> sorted = speedups;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    r.measured = median;
    const std::string figures =
        fmt::format("{} is {:.2f}x as fast as {}{} (median of {} alternating pairs, every result checked; needed {:.2f}x)",
                    b.label, median, a.label, median < 1 ? " (slower)" : "", speedups.size(), threshold);
    switch (verdict) {
        case timing_verdict::passed: pass(r, figures); break;
        case timing_verdict::failed: fail(r, check_status::failed, figures); break;
        case timing_verdict::undecided:
            fail(r, check_status::inconclusive, figures + "; the runs were too noisy to decide: run the grader again on a quieter machine");
            break;
    }
    return r;
}

}  // namespace

double load_factor() {
    std::ifstream in("/proc/loadavg");
    double load = 0;
    if (!(in >> load)) return 1.0;
    return std::clamp(load / static_cast<double>(available_cpus()), 1.0, 4.0);
}

check_result run_check_untimed(const grading_context& context, const lab_info& lab, const check_spec& spec,
                               const lab_programs& programs, lab_state& state);

namespace {

// All CPUs' idle time (with I/O wait) and total time so far, in clock ticks, from /proc/stat.
std::pair<unsigned long long, unsigned long long> idle_and_total() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    return {idle + iowait, user + nice + system + idle + iowait + irq + softirq + steal};
}

}  // namespace

double machine_busy_seconds() {
    const auto [idle, total] = idle_and_total();
    return static_cast<double>(total - idle) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double free_cores(std::chrono::milliseconds window) {
    // Idle time of all CPUs over the window, in cores.
    const auto before = idle_and_total();
    std::this_thread::sleep_for(window);
    const auto after = idle_and_total();
    const auto total = after.second - before.second;
    if (total == 0) return static_cast<double>(available_cpus());
    const double idle_share = static_cast<double>(after.first - before.first) / static_cast<double>(total);
    return idle_share * static_cast<double>(std::thread::hardware_concurrency());
}

std::vector<race_report> parse_race_reports(const std::string& output) {
    static const std::string marker = "WARNING: ThreadSanitizer: ";
    // "  Write of size 8 at 0x... by thread T2:" followed by "    #0 function file:line:col (...)"
    static const std::regex access(R"(\n\s*((?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))[^\n]*?by ([^\n:]+):\n\s*#0 [^\n]*? ([^ \n:]+:\d+)(?::\d+)?)");
    std::vector<race_report> reports;
    for (auto start = output.find(marker); start != std::string::npos;) {
        const auto next = output.find(marker, start + marker.size());
        const std::string block = output.substr(start, std::min<std::size_t>(next == std::string::npos ? output.size() - start : next - start, 20000));
        race_report report;
        const auto kind_end = block.find_first_of("(\n", marker.size());
        report.kind = block.substr(marker.size(), kind_end == std::string::npos ? std::string::npos : kind_end - marker.size());
        while (!report.kind.empty() && report.kind.back() == ' ') report.kind.pop_back();
        report.canary = block.find("parlab_probe_canary_race") != std::string::npos;
        std::vector<std::string> places;
        for (auto it = std::sregex_iterator(block.begin(), block.end(), access); it != std::sregex_iterator() && places.size() < 2; ++it) {
            std::string file = (*it)[3];
            if (const auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
            std::string what = (*it)[1];
            std::transform(what.begin(), what.end(), what.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            places.push_back(fmt::format("{} ({} by {})", file, what, std::string((*it)[2])));
        }
        while (places.size() < 2) places.emplace_back("an unknown place (see the report)");
        report.first = places[0];
        report.second = places[1];
        reports.push_back(std::move(report));
        start = next;
    }
    return reports;
}

std::optional<std::pair<std::string, std::string>> parse_race_report(const std::string& output) {
    const auto reports = parse_race_reports(output);
    if (reports.empty()) return std::nullopt;
    return std::make_pair(reports.front().first, reports.front().second);
}

std::string tsan_options(const fs::path& suppressions, const std::string& log_path) {
    // Every option a program could set to silence or redirect reports, set back explicitly.
    return "report_bugs=1 halt_on_error=1 exitcode=66 log_path=" + log_path + " log_exe_name=0 verbosity=0 "
           "print_suppressions=0 report_thread_leaks=0 report_signal_unsafe=0 report_atomic_races=1 "
           "report_destroy_locked=1 report_mutex_bugs=1 detect_deadlocks=1 second_deadlock_stack=1 "
           "ignore_interceptors_accesses=0 ignore_noninstrumented_modules=0 enable_annotations=0 "
           "force_seq_cst_atomics=0 suppress_equal_stacks=1 suppress_equal_addresses=1 "
           "flush_memory_ms=0 history_size=3 symbolize=1 strip_path_prefix= "
           "suppressions=" + suppressions.string();
}

timing_verdict decide_timing(const std::vector<double>& speedups, double threshold, std::size_t min_pairs_to_fail) {
    if (speedups.empty()) return timing_verdict::undecided;
    const auto reached = static_cast<std::size_t>(std::count_if(speedups.begin(), speedups.end(),
                                                                [&](double s) { return s >= threshold; }));
    const std::size_t n = speedups.size();
    if (3 * reached >= 2 * n) return timing_verdict::passed;
    if (3 * (n - reached) >= 2 * n && n >= min_pairs_to_fail) return timing_verdict::failed;
    return timing_verdict::undecided;
}

lab_result not_run_lab(const lab_info& lab, const std::string& why) {
    lab_result result;
    result.lab = lab;
    lab_programs programs;
    programs.release.errors = why;
    lab_state state;
    for (const auto& spec : lab.checks) result.checks.push_back(run_check(grading_context{}, lab, spec, programs, state));
    return result;
}

check_result run_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                       const lab_programs& programs, lab_state& state) {
    const auto started = std::chrono::steady_clock::now();
    check_result r = run_check_untimed(context, lab, spec, programs, state);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // a deadlock is not what the next hint is about, but the task may have a hint that is
    if (const auto on_hangs = lab.hang_hints.find(r.task); r.blocked && on_hangs != lab.hang_hints.end())
        r.hint = fmt::format("./parlab hint {} {} {}", lab.name, r.task, on_hangs->second);
    return r;
}

check_result run_check_untimed(const grading_context& context, const lab_info& lab, const check_spec& spec,
                               const lab_programs& programs, lab_state& state) {
    if (spec.type == "manual") return manual_result(lab, spec, nullptr);  // the instructor marks it (batch --marks)
    if (!state.never_started.empty()) {
        check_result r = start_result(lab, spec);
        fail(r, check_status::timeout, "not run: an earlier check of this lab " + state.never_started);
        return r;
    }
    if (!programs.release.ok) {
        // Said once, on the lab's first check; the others point to it.
        check_result r = start_result(lab, spec);
        r.hint.clear();  // no task's hint helps before the code builds
        const std::string& errors = programs.release.errors;
        const std::size_t end_of_first = errors.find('\n');
        const std::string first_line = errors.substr(0, end_of_first);
        // a problem of the upload, not of the code
        const bool missing = first_line.rfind("the submission ", 0) == 0 || first_line.rfind("no submission ", 0) == 0;
        if (state.build_reported) {
            fail(r, check_status::error, missing ? "not run: see the first check"
                                                 : "not run: your code does not build (see the first check)");
        } else if (missing) {
            // The message is the problem; the details only what follows it, if anything.
            const std::string rest = end_of_first == std::string::npos ? "" : errors.substr(end_of_first + 1);
            fail(r, check_status::error, first_line, rest.find_first_not_of(" \n") == std::string::npos ? "" : rest);
            state.build_reported = true;
        } else {
            fail(r, check_status::error, "your code does not build: " + first_line, errors);
            state.build_reported = true;
        }
        return r;
    }
    try {
        if (spec.type == "race") return run_race_check(context, lab, spec, programs, state);
        if (spec.type == "probe") {
            check_result r = run_probe_check(context, lab, spec, programs, state);
            if (r.status != check_status::passed) state.failed_tasks.insert(spec.task);
            return r;
        }
        if (spec.type == "timing") return run_timing_check(context, lab, spec, programs, state);
        check_result r = start_result(lab, spec);
        fail(r, check_status::error, fmt::format("unknown check type '{}' in the rubric", spec.type));
        return r;
    } catch (const std::exception& error) {
        check_result r = start_result(lab, spec);
        fail(r, check_status::error, fmt::format("the grader could not run this check: {}", error.what()));
        return r;
    }
}

}  // namespace parlab::grader
