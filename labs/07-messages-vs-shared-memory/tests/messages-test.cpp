// Lab 07 tests: messages through pipes that hand over a few bytes at a time and are interrupted
// by signals, the same transfer through shared memory, a ring buffer between processes checked
// from what each consumer recorded, and a limit of K processes inside a step, measured by the
// kit's occupancy meter. Everything that could hang runs under a time limit in a child process,
// so a deadlock fails the test instead of stopping the suite.

#include <dlfcn.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "messages.hpp"
#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/splitmix.hpp"
#include "parlab/testing.hpp"
#include "slow_pipes.hpp"

namespace {

// The sem_post calls made on one semaphore, counted across fork() in shared memory: how the
// tests see whether the child posts a slot's "ready". Made before any fork (first use in a test).
struct post_census {
    std::atomic<const sem_t*> watched{nullptr};
    std::atomic<long> posts{0};
};

post_census& census() {
    static parlab::shared_value<post_census> shared;
    return *shared;
}

}  // namespace

// Every sem_post of this program passes through here (the real one is the next in the search
// order: the C library's, or a sanitizer's wrapper of it).
extern "C" int sem_post(sem_t* semaphore) {
    using post_function = int (*)(sem_t*);
    static const auto next = reinterpret_cast<post_function>(::dlsym(RTLD_NEXT, "sem_post"));
    if (semaphore == census().watched.load()) census().posts.fetch_add(1);
    return next(semaphore);
}

namespace {

namespace lab07 = parlab::lab07;
namespace slow_pipes = parlab::lab07::slow_pipes;
using lab07::array_view;
using slow_pipes::interrupting_signal;

std::vector<char> as_bytes(const lab07::message_header& header, const std::vector<double>& values) {
    const auto* head = reinterpret_cast<const char*>(&header);
    std::vector<char> bytes(head, head + sizeof header);
    const auto* numbers = reinterpret_cast<const char*>(values.data());
    bytes.insert(bytes.end(), numbers, numbers + values.size() * sizeof(double));
    return bytes;
}

}  // namespace

// ---- task 1 ---------------------------------------------------------------------------------------

TEST_CASE("read_full collects pieces that arrive slowly and survives interrupting signals", "[lab07][task1]") {
    const interrupting_signal signal;
    std::vector<char> sent(3000);
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7 + 3);
    parlab::pipe_ends ends = parlab::make_pipe();
    auto writer = slow_pipes::start_slow_writer(ends, sent);
    std::vector<char> got(sent.size() + 10, 0);
    const std::size_t n = lab07::read_full(ends.read.get(), got.data(), sent.size());
    if (n != sent.size()) ends.read.close();
    writer.join_or_throw();
    INFO("read_full returned after " << n << " of " << sent.size() << " bytes: read() hands over what is there now");
    REQUIRE(n == sent.size());
    CHECK(std::equal(sent.begin(), sent.end(), got.begin()));
    INFO("read_full must stop at the end of the stream and say how much arrived");
    got.assign(10, 0);
    CHECK(lab07::read_full(ends.read.get(), got.data(), 10) == 0);
}

TEST_CASE("write_all pushes more than a pipe holds to a slow reader, through interrupting signals", "[lab07][task1]") {
    const interrupting_signal signal;
    const std::vector<double> values = parlab::uniform_values(100000, 1);  // 800 kB, a pipe holds 64 KiB
    parlab::pipe_ends ends = parlab::make_pipe();
    parlab::shared_array<double> received(values.size());
    const pid_t parent = ::getpid();
    auto reader = parlab::process::start([&] {
        ends.write.close();
        std::size_t done = 0;
        auto* into = reinterpret_cast<char*>(received.data());
        const std::size_t bytes = received.size() * sizeof(double);
        for (int round = 0; done < bytes; ++round) {
            if (round % 8 == 0) {
                ::kill(parent, SIGUSR1);
                ::usleep(1000);
            }
            const ssize_t n = ::read(ends.read.get(), into + done, std::min<std::size_t>(bytes - done, 50000));
            if (n <= 0) throw std::runtime_error("the stream ended early");
            done += static_cast<std::size_t>(n);
        }
    });
    ends.read.close();
    lab07::write_all(ends.write.get(), values.data(), values.size() * sizeof(double));
    ends.write.close();
    const parlab::exit_status status = reader.join();
    INFO("the reader " << status.describe() << " " << status.error);
    REQUIRE(status.ok());
    CHECK(std::equal(values.begin(), values.end(), received.begin()));
}

