#pragma once
// How busy the machine is, from /proc: time limits grow with its load, and timing checks watch
// what other programs take while they time.

#include <chrono>

namespace parlab::grader {

/// How many times busier than its CPUs the machine is (the 1-minute load average over the CPUs;
/// 1 when idle, at most 4): time limits grow with it, so a correct program on a loaded machine
/// is not taken for a hung one.
[[nodiscard]] double load_factor();

/// How many cores were idle during `window` (from /proc/stat): the machine's free capacity.
[[nodiscard]] double free_cores(std::chrono::milliseconds window);

/// Processor time all CPUs of the machine have spent busy so far, in seconds (from /proc/stat:
/// everything but idle and I/O wait; "steal", time a virtual machine's host gave to others,
/// included).
[[nodiscard]] double machine_busy_seconds();

/// Processor time the calling thread has used so far, seconds: the part of machine_busy_seconds
/// that a timing check spends itself (finding the processes of a run to pause), no other program's.
[[nodiscard]] double this_thread_cpu_seconds();

/// A timed pair counts only when other programs took at most this many cores, on average, while
/// either of its runs was timed: more, and a speedup looks smaller than the code makes it.
inline constexpr double busy_core_limit = 0.5;

}  // namespace parlab::grader
