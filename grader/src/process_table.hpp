#pragma once
// The live processes of a run, read from /proc: what they have used and, for a run that ran out
// of time, what each of them was waiting for in the kernel, so that a hang is reported as "the
// caller waits for a child to end while the child writes into a full pipe" rather than guessed.

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parlab::grader {

/// Calls fn(pid, fields) for every process in /proc, with the fields of its /proc/PID/stat after
/// the command name ("S 1 123 ...").
void for_each_process(const std::function<void(pid_t, const char*)>& fn);

/// Processor time (user + system, seconds) used so far by the live processes of group `pgid`
/// and by the children they reaped.
[[nodiscard]] double group_cpu_seconds(pid_t pgid);

/// The live processes of the run whose first process is `root` (the leader of its own process
/// group): the group's and every process descended from `root`; a process that left the group
/// (setsid) is still the run's, below the first process of its pid namespace. Without a pid
/// namespace such an orphan becomes a child of the grader (a subreaper): when the run has a user
/// of its own, the grader's children of that user that are not the first process of another run
/// (`other_runs`) are the run's too, with what descends from them.
[[nodiscard]] std::vector<pid_t> run_processes(pid_t root, std::optional<uid_t> own_user,
                                               const std::vector<pid_t>& other_runs = {});

/// Processor time used so far by run_processes(root, own_user, other_runs) and by the children
/// they reaped.
[[nodiscard]] double run_cpu_seconds(pid_t root, std::optional<uid_t> own_user,
                                      const std::vector<pid_t>& other_runs = {});

/// What a thread whose kernel wait channel (/proc/PID/task/TID/wchan) is `wchan` waits for, in
/// words a student knows ("writing into a full pipe"); empty for a running thread or a channel
/// the kit does not know.
[[nodiscard]] std::string_view waiting_for(std::string_view wchan);

/// What the live processes of group `pgid` (bubblewrap's own left out) wait for, most common
/// first: "1 process waiting for a child process to end (waitpid), 2 writing into a full pipe";
/// empty when none could be read (the kernel hides wait channels from this user, say).
[[nodiscard]] std::string describe_blocked(pid_t pgid);

/// Every thread of every live process of group `pgid` (bubblewrap's own left out) sleeps in a
/// wait that only another process can end and that has no time limit of its own: reading an
/// empty pipe, writing into a full one, waiting for a child to end. Nothing outside the group
/// holds the other end of those pipes, so such a group stays as it is for good. False when a wait
/// channel cannot be read, or some thread runs, sleeps with a timeout, or waits on a futex (a
/// futex wait may have a time limit, which /proc does not show).
[[nodiscard]] bool blocked_on_each_other(pid_t pgid);

}  // namespace parlab::grader