TEST_CASE("send_array writes the header then the numbers; receive_array reads them back", "[lab07][task1]") {
    struct case_shape {
        std::size_t rows, cols;
    };
    const auto shape = GENERATE(case_shape{0, 0}, case_shape{0, 5}, case_shape{3, 0}, case_shape{1, 1},
                                case_shape{7, 13}, case_shape{40, 1000});
    const std::vector<double> values = parlab::uniform_values(shape.rows * shape.cols, 2);
    const array_view a{values.data(), shape.rows, shape.cols};
    INFO(shape.rows << " x " << shape.cols);
    {  // the exact bytes send_array writes
        parlab::pipe_ends ends = parlab::make_pipe();
        auto sender = parlab::process::start([&] {
            ends.read.close();
            lab07::send_array(ends.write.get(), a);
        });
        ends.write.close();
        std::vector<char> got;
        char buffer[65536];
        for (ssize_t n; (n = ::read(ends.read.get(), buffer, sizeof buffer)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            REQUIRE(n > 0);
            got.insert(got.end(), buffer, buffer + n);
        }
        sender.join_or_throw();
        CHECK(got == as_bytes({shape.rows, shape.cols}, values));
    }
    {  // receive_array from a writer that hands the message over in pieces
        const interrupting_signal signal;
        parlab::pipe_ends ends = parlab::make_pipe();
        const pid_t parent = ::getpid();
        const std::vector<char> message = as_bytes({shape.rows, shape.cols}, values);
        auto writer = parlab::process::start([&] {
            ends.read.close();
            if (message.size() > 100000) {
                if (::write(ends.write.get(), message.data(), 5) != 5) throw std::runtime_error("write failed");
                ::usleep(2000);
                std::size_t done = 5;
                while (done < message.size()) {
                    const ssize_t n = ::write(ends.write.get(), message.data() + done, message.size() - done);
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0) throw std::runtime_error("write failed");
                    done += static_cast<std::size_t>(n);
                }
            } else {
                slow_pipes::dribble(ends.write.get(), message, parent);
            }
        });
        ends.write.close();
        const lab07::array2d got = lab07::receive_array(ends.read.get());
        ends.read.close();  // a writer with bytes left gets EPIPE instead of waiting for ever
        writer.join_or_throw();
        CHECK(got.rows == shape.rows);
        CHECK(got.cols == shape.cols);
        CHECK(got.values == values);
    }
}

TEST_CASE("receive_array refuses a cut-short message and an impossible header", "[lab07][task1]") {
    using parlab::testing::contains;
    const std::vector<double> values = parlab::uniform_values(6, 3);
    const std::vector<char> whole = as_bytes({2, 3}, values);
    auto receive_from = [](const std::vector<char>& bytes) {
        return lab07::receive_array(slow_pipes::filled_pipe(bytes).read.get());
    };
    CHECK_THROWS_AS(receive_from({}), lab07::message_error);
    CHECK_THROWS_AS(receive_from({whole.begin(), whole.begin() + 9}), lab07::message_error);
    CHECK_THROWS_AS(receive_from({whole.begin(), whole.end() - 1}), lab07::message_error);
    CHECK_THROWS_WITH(receive_from({whole.begin(), whole.begin() + 24}), contains("8 of 48"));
    // A header that announces too much must be refused before anything is allocated; tried in a
    // child under a time limit, so that code which allocates 16 GiB fails the check, not the run.
    for (const lab07::message_header too_big : {lab07::message_header{std::uint64_t{1} << 40, std::uint64_t{1} << 40},
                                                lab07::message_header{lab07::max_message_values + 1, 1}}) {
        const auto refused = parlab::call_with_time_limit<int>(3.0, [&] {
            try {
                (void)receive_from(as_bytes(too_big, {}));
            } catch (const lab07::message_error&) {
                return 1;
            }
            return 0;
        });
        INFO("a header of " << too_big.rows << " x " << too_big.cols << " numbers: " << refused.message);
        CHECK(refused.value == std::optional<int>(1));
    }
    CHECK(receive_from(whole).values == values);
}

TEST_CASE("sum_through_pipe returns the sum of the array the child sent", "[lab07][task1]") {
    const std::size_t rows = GENERATE(0u, 1u, 3u, 20u);
    const std::size_t cols = GENERATE(1u, 9111u);
    const std::vector<double> values = parlab::uniform_values(rows * cols, static_cast<unsigned>(rows + cols));
    INFO(rows << " x " << cols << " (" << rows * cols * sizeof(double) << " bytes)");
    CHECK(lab07::sum_through_pipe({values.data(), rows, cols}) == lab07::sum_values(values.data(), values.size()));
}

