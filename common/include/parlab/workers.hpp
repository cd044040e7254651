#pragma once
// How many workers to use by default.

#include <cstddef>
#include <optional>
#include <string_view>

namespace parlab {

/// The number of CPUs this process may run on: its affinity mask, not the machine's total, and
/// no more than its CPU quota (a container limited to half a CPU gets 1).
[[nodiscard]] std::size_t available_cpus();

/// The CPU quota of this process's control group in CPUs (0.5 for half a CPU), if it has one.
[[nodiscard]] std::optional<double> cpu_quota();

/// PARLAB_WORKERS when it is set, otherwise available_cpus(). Throws std::invalid_argument
/// naming the variable when PARLAB_WORKERS is not a positive integer.
[[nodiscard]] std::size_t default_workers();

/// Parses a positive integer such as a worker count, at most `most`. Throws std::invalid_argument
/// whose message names `what` and quotes `text` when it is empty, not a number, zero, negative or
/// above `most`.
[[nodiscard]] std::size_t parse_positive(std::string_view text, std::string_view what, std::size_t most = 4096);

}  // namespace parlab
