#include "checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>
#include <sstream>

#include "labs.hpp"
#include "parlab/workers.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

int seconds_param(const check_spec& spec, const char* key, int fallback, const grading_context& context) {
    return std::max(1, static_cast<int>(spec.params.value(key, fallback) * context.timeout_scale));
}

// A private copy of a program in the run folder, so the unprivileged user can run it wherever the
// kit lives.
fs::path stage_program(const fs::path& program, const grading_context& context, const std::string& flavour) {
    const fs::path copy = context.run_dir / "bin" / (flavour + "-" + program.filename().string());
    fs::create_directories(copy.parent_path());
    fs::copy_file(program, copy, fs::copy_options::overwrite_existing);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    return copy;
}

run_request base_request(const grading_context& context, std::vector<std::string> argv, int timeout_seconds,
                         std::vector<std::string> extra_env = {}) {
    run_request request;
    request.argv = std::move(argv);
    request.env = clean_environment(context.run_dir, extra_env);
    request.workdir = context.run_dir;
    request.timeout = std::chrono::seconds(timeout_seconds);
    if (context.run_as) {
        request.run_as_uid = context.run_as->first;
        request.run_as_gid = context.run_as->second;
    }
    return request;
}

check_result start_result(const lab_info& lab, const check_spec& spec) {
    check_result r;
    r.name = spec.name;
    r.task = spec.task;
    r.max_score = spec.points;
    r.hint = spec.task > 0 ? fmt::format("./parlab hint {} {}", lab.name, spec.task) : "";
    return r;
}

void pass(check_result& r, std::string message, double fraction = 1.0) {
    r.status = fraction >= 1.0 ? check_status::passed : check_status::failed;
    r.score = r.max_score * std::clamp(fraction, 0.0, 1.0);
    r.message = std::move(message);
}

void fail(check_result& r, check_status status, std::string message, std::string details = {}) {
    r.status = status;
    r.score = 0;
    r.message = std::move(message);
    r.details = std::move(details);
}