// ---- task 2 ---------------------------------------------------------------------------------------

// Runs call() in a child under a time limit: empty when it threw process_error, else what it did
// instead (`hang` when it was still running at the limit).
std::string process_error_within(double seconds, const std::function<void()>& call, const std::string& hang) {
    const auto got = parlab::call_with_time_limit<int>(seconds, [&] {
        try {
            call();
        } catch (const parlab::process_error&) {
            return 1;
        }
        return 0;
    });
    if (got.value == std::optional<int>(1)) return {};
    if (got.value) return "it returned instead of throwing process_error";
    return got.end == parlab::limited_end::timed_out ? hang : got.message;
}

TEST_CASE("sum_through_shared_memory reports a child that died before posting ready", "[lab07][task2]") {
    // The child reads numbers it may not read (a mapping with no access) and dies of SIGSEGV
    // before its post. A semaphore is not posted by a process that dies: a parent that only waits
    // on "ready" waits for ever, so the call runs in a child under a time limit.
    const std::size_t bytes = 1000 * sizeof(double);
    void* unreadable = ::mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(unreadable != MAP_FAILED);
    lab07::shared_array_slot slot(1000);
    const std::string problem = process_error_within(
        5.0, [&] { (void)lab07::sum_through_shared_memory({static_cast<const double*>(unreadable), 1, 1000}, slot); },
        "the parent still waited on \"ready\" 5 s after the child died (task 2, hint 4)");
    ::munmap(unreadable, bytes);
    INFO(problem);
    CHECK(problem.empty());  // process_error, not a sum nor a hang
}

TEST_CASE("sum_through_shared_memory returns the sum of the array the child wrote", "[lab07][task2]") {
    const std::size_t rows = GENERATE(0u, 1u, 3u, 170u);
    const std::size_t cols = GENERATE(1u, 9111u);
    const std::vector<double> values = parlab::uniform_values(rows * cols, static_cast<unsigned>(rows * 3 + cols));
    INFO(rows << " x " << cols << ": the parent must read what the child wrote into the shared segment");
    CHECK(lab07::sum_through_shared_memory({values.data(), rows, cols}) == lab07::sum_values(values.data(), values.size()));
}

TEST_CASE("one shared_array_slot carries array after array", "[lab07][task2]") {
    lab07::shared_array_slot slot(5000);
    for (const std::size_t rows : {3u, 0u, 1u, 5u, 2u}) {
        const std::vector<double> values = parlab::uniform_values(rows * 1000, static_cast<unsigned>(rows + 40));
        INFO("a " << rows << " x 1000 array through a slot that earlier arrays used: wait on slot.ready() before summing");
        CHECK(lab07::sum_through_shared_memory({values.data(), rows, 1000}, slot) ==
              lab07::sum_values(values.data(), values.size()));
    }
    CHECK(slot.ready().value() == 0);
    const std::vector<double> too_many(5001, 1.0);
    CHECK_THROWS_AS(lab07::sum_through_shared_memory({too_many.data(), 1, too_many.size()}, slot), std::invalid_argument);
}

TEST_CASE("the child posts ready once, and the parent waits on it", "[lab07][task2]") {
    lab07::shared_array_slot slot(3000);
    const std::vector<double> values = parlab::uniform_values(3000, 77);
    census().watched.store(slot.ready().native());
    census().posts.store(0);
    const double sum = lab07::sum_through_shared_memory({values.data(), 3, 1000}, slot);
    census().watched.store(nullptr);
    CHECK(sum == lab07::sum_values(values.data(), values.size()));
    INFO("slot.ready() was posted " << census().posts.load() << " times: the child posts it once its numbers are in "
         "place, and the parent waits on it before summing (joining the child instead is not the lab's way: the two "
         "could be programs that keep running)");
    CHECK(census().posts.load() == 1);
    INFO("slot.ready() was left posted: the parent must take the child's post with a wait");
    CHECK(slot.ready().value() == 0);
}

