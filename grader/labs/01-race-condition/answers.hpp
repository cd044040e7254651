#pragma once
// Lab 01's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction.

#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab01 {

/// Who locked what during one run (mutex-threads and locked-processes): the lock acquisitions of
/// each worker thread or process (the caller's own excluded), and how many of them were of a
/// mutex in private memory (one fork() copies, so no other process sees it). Empty when the
/// probe cannot count (a sanitizer build).
struct lock_census {
    std::vector<long> per_worker;
    long in_private = 0;
};
PARLAB_JSON_FIELDS(lock_census, per_worker, in_private)

/// mutex-threads, atomic-threads, locked-processes, atomic-processes: the final balance of each
/// run of seeded_balance_runs(seed, runs), in order, and for the lock-based ones the lock census
/// of each run.
struct balances_answer {
    std::vector<long> results;
    std::vector<lock_census> locks;
};
PARLAB_JSON_OPTIONAL(balances_answer, results, locks)

}  // namespace parlab::grader::lab01
