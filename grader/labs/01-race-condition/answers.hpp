#pragma once
// Lab 01's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction.

#include <vector>

#include <nlohmann/json.hpp>

namespace parlab::grader::lab01 {

/// mutex-threads, atomic-threads, locked-processes, atomic-processes: the final balance of each
/// run of seeded_balance_runs(seed, runs), in order.
struct balances_answer {
    std::vector<long> results;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(balances_answer, results)

}  // namespace parlab::grader::lab01
