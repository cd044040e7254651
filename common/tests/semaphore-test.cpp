#include "parlab/semaphore.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/testing.hpp"

TEST_CASE("a process semaphore counts units: wait takes one, post gives one back", "[common][semaphore]") {
    parlab::process_semaphore s(2);
    CHECK(s.value() == 2);
    s.wait();
    CHECK(s.try_wait());
    CHECK_FALSE(s.try_wait());
    CHECK(s.value() == 0);
    s.post();
    CHECK(s.value() == 1);
    CHECK(s.wait_for(0.01));
    const auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(s.wait_for(0.05));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(45));
}

TEST_CASE("a semaphore in shared memory wakes the parent when a forked child posts", "[common][semaphore]") {
    struct shared_state {
        parlab::process_semaphore ready{0};
        long value = 0;
    };
    parlab::shared_value<shared_state> state;
    auto child = parlab::process::start([&] {
        ::usleep(20000);
        state->value = 42;
        state->ready.post();
    });
    REQUIRE(state->ready.wait_for(10.0));
    CHECK(state->value == 42);
    child.join_or_throw();
}

TEST_CASE("a semaphore of K lets at most K forked processes in at once", "[common][semaphore]") {
    struct shared_state {
        parlab::process_semaphore slots{2};
        std::atomic<int> inside{0};
        std::atomic<int> most{0};
    };
    parlab::shared_value<shared_state> state;
    parlab::fork_for_each(6, 6, [&](std::size_t) {
        state->slots.wait();
        const int now = state->inside.fetch_add(1) + 1;
        int seen = state->most.load();
        while (now > seen && !state->most.compare_exchange_weak(seen, now)) {}
        ::usleep(20000);
        state->inside.fetch_sub(1);
        state->slots.post();
    });
    CHECK(state->most.load() >= 1);
    CHECK(state->most.load() <= 2);
    CHECK(state->slots.value() == 2);
}
