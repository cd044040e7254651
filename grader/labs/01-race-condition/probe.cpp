// The grader's probe for lab 01: runs the student's balance functions on work drawn from the
// seed and reports the final balances. The grader knows what they should be.

#include "answers.hpp"
#include "bank.hpp"
#include "inputs.hpp"
#include "probe.hpp"

namespace {

using parlab::grader::lab01::balances_answer;

template <class Version>
std::function<nlohmann::json(const parlab::probe::arguments&)> balances(Version version) {
    return [version](const parlab::probe::arguments& args) {
        balances_answer answer;
        for (const auto& run : parlab::grader::seeded_balance_runs(args.number("seed"), args.number("runs", 5)))
            answer.results.push_back(version(run.initial, {run.deposits, run.withdrawals}));
        return nlohmann::json(answer);
    };
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["mutex-threads"] = balances(parlab::lab01::mutex_threads);
    table.checks["atomic-threads"] = balances(parlab::lab01::atomic_threads);
    table.checks["locked-processes"] = balances(parlab::lab01::locked_processes);
    table.checks["atomic-processes"] = balances(parlab::lab01::atomic_processes);
    return parlab::probe::run(argc, argv, table);
}
