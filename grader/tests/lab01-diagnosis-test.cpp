// Lab 01's verifier names the classic mistakes from the probe's lock census: nobody locks, only
// one side locks, each process locks its own private copy of a mutex.

#include <string>

#include "../labs/01-race-condition/answers.hpp"
#include "../labs/01-race-condition/inputs.hpp"
#include "lab_api.hpp"
#include "model.hpp"
#include "parlab/testing.hpp"

using namespace parlab::grader;
using parlab::testing::contains;

namespace {

// The verdict of `check` on wrong balances (one short of right in every run) with `census`
// given for every run as the census maker builds it from the run.
template <class Census>
probe_verdict judge(const std::string& check, Census make_census) {
    verify_context context;
    context.seed = 77;
    lab01::balances_answer answer;
    for (const auto& run : seeded_balance_runs(context.seed, 5)) {
        answer.results.push_back(run.expected() - 1);
        answer.locks.push_back(make_census(run));
    }
    const probe_verifier* verifier = all_labs().probe("01-race-condition", check);
    REQUIRE(verifier != nullptr);
    const check_spec spec = parse_check({{"name", check}, {"task", 1}, {"points", 10}, {"type", "probe"}, {"runs", 5}},
                                        "01-race-condition", "test rubric");
    return verifier->verify(spec, nlohmann::json(answer), context);
}

}  // namespace

TEST_CASE("lab 01: a wrong balance names the locking mistake", "[grader][lab01]") {
    const auto nobody = judge("mutex-threads", [](const balance_run&) { return lab01::lock_census{{}, 0}; });
    CHECK_FALSE(nobody.passed);
    CHECK_THAT(nobody.message, contains("no worker took a lock"));

    const auto deposits_only = judge("mutex-threads", [](const balance_run& run) {
        return lab01::lock_census{{static_cast<long>(run.deposits), 0}, 0};
    });
    CHECK_THAT(deposits_only.message, contains("only the depositor took the lock"));
    CHECK_THAT(deposits_only.message, contains("lock around the withdrawals too"));

    const auto withdrawals_only = judge("mutex-threads", [](const balance_run& run) {
        return lab01::lock_census{{0, static_cast<long>(run.withdrawals)}, 0};
    });
    CHECK_THAT(withdrawals_only.message, contains("only the withdrawer took the lock"));

    const auto private_copies = judge("locked-processes", [](const balance_run& run) {
        const auto d = static_cast<long>(run.deposits), w = static_cast<long>(run.withdrawals);
        return lab01::lock_census{{d, w}, d + w};
    });
    CHECK_THAT(private_copies.message, contains("each locked a mutex in its own private memory"));

    // Both sides locking a shared mutex, yet a wrong balance: no named mistake, the general text.
    const auto shared = judge("locked-processes", [](const balance_run& run) {
        return lab01::lock_census{{static_cast<long>(run.deposits), static_cast<long>(run.withdrawals)}, 0};
    });
    CHECK_THAT(shared.message, contains("updates were lost"));
    CHECK_THAT(shared.message, !contains("private memory"));
}
