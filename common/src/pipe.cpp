#include "parlab/pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "parlab/system_error.hpp"

namespace parlab {

unique_fd::unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

unique_fd::~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
}

void unique_fd::close() {
    if (fd_ < 0) return;
    // Linux releases the descriptor even when close() fails (EINTR included): never retry.
    if (::close(std::exchange(fd_, -1)) != 0) detail::throw_errno("cannot close a file descriptor");
}

pipe_ends make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) detail::throw_errno("cannot make a pipe");
    return {unique_fd(fds[0]), unique_fd(fds[1])};
}

}  // namespace parlab
