// ./parlab pipefacts: measures, on this machine, what lab 05's hints and lab 07's README say about
// pipes, so that no sentence there rests on memory:
//   - how many bytes (and doubles) a new pipe holds before a writer waits;
//   - what one blocking write() of a message bigger than that returns with a slow reader, first
//     with no signal, then with a signal handler (installed without SA_RESTART) running while it
//     waits.
// It uses no student code.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

void on_signal(int) {}

// The bytes a new, empty pipe takes before a write would block.
long pipe_capacity() {
    int ends[2];
    if (::pipe2(ends, O_NONBLOCK) != 0) return -1;
    const long reported = ::fcntl(ends[1], F_GETPIPE_SZ);
    long taken = 0;
    const char chunk[4096] = {};
    for (ssize_t n; (n = ::write(ends[1], chunk, sizeof chunk)) > 0;) taken += n;
    ::close(ends[0]);
    ::close(ends[1]);
    return taken == reported ? taken : -taken;
}

// One blocking write() of `bytes` bytes to a pipe whose reader starts 0.2 s late and then reads
// slowly; with `interrupt`, a SIGUSR1 with a handler arrives 0.1 s into the write.
void one_write(std::size_t bytes, bool interrupt) {
    int ends[2];
    if (::pipe(ends) != 0) return;
    const pid_t reader = ::fork();
    if (reader == 0) {
        ::close(ends[1]);
        ::usleep(200000);
        char chunk[4096];
        while (::read(ends[0], chunk, sizeof chunk) > 0) ::usleep(50);
        ::_exit(0);
    }
    ::close(ends[0]);
    struct sigaction action {};
    action.sa_handler = on_signal;  // no SA_RESTART: an interrupted call returns
    ::sigaction(SIGUSR1, &action, nullptr);
    pid_t signaller = -1;
    if (interrupt) {
        const pid_t self = ::getpid();
        signaller = ::fork();
        if (signaller == 0) {
            ::usleep(100000);
            ::kill(self, SIGUSR1);
            ::_exit(0);
        }
    }
    const std::vector<char> message(bytes, 'x');
    const ssize_t n = ::write(ends[1], message.data(), message.size());
    const int error = errno;
    ::close(ends[1]);
    while (::wait(nullptr) > 0) {
    }
    if (n < 0)
        std::printf("  %-44s failed: %s\n", interrupt ? "with a signal handler running meanwhile:" : "with no signal:",
                    std::strerror(error));
    else
        std::printf("  %-44s returned %zd of %zu bytes\n",
                    interrupt ? "with a signal handler running meanwhile:" : "with no signal:", n, bytes);
}

}  // namespace

int main() {
    const long capacity = pipe_capacity();
    if (capacity > 0)
        std::printf("a new pipe holds %ld bytes before a writer waits: %ld doubles\n", capacity,
                    capacity / static_cast<long>(sizeof(double)));
    else
        std::printf("a new pipe took %ld bytes before it was full\n", -capacity);
    constexpr std::size_t bytes = 800000;
    std::printf("one blocking write() of %zu bytes, the reader 0.2 s late:\n", bytes);
    one_write(bytes, false);
    one_write(bytes, true);
    return 0;
}
