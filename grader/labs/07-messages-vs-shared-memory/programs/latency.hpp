#pragma once
// The latency table of lab 07's bench (ANSWERS section 6) and demo: what one message costs when
// the child that answers is already running, apart from what a byte costs. One child is forked
// once; then, for each message size, many round trips (the parent sends a message, the child
// answers with as many bytes), through a pair of pipes (write_all and read_full of task 1) and
// through one shared slot handed back and forth with two process semaphores. One message is
// half the median round trip.

#include <signal.h>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "messages.hpp"
#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/semaphore.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/timing.hpp"

namespace parlab::lab07::programs {

/// A message size of the table and how many round trips it gets (fewer for the big ones).
struct latency_size {
    std::size_t bytes;
    std::size_t round_trips;
};
inline constexpr std::array<latency_size, 6> latency_sizes = {
    {{8, 4000}, {64, 4000}, {512, 4000}, {4096, 4000}, {65536, 1000}, {std::size_t{1} << 20, 100}}};
inline constexpr std::size_t largest_message = std::size_t{1} << 20;

/// One message's time in microseconds for each size of latency_sizes, each way.
struct latency_table {
    std::array<double, latency_sizes.size()> pipe_us{};
    std::array<double, latency_sizes.size()> shared_us{};
};

namespace detail {

// A message carries a tag in its first and last byte: the receiver checks both, so a message that
// arrived cut short or stale is an error instead of a fast time.
inline void stamp(std::vector<unsigned char>& message, std::size_t bytes, unsigned char tag) {
    message[0] = tag;
    message[bytes - 1] = tag;
}
inline void check_stamp(const unsigned char* message, std::size_t bytes, unsigned char tag) {
    if (message[0] != tag || message[bytes - 1] != tag)
        throw std::runtime_error("a " + std::to_string(bytes) + "-byte message arrived without its tag");
}
inline unsigned char tag_of(std::size_t round, bool answer) {
    return static_cast<unsigned char>(2 * (round % 100) + (answer ? 1 : 0));
}

// Half the median round trip, in microseconds, for each size, given the parent's side of one
// round trip (`round_trip(bytes, round)`); the child must already be running its side.
template <class RoundTrip>
std::array<double, latency_sizes.size()> one_way_microseconds(RoundTrip round_trip) {
    std::array<double, latency_sizes.size()> result{};
    for (std::size_t i = 0; i < latency_sizes.size(); ++i) {
        std::vector<double> samples;
        samples.reserve(latency_sizes[i].round_trips);
        for (std::size_t round = 0; round < latency_sizes[i].round_trips; ++round) {
            const stopwatch watch;
            round_trip(latency_sizes[i].bytes, round);
            samples.push_back(watch.seconds());
        }
        result[i] = median(std::move(samples)) / 2 * 1e6;
    }
    return result;
}

// read_full of a whole message, or an exception saying how much of it came.
inline void receive_message(int fd, unsigned char* into, std::size_t bytes) {
    if (const std::size_t got = read_full(fd, into, bytes); got != bytes)
        throw std::runtime_error("read_full returned " + std::to_string(got) + " of the " + std::to_string(bytes) +
                                 " bytes of a message");
}

// SIGPIPE ignored while it lives: a side that stops shows on the other as an error, not as a kill.
class ignoring_sigpipe {
public:
    ignoring_sigpipe() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, &saved_);
    }
    ignoring_sigpipe(const ignoring_sigpipe&) = delete;
    ignoring_sigpipe& operator=(const ignoring_sigpipe&) = delete;
    ~ignoring_sigpipe() { ::sigaction(SIGPIPE, &saved_, nullptr); }

private:
    struct sigaction saved_ {};
};

