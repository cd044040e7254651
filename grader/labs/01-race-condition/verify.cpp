// The grader's verifiers for lab 01: the final balances of runs drawn from the seed.

#include <fmt/format.h>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"

namespace parlab::grader {
namespace {

/// How many runs of the bank a check makes (rubric key "runs").
const probe_param<int> runs{"runs", 5};

// What a wrong final balance says about the mistake, in the student's terms: the classic ones
// leave a mark (no update arrived at all; every update of one worker overwritten).
std::string diagnosis(const balance_run& run, long got, const std::string& check) {
    const bool processes = check.find("processes") != std::string::npos;
    const bool atomic = check.find("atomic") != std::string::npos;
    if (got == run.initial && run.deposits != run.withdrawals)
        return processes ? "the balance the caller sees never changed: the workers updated copies of it. After fork() "
                           "each process writes its own private memory; the balance must live in the shared segment"
                         : "the balance never changed: the workers' updates never reached it";
    const bool deposits_lost = got == run.initial - static_cast<long>(run.withdrawals);
    const bool withdrawals_lost = got == run.initial + static_cast<long>(run.deposits);
    if (deposits_lost || withdrawals_lost) {
        std::string text = fmt::format("every {} was lost, overwritten by the other worker: ", deposits_lost ? "deposit" : "withdrawal");
        if (atomic) return text + "a load followed by a store is two steps, so use one read-modify-write (fetch_add)";
        if (processes)
            return text + "the two workers do not exclude each other. A lock both sides take excludes nobody if each "
                          "process has its own copy (a std::mutex made before fork() is copied): use the kit's "
                          "process_mutex in the shared segment";
        return text + "do both workers take the same lock around every update, deposits and withdrawals alike?";
    }
    return atomic ? "updates were lost: is every update one atomic read-modify-write?"
                  : "updates were lost: is every update made while holding a lock both workers share?";
}

probe_verdict verify_balances(const check_spec& spec, const lab01::balances_answer& answer, const verify_context& context) {
    const auto expected = seeded_balance_runs(context.seed, static_cast<std::size_t>(runs.of(spec)));
    if (answer.results.size() != expected.size()) return failed("the probe returned the wrong number of results");
    int wrong = 0;
    std::string first;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const long got = answer.results[i];
        if (got == expected[i].expected()) continue;
        if (wrong++ == 0)
            first = fmt::format("final balance {} instead of {} ({} deposits, {} withdrawals from {}): {}", got,
                                expected[i].expected(), expected[i].deposits, expected[i].withdrawals, expected[i].initial,
                                diagnosis(expected[i], got, spec.name));
    }
    if (wrong == 0) return passed(fmt::format("the right balance in all {} runs", expected.size()));
    return failed(fmt::format("wrong in {} of {} runs; the first: {}", wrong, expected.size(), first));
}

}  // namespace

void register_lab_01_race_condition(lab_registry& registry) {
    auto& lab = registry.lab("race-condition");
    for (const char* name : {"mutex-threads", "atomic-threads", "locked-processes", "atomic-processes"}) {
        probe_verifier v = typed_verifier<lab01::balances_answer>(verify_balances, {runs.declare()});
        v.make_call = [](const check_spec& spec, const grading_context&) {
            return probe_call{{fmt::format("--runs={}", runs.of(spec))}};
        };
        lab.probes[name] = std::move(v);
    }
}

}  // namespace parlab::grader
