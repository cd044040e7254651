// The grader's verifiers for lab 01: the final balances of runs drawn from the seed.

#include <fmt/format.h>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"

namespace parlab::grader {
namespace lab01_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
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

// What the workers' locking says about a wrong balance, when the probe could count it: nobody
// locked; only one side locked (which, by its count); or every lock was of a mutex in one
// process's private memory. Empty when the census shows none of these.
std::string lock_diagnosis(const balance_run& run, const lab01::lock_census& census, bool processes) {
    long total = 0, lockers = 0, single = 0;
    for (const long n : census.per_worker) {
        total += n;
        if (n > 0) {
            ++lockers;
            single = n;
        }
    }
    const auto deposits = static_cast<long>(run.deposits), withdrawals = static_cast<long>(run.withdrawals);
    if (total == 0) return "no worker took a lock: every update must be made while holding one";
    if (lockers == 1 && deposits != withdrawals && (single == deposits || single == withdrawals)) {
        const bool depositor = single == deposits;
        return fmt::format("only the {} took the lock ({} times, once per {}); the {} updated the balance without "
                           "it, and a lock excludes only workers that take it: lock around the {} too",
                           depositor ? "depositor" : "withdrawer", single, depositor ? "deposit" : "withdrawal",
                           depositor ? "withdrawer" : "depositor", depositor ? "withdrawals" : "deposits");
    }
    if (processes && census.in_private == total)
        return fmt::format("both processes locked ({} times in all), but each locked a mutex in its own private memory: "
                           "a std::mutex made before fork() is copied into each child, so each child locks its own copy "
                           "and excludes nobody. Use the kit's process_mutex, in the shared segment beside the balance",
                           total);
    return {};
}

probe_verdict verify_balances(const check_spec& spec, const lab01::balances_answer& answer, const verify_context& context) {
    const auto expected = seeded_balance_runs(context.seed, static_cast<std::size_t>(runs.of(spec)));
    if (answer.results.size() != expected.size()) return failed("the probe returned the wrong number of results");
    int wrong = 0;
    std::string first;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const long got = answer.results[i];
        if (got == expected[i].expected()) continue;
        if (wrong++ == 0) {
            std::string why;
            if (answer.locks.size() == expected.size())
                why = lock_diagnosis(expected[i], answer.locks[i], spec.name.find("processes") != std::string::npos);
            if (why.empty()) why = diagnosis(expected[i], got, spec.name);
            first = fmt::format("final balance {} instead of {} ({} deposits, {} withdrawals from {}): {}", got,
                                expected[i].expected(), expected[i].deposits, expected[i].withdrawals, expected[i].initial,
                                why);
        }
    }
    if (wrong == 0) return passed(fmt::format("the right balance in all {} runs", expected.size()));
    return failed(fmt::format("wrong in {} of {} runs; the first: {}", wrong, expected.size(), first));
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    for (const char* name : {"mutex-threads", "atomic-threads", "locked-processes", "atomic-processes"}) {
        probe_verifier v = typed_verifier<lab01::balances_answer>(verify_balances, {runs.declare()});
        v.make_call = [](const check_spec& spec, const grading_context&) {
            return probe_call{{fmt::format("--runs={}", runs.of(spec))}};
        };
        lab.probes[name] = std::move(v);
    }
}

}  // namespace lab01_checks
}  // namespace parlab::grader
