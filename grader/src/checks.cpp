// Running one rubric check: the dispatch to its kind (checks/probe.cpp, race.cpp, timing.cpp; a
// manual check is marked by hand, marks.hpp) and what a build failure or a hang at start-up means
// for the lab's other checks.
#include "checks.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <variant>

#include "checks/support.hpp"
#include "marks.hpp"

namespace parlab::grader {
namespace {

using checking::fail;

check_result run_check_untimed(const grading_context& context, const lab_info& lab, const check_spec& spec,
                               const lab_programs& programs, lab_state& state);

}  // namespace

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

namespace {

// One lambda per kind of check, for std::visit.
template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

check_result run_check_untimed(const grading_context& context, const lab_info& lab, const check_spec& spec,
                               const lab_programs& programs, lab_state& state) {
    if (spec.as<manual_kind>() != nullptr) return manual_result(lab, spec, nullptr);  // the instructor marks it (batch --marks)
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
        return std::visit(
            overloaded{[&](const probe_kind& probe) {
                           check_result r = checking::run_probe_check(context, lab, spec, probe, programs, state);
                           if (r.status != check_status::passed) {
                               state.failed_tasks.insert(spec.task);
                               state.failed_checks.insert(spec.name);
                           }
                           return r;
                       },
                       [&](const race_kind& race) { return checking::run_race_check(context, lab, spec, race, programs, state); },
                       [&](const timing_kind& timing) {
                           return checking::run_timing_check(context, lab, spec, timing, programs, state);
                       },
                       [&](const manual_kind&) { return manual_result(lab, spec, nullptr); }},
            spec.kind);
    } catch (const std::exception& error) {
        check_result r = start_result(lab, spec);
        fail(r, check_status::error, fmt::format("the grader could not run this check: {}", error.what()));
        return r;
    }
}

}  // namespace

}  // namespace parlab::grader
