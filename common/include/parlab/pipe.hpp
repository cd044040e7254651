#pragma once
// Pipes between a parent and its forked children (like multiprocessing.Pipe, one way), with
// their file descriptors owned by small RAII objects.

namespace parlab {

/// One open file descriptor, closed by the destructor. Move-only; a moved-from or closed
/// unique_fd holds -1.
class unique_fd {
public:
    unique_fd() = default;
    /// Takes ownership of fd (-1 for none).
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept;
    unique_fd& operator=(unique_fd&& other) noexcept;
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd();

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Closes the descriptor now (nothing when there is none). Throws std::system_error when
    /// close() fails; the descriptor is released either way.
    void close();

private:
    int fd_ = -1;
};

/// The two ends of a pipe: bytes written to `write` come out of `read`, in order.
struct pipe_ends {
    unique_fd read;
    unique_fd write;
};

/// A new pipe (both ends close-on-exec). A child forked afterwards inherits both ends: each side
/// closes the end it does not use, so that the reader sees end-of-file once every writer has
/// closed. Throws std::system_error when pipe2 fails.
[[nodiscard]] pipe_ends make_pipe();

}  // namespace parlab
