#pragma once
// Helpers for turning failed POSIX calls into exceptions. Part of parlab::common.

#include <cerrno>
#include <string>
#include <system_error>

namespace parlab::detail {

/// Throws std::system_error for the current errno, with `what` naming the failed operation.
[[noreturn]] inline void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

/// Calls `call()` again while it fails with EINTR; returns its last result.
template <class Call>
auto retry_on_eintr(Call&& call) {
    auto result = call();
    while (result == -1 && errno == EINTR) result = call();
    return result;
}

}  // namespace parlab::detail
