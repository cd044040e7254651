#pragma once
// What sandbox.cpp's one-shot runs and sandbox_session.cpp's long-lived ones share: starting a
// program under a request's limits and reading what it writes. Internal to those two files.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "memory_group.hpp"
#include "sandbox.hpp"

namespace parlab::grader::sandbox_detail {

/// The grader's ends of a run's pipes: output (stdout and stderr), control (fd 3) and command
/// (fd 4), -1 where there is none.
struct child_fds {
    int output = -1, control = -1, command = -1;
};

/// The process groups of the sessions alive now, which kill_leftover_children spares.
std::vector<pid_t>& live_sessions();

/// Forks and execs the request's program (inside bubblewrap when `isolated`), in a memory group
/// when `memory` is given; the child is a process-group leader.
pid_t spawn(const run_request& request, child_fds& fds, bool isolated, const memory_group* memory);

/// Reads what is ready on the non-blocking `fd` into `sink` (up to `cap` bytes kept, `total`
/// counts them all); false at end of file (`at_end` then set) or when nothing is ready.
bool drain(int fd, std::string& sink, std::size_t cap, std::size_t& total, bool* at_end = nullptr);

/// SIGKILL to every process of group `pgid`.
void kill_group(pid_t pgid);

/// The run's exit status from waitpid's, seen through bubblewrap when `isolated`.
exit_status status_of(int wait_status, bool isolated);

/// The user the request runs as, if it names one.
std::optional<std::pair<uid_t, gid_t>> run_as_of(const run_request& request);

/// Whether the request runs in namespaces of its own on this machine.
bool isolated(const run_request& request);

/// The run's memory group, when it has a limit and groups can be made here.
std::unique_ptr<memory_group> memory_group_for(const run_request& request);

}  // namespace parlab::grader::sandbox_detail