// Turns a run that did not end normally into a result; false when the run ended normally.
bool abnormal_end(check_result& r, const run_result& run, int timeout_seconds) {
    if (run.timed_out) {
        fail(r, check_status::timeout,
             fmt::format("timed out after {} s: workers still waiting on a lock?", timeout_seconds),
             run.output);
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

// The part of Catch2's console output that explains failures, without the banner.
std::string failure_details(const std::string& output) {
    const auto first = output.find("----------");
    std::string details = first == std::string::npos ? output : output.substr(first);
    if (details.size() > 6000) details = details.substr(0, 6000) + "\n[... cut ...]";
    return details;
}

// The first "with message:" or expansion text of a Catch2 failure, as one line.
std::string first_failure_line(const std::string& output) {
    std::istringstream in(output);
    std::string line, found;
    bool take = false;
    while (std::getline(in, line)) {
        if (line.find("with message") != std::string::npos || line.find("due to unexpected exception") != std::string::npos ||
            line.find("due to a fatal error condition") != std::string::npos || line.find("with expansion") != std::string::npos) {
            take = true;
            found.clear();
            continue;
        }
        if (take) {
            if (line.find_first_not_of(' ') == std::string::npos) {
                if (!found.empty()) break;
                continue;
            }
            found += (found.empty() ? "" : " ") + line.substr(line.find_first_not_of(' '));
        }
    }
    return found;
}

check_result run_tests_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                             const lab_programs& programs) {
    check_result r = start_result(lab, spec);
    const int timeout = seconds_param(spec, "timeout", 60, context);
    const std::string tag = lab.tag() + spec.params.value("tag", fmt::format("[task{}]", spec.task));
    const fs::path program = stage_program(programs.release.tests, context, "release");
    const run_result run = run_sandboxed(base_request(context, {program.string(), tag, "--warn", "NoTests"}, timeout));
    if (abnormal_end(r, run, timeout)) return r;
    const auto summary = parse_catch_summary(run.output);
    if (!summary) {
        fail(r, check_status::error,
             fmt::format("the tests ended early without a result ({}): does your code call exit()?", run.status.describe()),
             run.output);
        return r;
    }
    if (run.output.find("fatal error condition") != std::string::npos) {
        fail(r, check_status::crashed, "crashed: " + first_failure_line(run.output), failure_details(run.output));
        return r;
    }
    if (summary->failed > 0 || !run.status.ok()) {
        std::string first = first_failure_line(run.output);
        fail(r, check_status::failed,
             fmt::format("{} of {} tests failed{}{}", summary->failed, summary->cases, first.empty() ? "" : ": ", first),
             failure_details(run.output));
        return r;
    }
    pass(r, fmt::format("{} tests passed", summary->cases));
    return r;
}

check_result run_race_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                            const lab_programs& programs) {
    check_result r = start_result(lab, spec);
    if (!programs.tsan.ok) {
        fail(r, check_status::error, "the ThreadSanitizer build failed", programs.tsan.errors);
        return r;
    }
    const int timeout = seconds_param(spec, "timeout", 120, context);
    const std::string tag = lab.tag() + spec.params.value("tag", fmt::format("[task{}]", spec.task));
    const fs::path program = stage_program(programs.tsan.tests, context, "tsan");
    // The kit's suppressions: races ThreadSanitizer reports inside the uninstrumented libstdc++.
    const fs::path suppressions = context.run_dir / "tsan.supp";
    fs::copy_file(context.root / "cmake" / "tsan.supp", suppressions, fs::copy_options::overwrite_existing);
    const run_result run = run_sandboxed(base_request(
        context, {program.string(), tag, "--warn", "NoTests"}, timeout,
        {"TSAN_OPTIONS=halt_on_error=1 exitcode=66 second_deadlock_stack=1 report_signal_unsafe=0 suppressions=" +
         suppressions.string()}));
    if (const auto race = parse_race_report(run.output)) {
        fail(r, check_status::failed, fmt::format("ThreadSanitizer saw a data race between {} and {}", race->first, race->second),
             run.output);
        return r;
    }
    if (abnormal_end(r, run, timeout)) return r;
    const auto summary = parse_catch_summary(run.output);
    if (!summary || summary->failed > 0) {
        fail(r, check_status::failed, "the tests for this task do not pass yet, so the race check cannot vouch for it",
             failure_details(run.output));
        return r;
    }
    pass(r, "no data race reported by ThreadSanitizer");
    return r;
}

check_result run_probe_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                             const lab_programs& programs) {
    check_result r = start_result(lab, spec);
    const std::string key = lab.name + "/" + spec.params.value("probe", spec.name);
    const auto found = probe_verifiers().find(key);
    if (found == probe_verifiers().end() || programs.release.probe.empty()) {
        fail(r, check_status::error, fmt::format("the grader has no probe '{}' (check the rubric)", key));
        return r;
    }
    const int timeout = seconds_param(spec, "timeout", 30, context);
    probe_call call = found->second.make_call ? found->second.make_call(spec, context) : probe_call{};
    std::vector<std::string> argv{stage_program(programs.release.probe, context, "release").string(), "check",
                                  spec.params.value("probe", spec.name), fmt::format("--seed={}", context.seed)};
    argv.insert(argv.end(), call.args.begin(), call.args.end());
    run_request request = base_request(context, argv, timeout);
    request.control_channel = true;
    const run_result run = run_sandboxed(request);
    if (abnormal_end(r, run, timeout)) return r;
    // The answer is the last line the probe wrote on its control channel.
    std::string answer_line = run.control;
    while (!answer_line.empty() && answer_line.back() == '\n') answer_line.pop_back();
    answer_line = answer_line.substr(answer_line.rfind('\n') == std::string::npos ? 0 : answer_line.rfind('\n') + 1);
    nlohmann::json answer;
    try {
        answer = nlohmann::json::parse(answer_line);
    } catch (const nlohmann::json::exception&) {
        fail(r, check_status::error,
             fmt::format("the code ended without an answer ({}): does it call exit()?", run.status.describe()), run.output);
        return r;
    }
    if (answer.contains("error")) {
        fail(r, check_status::failed, answer["error"].get<std::string>(), run.output);
        return r;
    }
    check_result verdict = found->second.verify(spec, answer, context);
    verdict.name = r.name;
    verdict.task = r.task;
    verdict.max_score = r.max_score;
    verdict.score = std::clamp(verdict.score, 0.0, 1.0) * r.max_score;  // verify gives a fraction
    if (verdict.hint.empty()) verdict.hint = r.hint;
    if (verdict.status != check_status::passed && verdict.details.empty()) verdict.details = run.output;
    return verdict;
}

