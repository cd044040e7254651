// ./parlab pipefacts: measures, on this machine, what lab 05's hints and lab 07's README say about
// pipes, so that no sentence there rests on memory:
//   - how many bytes (and doubles) a new pipe holds before a writer waits;
//   - what one blocking write() of a message bigger than that returns with a slow reader, first
//     with no signal, then with a signal handler (installed without SA_RESTART) running while it
//     waits;
//   - PIPE_BUF, and what happens when several processes write records to one pipe with one write()
//     each: records of at most PIPE_BUF bytes, then larger ones, each checked by the reader.
// It uses no student code.

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
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

// Records that `writers` processes wrote to one pipe, and how many of them the reader found torn.
struct shared_pipe_count {
    std::size_t records = 0;
    std::size_t torn = 0;
};

// `writers` processes each write `records` records of `record_bytes` bytes to one pipe, every byte
// of a record its writer's id, one write() per record, all starting at once. The reader reads the
// stream back in record-sized pieces and counts the pieces that hold more than one writer's bytes.
shared_pipe_count several_writers(std::size_t writers, std::size_t records, std::size_t record_bytes) {
    int data[2], start[2];
    if (::pipe(data) != 0) throw std::runtime_error("cannot make a pipe");
    if (::pipe(start) != 0) throw std::runtime_error("cannot make a pipe");
    std::vector<pid_t> children;
    for (std::size_t w = 0; w < writers; ++w) {
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("cannot fork");
        if (pid == 0) {
            ::close(data[0]);
            ::close(start[1]);
            char go;
            while (::read(start[0], &go, 1) < 0 && errno == EINTR) {
            }  // end-of-file: the parent closed its end, every writer goes at once
            const std::vector<char> record(record_bytes, static_cast<char>('A' + w));
            for (std::size_t r = 0; r < records; ++r)
                if (::write(data[1], record.data(), record.size()) != static_cast<ssize_t>(record.size())) ::_exit(3);
            ::_exit(0);
        }
        children.push_back(pid);
    }
    ::close(data[1]);
    ::close(start[0]);
    ::close(start[1]);
    // Read back through stdio: fread() gathers a record from as many read()s as it takes (task 1
    // asks you to write that loop yourself, on the bare file descriptor, in read_full).
    std::FILE* stream = ::fdopen(data[0], "rb");
    if (stream == nullptr) throw std::runtime_error("cannot read the pipe through stdio");
    shared_pipe_count count;
    std::vector<char> piece(record_bytes);
    for (;;) {
        const std::size_t got = std::fread(piece.data(), 1, record_bytes, stream);
        if (got == 0) break;
        if (got < record_bytes) throw std::runtime_error("the stream ended inside a record");
        ++count.records;
        if (std::any_of(piece.begin(), piece.end(), [&](char c) { return c != piece[0]; })) ++count.torn;
    }
    std::fclose(stream);
    bool writers_ok = true;
    for (const pid_t pid : children) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        writers_ok = writers_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    if (!writers_ok) throw std::runtime_error("a writer failed (a short write?)");
    if (count.records != writers * records)
        throw std::runtime_error("read " + std::to_string(count.records) + " records, expected " +
                                 std::to_string(writers * records));
    return count;
}

void several_writers_facts(std::size_t pipe_holds) {
    int ends[2];
    if (::pipe(ends) != 0) throw std::runtime_error("cannot make a pipe");
    const long pipe_buf = ::fpathconf(ends[1], _PC_PIPE_BUF);
    ::close(ends[0]);
    ::close(ends[1]);
    if (pipe_buf <= 0) throw std::runtime_error("fpathconf(_PC_PIPE_BUF) failed");
    std::printf("PIPE_BUF for a pipe here is %ld bytes (fpathconf; <limits.h> says %d). POSIX promises that a\n"
                "write() of at most that many bytes to a pipe goes in whole, never mixed with another writer's\n"
                "bytes; a larger one may be split, and other writers' bytes may land between its pieces.\n",
                pipe_buf, PIPE_BUF);
    constexpr std::size_t writers = 4;
    std::printf("%zu processes write records to one pipe, one write() per record, every byte of a record its\n"
                "writer's id; the reader checks each record-sized piece it reads:\n",
                writers);
    const auto small = static_cast<std::size_t>(pipe_buf);
    struct trial {
        std::size_t bytes, records;
        const char* what;
    };
    for (const trial& t : {trial{small, 2000, "(PIPE_BUF)"}, trial{4 * small, 500, "(4 x PIPE_BUF)"},
                           trial{2 * pipe_holds, 100, "(twice what a new pipe holds)"}}) {
        const shared_pipe_count c = several_writers(writers, t.records, t.bytes);
        std::printf("  records of %7zu bytes %-32s %5zu of %5zu held more than one writer's bytes\n", t.bytes, t.what, c.torn,
                    c.records);
    }
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
    std::fflush(stdout);  // the writers are forked next: nothing buffered may be printed twice
    try {
        several_writers_facts(capacity > 0 ? static_cast<std::size_t>(capacity) : 65536);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pipefacts: %s\n", e.what());
        return 1;
    }
    return 0;
}
