// You do not need to modify this file.
//
// The joinfirst program (`./parlab joinfirst`): measures, on this machine, when a parent that
// waits for a worker to end BEFORE reading the worker's results hangs. The worker writes its
// results into a fresh pipe and ends; the parent joins it first and reads afterwards. A worker
// can only end once the pipe has taken all it writes, so past the pipe's room it waits for a
// reader that is waiting for it. Measured twice: with result records (worker_pool.hpp's
// result_record, one write() each, as a pool's worker sends them) and with one message in one
// write(). A worker not ended after 0.3 s counts as hung and is killed. Then reading first and
// joining afterwards is shown to end for 50 times as much. It uses no student code.
// Exit status: 0 measured, 1 reading first did not end well either, or a system call failed.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "parlab/pipe.hpp"
#include "parlab/teaching.hpp"
#include "worker_pool.hpp"

namespace {

namespace lab06 = parlab::lab06;

constexpr std::string_view usage =
    "usage: parlab_lab06_joinfirst\n"
    "Measures how many result records a worker can send before a parent that joins it before\n"
    "reading hangs, and shows that reading first never hangs.\n";

struct options {};

options parse(int argc, char** argv) {
    for (parlab::teaching::arguments args(argc, argv); args.next();) args.unknown();
    return {};
}

// A worker that makes `writes` write() calls of `bytes` bytes each into `fd`, then ends.
pid_t start_writer(int fd, std::size_t writes, std::size_t bytes) {
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("cannot fork");
    if (child == 0) {
        const std::vector<char> message(bytes, 'r');
        for (std::size_t i = 0; i < writes; ++i)
            if (::write(fd, message.data(), bytes) != static_cast<ssize_t>(bytes)) ::_exit(1);
        ::_exit(0);
    }
    return child;
}

// How many writes of `bytes` bytes a new pipe takes before a write would wait (non-blocking
// writes until EAGAIN).
std::size_t writes_that_fit(std::size_t bytes) {
    int ends[2];
    if (::pipe2(ends, O_NONBLOCK) != 0) throw std::runtime_error("cannot make a pipe");
    const std::vector<char> chunk(bytes, 0);
    std::size_t n = 0;
    while (::write(ends[1], chunk.data(), bytes) == static_cast<ssize_t>(bytes)) ++n;
    ::close(ends[0]);
    ::close(ends[1]);
    return n;
}

// The bytes read from fd until end-of-file.
std::size_t drain(int fd) {
    char chunk[4096];
    std::size_t total = 0;
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) total += static_cast<std::size_t>(n);
    return total;
}

// Join first, read afterwards: true when the worker ended within the time limit.
bool join_then_read_ends(std::size_t writes, std::size_t bytes) {
    parlab::pipe_ends ends = parlab::make_pipe();
    const pid_t child = start_writer(ends.write.get(), writes, bytes);
    ends.write = parlab::unique_fd();
    const auto limit = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    int status = 0;
    while (::waitpid(child, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > limit) {
            ::kill(child, SIGKILL);
            (void)::waitpid(child, &status, 0);
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    (void)drain(ends.read.get());
    return true;
}

// Read first, join afterwards: every byte arrives and the worker ends.
bool read_then_join_ends(std::size_t writes, std::size_t bytes) {
    parlab::pipe_ends ends = parlab::make_pipe();
    const pid_t child = start_writer(ends.write.get(), writes, bytes);
    ends.write = parlab::unique_fd();
    const std::size_t got = drain(ends.read.get());
    int status = 0;
    (void)::waitpid(child, &status, 0);
    return got == writes * bytes && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The largest n for which ends(n) holds and the smallest for which it does not (ends is assumed
// to hold up to some n and fail beyond): doubling from 1, then bisection.
template <class Ends>
std::pair<std::size_t, std::size_t> threshold(Ends ends) {
    std::size_t good = 0, bad = 1;
    while (ends(bad)) {
        good = bad;
        bad *= 2;
        if (bad > (std::size_t{1} << 24)) throw std::runtime_error("nothing hung: nothing to show");
    }
    while (bad - good > 1) {
        const std::size_t middle = good + (bad - good) / 2;
        (ends(middle) ? good : bad) = middle;
    }
    return {good, bad};
}

int run(const options&) {
    const parlab::pipe_ends probe = parlab::make_pipe();
    const long capacity = ::fcntl(probe.write.get(), F_GETPIPE_SZ);
    const std::size_t record = sizeof(lab06::result_record);
    std::printf("a new pipe holds %ld bytes (F_GETPIPE_SZ); writes that fit in it before one would wait:\n ", capacity);
    for (const std::size_t bytes : {std::size_t{1}, std::size_t{2048}, std::size_t{2049}, std::size_t{4096}, record})
        std::printf(" %zu of %zu byte%s,", writes_that_fit(bytes), bytes, bytes == 1 ? "" : "s");
    std::printf(" the last a result_record\n");
    const auto [ends, hangs] = threshold([&](std::size_t n) { return join_then_read_ends(n, record); });
    std::printf("join, then read, records of %zu bytes: %zu records (%zu bytes) end; %zu (%zu bytes) hang\n", record,
                ends, ends * record, hangs, hangs * record);
    const auto [fits, too_big] = threshold([](std::size_t n) { return join_then_read_ends(1, n); });
    std::printf("join, then read, one message in one write(): %zu bytes end; %zu bytes hang\n", fits, too_big);
    std::printf("  (hung: the worker waits in write() for room in the pipe, the parent waits for the worker)\n");
    const std::size_t many = 50 * hangs;
    const bool all_arrive = read_then_join_ends(many, record) && read_then_join_ends(1, 50 * too_big);
    std::printf("read, then join: %zu records, and one message of %zu bytes: %s\n", many, 50 * too_big,
                all_arrive ? "every byte arrives and the worker ends" : "FAILED");
    return all_arrive ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("joinfirst", usage, argc, argv, parse, run);
}