check_result run_timing_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                              const lab_programs& programs) {
    check_result r = start_result(lab, spec);
    const auto needs = spec.params.value("needs_cores", 1);
    if (available_cpus() < static_cast<std::size_t>(needs)) {
        r.status = check_status::skipped;
        r.message = fmt::format("skipped: needs {} cores, this machine gives the grader {}", needs, available_cpus());
        r.max_score = 0;  // a skipped check neither gives nor takes points
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
            r.status = check_status::skipped;
            r.message = fmt::format("skipped: needs {} free cores, but only {:.1f} were free (another program is busy); "
                                    "grade again on a quieter machine to get this check",
                                    needs, free);
            r.max_score = 0;
            return r;
        }
    }
    const double threshold = spec.params.at("min_speedup").get<double>();
    const std::size_t batch = spec.params.value("pairs", 5);
    const std::size_t max_pairs = spec.params.value("max_pairs", 15);
    const int timeout = seconds_param(spec, "timeout", 20, context);
    const fs::path probe = stage_program(programs.release.probe, context, "release");
    const auto session_for = [&](const char* side) {
        const auto& run = spec.params.at(side);
        std::vector<std::string> argv{probe.string(), "time", run.at("probe").get<std::string>()};
        for (const auto& a : run.value("args", nlohmann::json::array())) argv.push_back(a.get<std::string>());
        argv.push_back(fmt::format("--seed={}", context.seed));
        return std::make_unique<sandbox_session>(base_request(context, argv, timeout * 100));
    };
    auto a = session_for("a");
    auto b = session_for("b");
    std::vector<double> speedups;
    const auto step = [&](sandbox_session& s, const char* side) -> std::optional<double> {
        const auto answer = s.go(std::chrono::seconds(timeout));
        if (answer && answer->line == "ok") return answer->seconds;
        const run_result ended = s.finish();
        if (!abnormal_end(r, ended, timeout)) {
            const std::string said = answer ? answer->line : "no answer";
            fail(r, check_status::error, fmt::format("the timed run ({}) failed: {}", side, said), ended.output);
        }
        if (r.status == check_status::timeout)
            r.message = fmt::format("timed out after {} s in the timed run ({})", timeout, side);
        return std::nullopt;
    };
    timing_verdict verdict = timing_verdict::undecided;
    while (speedups.size() < max_pairs && verdict == timing_verdict::undecided) {
        for (std::size_t i = 0; i < batch && speedups.size() < max_pairs; ++i) {
            const auto ta = step(*a, spec.params.at("a").value("label", "baseline").c_str());
            if (!ta) return r;
            const auto tb = step(*b, spec.params.at("b").value("label", "yours").c_str());
            if (!tb) return r;
            speedups.push_back(*ta / std::max(*tb, 1e-9));
        }
        verdict = decide_timing(speedups, threshold);
    }
    std::vector<double> sorted = speedups;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    const std::string a_label = spec.params.at("a").value("label", "baseline");
    const std::string b_label = spec.params.at("b").value("label", "yours");
    const std::string figures =
        fmt::format("{} is {:.2f}x faster than {} (median of {} alternating pairs; needed {:.2f}x)", b_label, median,
                    a_label, speedups.size(), threshold);
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

