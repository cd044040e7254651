// A race check: the probe run again under ThreadSanitizer, with a race of the grader's own
// planted after the student's code so that a sanitizer switched off or hidden is seen.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "scratch_dir.hpp"
#include "support.hpp"

namespace parlab::grader::checking {
namespace fs = std::filesystem;
namespace {

// Everything the files of folder `dir` hold.
std::string read_all_files(const fs::path& dir) {
    std::string text;
    for (const auto& entry : fs::directory_iterator(dir)) text += read_text(entry.path());
    return text;
}

}  // namespace

check_result run_race_check(const grading_context& context, const lab_info& lab, const check_spec& spec,
                            const race_kind& kind, const lab_programs& programs, lab_state& state) {
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
    const std::string& probe = kind.probe;
    const probe_verifier* verifier = verifier_for(lab, kind, programs.tsan, r);
    if (verifier == nullptr) return r;
    const int timeout = timeout_seconds(spec, 120, context);
    // The kit's suppressions: races ThreadSanitizer reports inside the uninstrumented libstdc++.
    const fs::path suppressions = context.run_dir / "tsan.supp";
    fs::copy_file(context.root / "cmake" / "tsan.supp", suppressions, fs::copy_options::overwrite_existing);
    probe_call call = verifier->make_call ? verifier->make_call(spec, context) : probe_call{};
    call.args.emplace_back("--canary");
    // ThreadSanitizer writes its reports into a file the grader made, in a folder the run cannot
    // change: what the program prints (a report of its own making, say) is never read as one,
    // and redirecting its own stderr hides nothing.
    // A folder for files the runs write but must not remove or replace: the grader's, searchable by
    // everyone, writable by it alone.
    const scratch_dir reports_dir("parlab-reports", fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    const probe_outcome out = run_probe(context, stage_program(programs.tsan.probe, graded_place(context), "tsan"), probe, call.args,
                                        timeout, {"TSAN_OPTIONS=" + tsan_options(suppressions, (reports_dir.path() / "tsan").string())},
                                        memory_limit(spec, tsan_memory_factor), reports_dir.path() / "tsan");
    const auto reports = parse_race_reports(read_all_files(reports_dir.path()));
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

}  // namespace parlab::grader::checking
