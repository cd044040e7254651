#pragma once
// You do not need to modify this file.
//
// A worker that dies while it waits for work, run the same way by the tests of task 1
// (worker-pool-test.cpp) and by the grader's probe of this lab.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "worker_pool.hpp"

namespace parlab::lab06::scenarios {

/// How kill_an_idle_worker() ended when it returned.
enum class idle_death_end {
    replaced,         ///< the second map ran its 4 tasks in live workers
    ran_in_caller,    ///< the first map did not run its tasks in workers
    dead_worker_used  ///< the second map did not give 4 values from live workers
};

/// A pool of 2 maps 2 tasks (one per worker: each returns its process id), then its first worker
/// is killed while idle and left unreaped for the pool, and the pool maps 4 more tasks. The pool
/// must notice the death and replace the worker. Writing to the dead worker's pipe raises SIGPIPE,
/// which ends the whole program unless the pool expects it (README, "What happens on failure"):
/// call this in a child of its own, under a time limit (parlab::call_with_time_limit).
inline idle_death_end kill_an_idle_worker() {
    const auto own_pid = [](std::size_t) { return static_cast<double>(::getpid()); };
    process_pool pool(2, own_pid);
    const auto first = pool.map(2);
    if (first.size() != 2 || static_cast<pid_t>(first[0]) == ::getpid()) return idle_death_end::ran_in_caller;
    const auto victim = static_cast<pid_t>(first[0]);
    ::kill(victim, SIGKILL);
    siginfo_t info{};
    ::waitid(P_PID, static_cast<id_t>(victim), &info, WEXITED | WNOWAIT);  // dead, left for the pool
    const auto again = pool.map(4);
    const bool replaced =
        again.size() == 4 && std::find(again.begin(), again.end(), static_cast<double>(victim)) == again.end();
    return replaced ? idle_death_end::replaced : idle_death_end::dead_worker_used;
}

/// What an end of kill_an_idle_worker() says about the pool.
inline const char* describe(idle_death_end end) {
    switch (end) {
    case idle_death_end::replaced: return "replaced the dead worker";
    case idle_death_end::ran_in_caller: return "the first map did not run its tasks in workers";
    case idle_death_end::dead_worker_used: return "the second map did not give 4 values from live workers";
    }
    return "?";
}

}  // namespace parlab::lab06::scenarios