double free_cores(std::chrono::milliseconds window) {
    // Idle time of all CPUs over the window, from /proc/stat, in cores.
    const auto idle_and_total = [] {
        std::ifstream stat("/proc/stat");
        std::string cpu;
        unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
        stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
        return std::make_pair(idle + iowait, user + nice + system + idle + iowait + irq + softirq + steal);
    };
    const auto before = idle_and_total();
    std::this_thread::sleep_for(window);
    const auto after = idle_and_total();
    const auto total = after.second - before.second;
    if (total == 0) return static_cast<double>(available_cpus());
    const double idle_share = static_cast<double>(after.first - before.first) / static_cast<double>(total);
    return idle_share * static_cast<double>(std::thread::hardware_concurrency());
}

std::map<std::string, probe_verifier>& probe_verifiers() {
    static std::map<std::string, probe_verifier> verifiers;
    static const bool registered = [] {
        register_lab_verifiers(verifiers);
        return true;
    }();
    (void)registered;
    return verifiers;
}

std::optional<catch_summary> parse_catch_summary(const std::string& output) {
    static const std::regex all_passed(R"(All tests passed \(\d+ assertions? in (\d+) test cases?\))");
    static const std::regex mixed(R"(test cases:\s*(\d+)\s*\|\s*(?:(\d+) passed\s*\|\s*)?(\d+) failed)");
    std::smatch m;
    if (std::regex_search(output, m, mixed)) return catch_summary{std::stoi(m[1]), std::stoi(m[3])};
    if (std::regex_search(output, m, all_passed)) return catch_summary{std::stoi(m[1]), 0};
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> parse_race_report(const std::string& output) {
    const auto start = output.find("WARNING: ThreadSanitizer:");
    if (start == std::string::npos) return std::nullopt;
    // "  Write of size 8 at 0x... by thread T2:" followed by "    #0 function file:line:col (...)"
    static const std::regex access(R"(\n\s*((?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))[^\n]*?by ([^\n:]+):\n\s*#0 [^\n]*? ([^ \n:]+:\d+)(?::\d+)?)");
    std::vector<std::string> places;
    const std::string report = output.substr(start, 20000);
    for (auto it = std::sregex_iterator(report.begin(), report.end(), access); it != std::sregex_iterator() && places.size() < 2; ++it) {
        std::string file = (*it)[3];
        if (const auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
        std::string what = (*it)[1];
        std::transform(what.begin(), what.end(), what.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        places.push_back(fmt::format("{} ({} by {})", file, what, std::string((*it)[2])));
    }
    while (places.size() < 2) places.emplace_back("an unknown place (see the report)");
    return std::make_pair(places[0], places[1]);
}

timing_verdict decide_timing(const std::vector<double>& speedups, double threshold) {
    if (speedups.empty()) return timing_verdict::undecided;
    const auto reached = static_cast<std::size_t>(std::count_if(speedups.begin(), speedups.end(),
                                                                [&](double s) { return s >= threshold; }));
    const std::size_t n = speedups.size();
    if (3 * reached >= 2 * n) return timing_verdict::passed;
    if (3 * (n - reached) >= 2 * n) return timing_verdict::failed;
    return timing_verdict::undecided;
}

check_result run_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                       const lab_programs& programs) {
    if (!programs.release.ok) {
        check_result r = start_result(lab, spec);
        fail(r, check_status::error, "your code does not build", programs.release.errors);
        r.message = "your code does not build: " + programs.release.errors.substr(0, programs.release.errors.find('\n'));
        return r;
    }
    try {
        if (spec.type == "tests") return run_tests_check(context, lab, spec, programs);
        if (spec.type == "race") return run_race_check(context, lab, spec, programs);
        if (spec.type == "probe") return run_probe_check(context, lab, spec, programs);
        if (spec.type == "timing") return run_timing_check(context, lab, spec, programs);
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