TEST_CASE("time_transfers measures both ways for every shape, in order", "[lab07][task5]") {
    const std::vector<lab07::shape> shapes = {{1, 10}, {4, 1000}, {0, 0}};
    const auto table = lab07::time_transfers(shapes, 2);
    REQUIRE(table.size() == shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        INFO(table[i].rows << " x " << table[i].cols << ": pipe " << table[i].pipe_seconds << " s, shared "
                           << table[i].shared_seconds << " s; every time must be measured and positive");
        CHECK(table[i].rows == shapes[i].rows);
        CHECK(table[i].cols == shapes[i].cols);
        CHECK(table[i].pipe_seconds > 0);
        CHECK(table[i].shared_seconds > 0);
    }
    CHECK_THROWS_AS(lab07::time_transfers(shapes, 0), std::invalid_argument);
}

// ---- task 3 ---------------------------------------------------------------------------------------

namespace {

// What the consumers recorded: for each consumer, the items it took in order, and the process
// it ran in; for each producer, how many items it made, and where.
struct pipeline_record {
    struct taken {
        lab07::item it;
        long pid = 0;
    };
    pipeline_record(std::size_t consumers, std::size_t producers, std::size_t total)
        : per_consumer(total + 1), log(consumers * (total + 1)), counts(consumers), made(producers),
          producer_pids(producers), caller(1) {}
    std::size_t per_consumer;
    parlab::shared_array<taken> log;
    parlab::shared_array<std::atomic<std::size_t>> counts;
    parlab::shared_array<std::atomic<std::size_t>> made;
    parlab::shared_array<long> producer_pids;
    parlab::shared_array<long> caller;  ///< the process that called run_pipeline
};

std::uint64_t value_of(std::size_t producer, std::size_t sequence) {
    return (producer + 1) * 0x9e3779b97f4a7c15ull ^ (sequence * 0xbf58476d1ce4e5b9ull);
}

// Runs the pipeline under a time limit, each take pausing `take_pause` (slow consumers); returns
// what went wrong (empty when nothing did).
std::string check_pipeline(const lab07::pipeline_spec& spec, std::chrono::microseconds take_pause = {}) {
    const std::size_t total = spec.producers * spec.items_per_producer;
    pipeline_record record(spec.consumers, spec.producers, total);
    const auto run = parlab::run_with_time_limit(
        [&] {
            record.caller[0] = static_cast<long>(::getpid());
            lab07::run_pipeline(
                spec,
                [&](std::size_t p, std::size_t k) {
                    record.producer_pids[p] = static_cast<long>(::getpid());
                    record.made[p].fetch_add(1);
                    return lab07::item{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(k), value_of(p, k)};
                },
                [&](std::size_t c, const lab07::item& it) {
                    if (take_pause.count() > 0) std::this_thread::sleep_for(take_pause);
                    const std::size_t at = record.counts[c].fetch_add(1);
                    if (at < record.per_consumer) record.log[c * record.per_consumer + at] = {it, static_cast<long>(::getpid())};
                });
        },
        3.0);
    const std::string what = std::to_string(spec.producers) + " producers, " + std::to_string(spec.consumers) +
                             " consumers, capacity " + std::to_string(spec.capacity) + ", " +
                             std::to_string(spec.items_per_producer) + " items each: ";
    std::size_t made = 0, taken = 0, pushed = 0;
    for (std::size_t p = 0; p < spec.producers; ++p) {
        const std::size_t m = record.made[p].load();
        made += m;
        pushed += m > 0 ? m - 1 : 0;  // a producer pushes each item before it makes the next
    }
    for (std::size_t c = 0; c < spec.consumers; ++c) taken += record.counts[c].load();
    if (run.end == parlab::limited_end::timed_out)
        return what + "timed out after 3 s with " + std::to_string(made) + " of " + std::to_string(total) +
               " items made and " + std::to_string(taken) + " taken: " +
               (pushed > 0 && taken == 0
                    ? "consumers took nothing although at least " + std::to_string(pushed) +
                          " item(s) were pushed: a missing post of filled_slots, or a producer that waits for a free "
                          "slot while it holds the lock (the consumers then wait for the lock)?"
                : made < total && pushed > taken
                    ? "at least " + std::to_string(pushed - taken) + " item(s) sat in the buffer untaken while the "
                          "producers waited for free slots: consumers waiting for the lock, which a producer holds "
                          "while it waits for a free slot (README question 5), or consumers that stopped early?"
                : made < total
                    ? "producers still waiting on free slots (a missing post of free_slots? consumers that stopped early?)"
                    : "consumers (or the caller pushing the markers) still waiting: a missing post?");
    if (run.end != parlab::limited_end::returned) return what + "run_pipeline failed: " + run.message;
    const long caller = record.caller[0];
    std::vector<std::vector<char>> seen(spec.producers, std::vector<char>(spec.items_per_producer, 0));
    std::vector<long> consumer_pid(spec.consumers, 0);
    for (std::size_t c = 0; c < spec.consumers; ++c) {
        const std::size_t n = record.counts[c].load();
        if (n > record.per_consumer) return what + "consumer " + std::to_string(c) + " took more items than were made";
        std::vector<long> last(spec.producers, -1);
        for (std::size_t i = 0; i < n; ++i) {
            const auto& t = record.log[c * record.per_consumer + i];
            if (t.pid == caller) return what + "an item was taken in the caller's process: consumers must be forked processes";
            if (consumer_pid[c] == 0) consumer_pid[c] = t.pid;
            if (t.pid != consumer_pid[c]) return what + "consumer " + std::to_string(c) + " ran in two processes";
            if (t.it.producer >= spec.producers || t.it.sequence >= spec.items_per_producer)
                return what + "consumer " + std::to_string(c) + " took an item nobody made (producer " +
                       std::to_string(t.it.producer) + ", sequence " + std::to_string(t.it.sequence) + ")";
            if (t.it.value != value_of(t.it.producer, t.it.sequence))
                return what + "an item arrived with a changed value";
            char& once = seen[t.it.producer][t.it.sequence];
            if (once) return what + "item " + std::to_string(t.it.sequence) + " of producer " + std::to_string(t.it.producer) + " was taken twice";
            once = 1;
            if (static_cast<long>(t.it.sequence) <= last[t.it.producer])
                return what + "consumer " + std::to_string(c) + " took item " + std::to_string(t.it.sequence) +
                       " of producer " + std::to_string(t.it.producer) + " after item " + std::to_string(last[t.it.producer]);
            last[t.it.producer] = t.it.sequence;
        }
    }
    for (std::size_t p = 0; p < spec.producers; ++p) {
        if (spec.items_per_producer > 0 && (record.producer_pids[p] == caller || record.producer_pids[p] == 0))
            return what + "producer " + std::to_string(p) + " did not run in a forked process of its own";
        for (std::size_t c = 0; c < spec.consumers; ++c)
            if (consumer_pid[c] != 0 && consumer_pid[c] == record.producer_pids[p])
                return what + "consumer " + std::to_string(c) + " took items in producer " + std::to_string(p) +
                       "'s process: items go through the buffer to consumer processes";
        for (std::size_t k = 0; k < spec.items_per_producer; ++k)
            if (!seen[p][k])
                return what + "item " + std::to_string(k) + " of producer " + std::to_string(p) +
                       " was never taken: did run_pipeline return before every consumer had finished? Join the "
                       "consumers before returning (a process object that goes out of scope unjoined kills its child)";
    }
    return {};
}

}  // namespace

