// The grader's verifiers for lab 01: the final balances of runs drawn from the seed.

#include <fmt/format.h>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"

namespace parlab::grader {
namespace {

/// How many runs of the bank a check makes (rubric key "runs").
const probe_param<int> runs{"runs", 5};

probe_verdict verify_balances(const check_spec& spec, const lab01::balances_answer& answer, const verify_context& context) {
    const auto expected = seeded_balance_runs(context.seed, static_cast<std::size_t>(runs.of(spec)));
    if (answer.results.size() != expected.size()) return failed("the probe returned the wrong number of results");
    int wrong = 0;
    std::string first;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const long got = answer.results[i];
        if (got == expected[i].expected()) continue;
        if (wrong++ == 0)
            first = fmt::format("final balance {} instead of {} ({} deposits, {} withdrawals from {})", got,
                                expected[i].expected(), expected[i].deposits, expected[i].withdrawals, expected[i].initial);
    }
    if (wrong == 0) return passed(fmt::format("the right balance in all {} runs", expected.size()));
    return failed(fmt::format("{}; wrong in {} of {} runs: updates were lost", first, wrong, expected.size()));
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