// Ping-pong through two pipes: the parent writes a message down one, the child reads all of it
// and writes as many bytes back up the other. When one side fails, the error is the child's if
// it failed first (a parent that gets no answer only knows that the answer did not come).
inline std::array<double, latency_sizes.size()> pipe_latency() {
    const ignoring_sigpipe quiet;
    pipe_ends down = make_pipe();
    pipe_ends up = make_pipe();
    std::vector<unsigned char> message(largest_message, 0);
    auto child = process::start([&] {
        down.write.close();
        up.read.close();
        for (const latency_size& size : latency_sizes)
            for (std::size_t round = 0; round < size.round_trips; ++round) {
                receive_message(down.read.get(), message.data(), size.bytes);
                check_stamp(message.data(), size.bytes, tag_of(round, false));
                stamp(message, size.bytes, tag_of(round, true));
                write_all(up.write.get(), message.data(), size.bytes);
            }
    });
    down.read.close();
    up.write.close();
    std::array<double, latency_sizes.size()> result{};
    try {
        result = one_way_microseconds([&](std::size_t bytes, std::size_t round) {
            stamp(message, bytes, tag_of(round, false));
            write_all(down.write.get(), message.data(), bytes);
            receive_message(up.read.get(), message.data(), bytes);
            check_stamp(message.data(), bytes, tag_of(round, true));
        });
    } catch (const std::exception&) {
        down = {};  // a child still waiting for the parent now sees the end of its stream
        up = {};
        const exit_status status = child.join();
        if (!status.error.empty()) throw std::runtime_error("the answering child failed: " + status.error);
        throw;
    }
    child.join_or_throw();
    return result;
}

// Whose turn it is to use the shared slot.
struct turns {
    process_semaphore child_turn{0};
    process_semaphore parent_turn{0};
};

inline void wait_turn(process_semaphore& turn) {
    if (!turn.wait_for(10.0)) throw std::runtime_error("no answer within 10 s: the other side is gone");
}

// Ping-pong through shared memory: one slot both map. The sender copies its message into the
// slot and posts the other side's semaphore; the receiver waits on its own and reads the message
// where it is.
inline std::array<double, latency_sizes.size()> shared_memory_latency() {
    shared_value<turns> turn;
    shared_array<unsigned char> slot(largest_message);
    std::vector<unsigned char> message(largest_message, 0);
    auto child = process::start([&] {
        for (const latency_size& size : latency_sizes)
            for (std::size_t round = 0; round < size.round_trips; ++round) {
                wait_turn(turn->child_turn);
                check_stamp(slot.data(), size.bytes, tag_of(round, false));
                stamp(message, size.bytes, tag_of(round, true));
                std::memcpy(slot.data(), message.data(), size.bytes);
                turn->parent_turn.post();
            }
    });
    const auto result = one_way_microseconds([&](std::size_t bytes, std::size_t round) {
        stamp(message, bytes, tag_of(round, false));
        std::memcpy(slot.data(), message.data(), bytes);
        turn->child_turn.post();
        wait_turn(turn->parent_turn);
        check_stamp(slot.data(), bytes, tag_of(round, true));
    });
    child.join_or_throw();
    return result;
}

}  // namespace detail

/// Both halves of the table (the pipe's uses the lab's write_all and read_full). Throws when a
/// message arrives without its tag or a side stops answering.
[[nodiscard]] inline latency_table measure_latency() {
    return {detail::pipe_latency(), detail::shared_memory_latency()};
}

/// What every transfer that starts a new child pays before a byte moves: the median time, in
/// milliseconds, of forking a child that does nothing and joining it.
[[nodiscard]] inline double fork_and_join_ms(std::size_t repetitions) {
    return time_repeated([] { process::start([] {}).join_or_throw(); }, repetitions).median * 1e3;
}

/// The table in Markdown, as ANSWERS.md has it.
inline void print_latency(const latency_table& t) {
    std::printf("  | message | round trips | pipe, one message | shared memory + semaphores | pipe / shared |\n");
    std::printf("  |---------|-------------|-------------------|----------------------------|---------------|\n");
    for (std::size_t i = 0; i < latency_sizes.size(); ++i) {
        const std::size_t b = latency_sizes[i].bytes;
        const std::string size = b >= 1024 * 1024 ? std::to_string(b >> 20) + " MiB"
                                 : b >= 1024      ? std::to_string(b >> 10) + " KiB"
                                                  : std::to_string(b) + " B";
        std::printf("  | %s | %zu | %.1f us | %.1f us | %.2fx |\n", size.c_str(), latency_sizes[i].round_trips,
                    t.pipe_us[i], t.shared_us[i], t.pipe_us[i] / t.shared_us[i]);
    }
}

}  // namespace parlab::lab07::programs