TEST_CASE("ring_buffer hands items from a forked producer to the parent in order", "[lab07][task3]") {
    for (const std::size_t capacity : {1u, 3u, 64u}) {
        lab07::ring_buffer buffer(capacity);
        parlab::shared_array<lab07::item> got(2000);
        const auto run = parlab::run_with_time_limit(
            [&] {
                auto producer = parlab::process::start([&] {
                    for (std::uint32_t k = 0; k < got.size(); ++k) buffer.push({0, k, value_of(0, k)});
                });
                for (std::size_t k = 0; k < got.size(); ++k) got[k] = buffer.pop();
                producer.join_or_throw();
            },
            3.0);
        const std::string hang = "timed out: one side waits for a post that never comes, or for the lock while a "
                                 "producer holds it waiting for a free slot";
        INFO("capacity " << capacity << ": " << (run.end == parlab::limited_end::timed_out ? hang : run.message));
        REQUIRE(run.end == parlab::limited_end::returned);
        for (std::uint32_t k = 0; k < got.size(); ++k) {
            INFO("capacity " << capacity << ", item " << k);
            REQUIRE(got[k].sequence == k);
            REQUIRE(got[k].value == value_of(0, k));
        }
    }
    CHECK_THROWS_AS(lab07::ring_buffer(0), std::invalid_argument);
}

