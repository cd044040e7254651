#pragma once
// You do not need to modify this file.
//
// Pipes that behave as real ones may, for the tests of task 1 (messages-test.cpp) and the
// grader's probe of this lab alike: bytes that arrive a few at a time, with a signal between the
// pieces that interrupts a blocked read() or write(), and a pipe that already holds a whole
// stream.

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/pipe.hpp"
#include "parlab/process.hpp"

namespace parlab::lab07::slow_pipes {

/// While it lives, SIGUSR1 is handled without SA_RESTART: a read() or write() blocked when the
/// signal arrives fails with EINTR instead of going on by itself, and code that does not retry
/// loses its place. The previous handling comes back when it ends.
class interrupting_signal {
public:
    interrupting_signal() {
        struct sigaction action {};
        action.sa_handler = [](int) {};
        ::sigemptyset(&action.sa_mask);
        action.sa_flags = 0;
        ::sigaction(SIGUSR1, &action, &old_);
    }
    ~interrupting_signal() { ::sigaction(SIGUSR1, &old_, nullptr); }
    interrupting_signal(const interrupting_signal&) = delete;
    interrupting_signal& operator=(const interrupting_signal&) = delete;

private:
    struct sigaction old_ {};
};

/// Waits until the reader has taken every byte written to the pipe of `fd` (its write end), so
/// that the next piece cannot join the last one in a single read(). Gives up after two seconds, or
/// at once when the read end is closed (the write that follows then fails).
inline void wait_until_drained(int fd) {
    for (int waited_ms = 0; waited_ms < 2000; ++waited_ms) {
        int unread = 0;
        if (::ioctl(fd, FIONREAD, &unread) != 0 || unread == 0) return;
        pollfd end{fd, 0, 0};  // no event asked: poll() sleeps 1 ms unless the read end is closed (POLLERR)
        if (::poll(&end, 1, 1) > 0) return;
    }
}

/// Writes all of `bytes` to `fd` in growing pieces (1, 7, 31, ... bytes), each once the reader
/// has taken the one before: every read() of the reader gets at most one piece, however the two
/// are scheduled (a reader held up while several pieces were written would get them at once, and
/// a single read() could then be right by luck). Between two pieces it sends SIGUSR1 to `reader`,
/// which by then waits in read() on an empty pipe: that read() fails with EINTR when the reader
/// holds an interrupting_signal. Throws std::runtime_error when a write fails.
inline void dribble(int fd, const std::vector<char>& bytes, pid_t reader) {
    std::size_t done = 0, piece = 1;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, std::min(piece, bytes.size() - done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("the slow writer could not write");
        done += static_cast<std::size_t>(n);
        piece = piece * 4 + 3;
        if (done == bytes.size()) break;  // the last piece: no read() after it to interrupt
        wait_until_drained(fd);
        ::usleep(200);  // time for the reader to call read() again
        ::kill(reader, SIGUSR1);
        ::usleep(300);
    }
}

/// A child that dribbles `bytes` into `ends.write` for this process, which reads them from
/// `ends.read`. This process's write end is closed on return, so the stream ends when the child
/// is done; close `ends.read` before joining the child if the reading stops early.
inline parlab::process start_slow_writer(parlab::pipe_ends& ends, const std::vector<char>& bytes) {
    const pid_t reader = ::getpid();
    parlab::process writer = parlab::process::start([&ends, &bytes, reader] {
        ends.read.close();
        dribble(ends.write.get(), bytes, reader);
    });
    ends.write.close();
    return writer;
}

/// A pipe that already holds the whole of `bytes`, with its write end closed: a reader gets them
/// and then the end of the stream. For short streams: a pipe holds 64 KiB, and a longer write
/// would wait for a reader. Throws std::runtime_error when the write fails.
inline parlab::pipe_ends filled_pipe(const std::vector<char>& bytes) {
    parlab::pipe_ends ends = parlab::make_pipe();
    if (!bytes.empty() && ::write(ends.write.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()))
        throw std::runtime_error("could not fill the pipe with " + std::to_string(bytes.size()) + " bytes");
    ends.write.close();
    return ends;
}

}  // namespace parlab::lab07::slow_pipes