TEST_CASE("run_pipeline reports a consumer that fails instead of waiting on its producers", "[lab07][task3]") {
    // The consumer throws at its fifth item: with a capacity of 1 the producer then waits for a
    // free slot for ever. The parent must notice the failed consumer, stop the rest and throw.
    const auto make = [](std::size_t p, std::size_t k) {
        return lab07::item{static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(k), k};
    };
    const auto take = [](std::size_t, const lab07::item& it) {
        if (it.sequence == 4) throw std::runtime_error("a consumer's step failed");
    };
    const std::string problem = process_error_within(
        10.0, [&] { lab07::run_pipeline({1, 1, 1, 200}, make, take); },
        "run_pipeline still waited 10 s after a consumer failed (task 3, hint 4)");
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("run_pipeline: every item taken exactly once, each producer's in order, clean stop", "[lab07][task3]") {
    const std::vector<lab07::pipeline_spec> specs = {
        {1, 1, 1, 300}, {1, 1, 8, 2000}, {3, 1, 1, 200}, {1, 3, 1, 300},
        {3, 2, 4, 500}, {2, 4, 2, 300},  {4, 3, 16, 400}, {2, 3, 5, 0},
    };
    for (const auto& spec : specs) {
        const std::string problem = check_pipeline(spec);
        INFO(problem);
        REQUIRE(problem.empty());
    }
    // Slow consumers (1 ms per item): the buffer is still full when the producers are done.
    const std::string slow = check_pipeline({2, 2, 32, 100}, std::chrono::milliseconds(1));
    INFO(slow);
    CHECK(slow.empty());
    CHECK_THROWS_AS(lab07::run_pipeline({0, 1, 1, 1}, {}, {}), std::invalid_argument);
    CHECK_THROWS_AS(lab07::run_pipeline({1, 0, 1, 1}, {}, {}), std::invalid_argument);
    CHECK_THROWS_AS(lab07::run_pipeline({1, 1, 0, 1}, {}, {}), std::invalid_argument);
}

// ---- task 4 ---------------------------------------------------------------------------------------

namespace {

struct limited_result {
    parlab::limited_run run;
    int most = 0;
    int finished = 0;
    std::vector<int> ran;
};

// run_limited with a step that holds its place until `expected` are inside at once (or 100 ms
// passed), so that the most inside reaches the limit whenever the limit lets it.
limited_result run_metered(std::size_t workers, std::size_t limit) {
    parlab::shared_value<lab07::occupancy_meter> meter;
    parlab::shared_array<int> ran(workers);
    const int expected = static_cast<int>(std::min(workers, limit));
    limited_result result;
    result.run = parlab::run_with_time_limit(
        [&] {
            lab07::run_limited(workers, limit, [&](std::size_t w) {
                meter->enter();
                for (int i = 0; i < 100 && meter->most_inside() < expected; ++i) ::usleep(1000);
                ::usleep(2000);
                if (w < workers) ran[w] += 1;
                meter->leave();
            });
        },
        5.0);
    result.most = meter->most_inside();
    result.finished = meter->finished();
    result.ran.assign(ran.begin(), ran.end());
    return result;
}

}  // namespace

TEST_CASE("run_limited reports a worker killed inside its step instead of waiting for its unit", "[lab07][task4]") {
    // Worker 0 dies holding the only unit: nobody will give it back, so the parent must notice
    // the death, stop the workers still waiting and throw process_error.
    const auto step = [](std::size_t w) {
        if (w == 0) ::raise(SIGKILL);
        ::usleep(20000);
    };
    const std::string problem = process_error_within(
        10.0, [&] { lab07::run_limited(4, 1, step); },
        "run_limited still waited 10 s after a worker died inside its step (task 4, hint 3)");
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("run_limited lets exactly K workers in at once, and every worker finishes", "[lab07][task4]") {
    struct limit_case {
        std::size_t workers, limit;
    };
    for (const limit_case c : {limit_case{5, 2}, limit_case{6, 3}, limit_case{3, 1}, limit_case{3, 5}}) {
        const limited_result r = run_metered(c.workers, c.limit);
        const int expected = static_cast<int>(std::min(c.workers, c.limit));
        INFO(c.workers << " workers, limit " << c.limit << ": most inside at once " << r.most << " (expected exactly "
                       << expected << "), " << r.finished << " finished; " << r.run.message);
        REQUIRE(r.run.end == parlab::limited_end::returned);
        CHECK(r.most == expected);
        CHECK(r.finished == static_cast<int>(c.workers));
        CHECK(std::all_of(r.ran.begin(), r.ran.end(), [](int n) { return n == 1; }));
    }
    CHECK_THROWS_AS(lab07::run_limited(2, 0, [](std::size_t) {}), std::invalid_argument);
}
