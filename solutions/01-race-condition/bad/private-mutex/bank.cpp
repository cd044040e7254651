// Known-bad variant "private-mutex" of lab 01 (instructors only): locked_processes uses a std::mutex in private memory; fork copies it, so each child locks its own copy.

#include "bank.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"

namespace parlab::lab01 {

// Given (part A): leave it as it is; a test and the demo use it to show the race.
long unsynchronized_threads(long initial, transactions work) {
    std::atomic<long> balance{initial};
    start_line start{2};
    std::thread depositor([&] {
        start.arrive_and_wait();
        for (std::size_t i = 0; i < work.deposits; ++i) load_then_store(balance, +1);
    });
    std::thread withdrawer([&] {
        start.arrive_and_wait();
        for (std::size_t i = 0; i < work.withdrawals; ++i) load_then_store(balance, -1);
    });
    depositor.join();
    withdrawer.join();
    return balance.load();
}

// A lock around the whole read-then-write makes it indivisible for the other thread: while
// one worker holds the mutex, the other cannot read a value that is about to be replaced.
long mutex_threads(long initial, transactions work) {
    std::atomic<long> balance{initial};
    std::mutex lock;
    start_line start{2};
    std::thread depositor([&] {
        start.arrive_and_wait();
        for (std::size_t i = 0; i < work.deposits; ++i) {
            std::lock_guard guard(lock);
            load_then_store(balance, +1);
        }
    });
    std::thread withdrawer([&] {
        start.arrive_and_wait();
        for (std::size_t i = 0; i < work.withdrawals; ++i) {
            std::lock_guard guard(lock);
            load_then_store(balance, -1);
        }
    });
    depositor.join();
    withdrawer.join();
    return balance.load();
}

// fetch_add reads, adds and writes back as one indivisible step of the processor (a locked
// add on x86), so no other write can fall between the read and the write. Relaxed order is
// enough: only the final sum matters, and join() makes it visible to this thread.
long atomic_threads(long initial, transactions work) {
    std::atomic<long> balance{initial};
    start_line start{2};
    std::thread depositor([&] {
        start.arrive_and_wait();
        for (std::size_t i = 0; i < work.deposits; ++i) balance.fetch_add(1, std::memory_order_relaxed);
    });
    std::thread withdrawer([&] {
        start.arrive_and_wait();
        for (std::size_t i = 0; i < work.withdrawals; ++i) balance.fetch_sub(1, std::memory_order_relaxed);
    });
    depositor.join();
    withdrawer.join();
    return balance.load();
}

// Given (part B): leave it as it is; a test and the demo use it to show the race.
// The balance and the start line must be in memory both children share: a segment mapped
// before the fork. Everything else a child sees is its own copy of the parent's memory.
long unsynchronized_processes(long initial, transactions work) {
    struct shared_state {
        std::atomic<long> balance;
        start_line start{2};
    };
    shared_value<shared_state> state(initial);
    process depositor = process::start([&] {
        state->start.arrive_and_wait();
        for (std::size_t i = 0; i < work.deposits; ++i) load_then_store(state->balance, +1);
    });
    process withdrawer = process::start([&] {
        state->start.arrive_and_wait();
        for (std::size_t i = 0; i < work.withdrawals; ++i) load_then_store(state->balance, -1);
    });
    depositor.join_or_throw();
    withdrawer.join_or_throw();
    return state->balance.load();
}

// The lock sits in the shared segment next to the balance, so both children lock the same
// mutex. A process_mutex is made process-shared (PTHREAD_PROCESS_SHARED); a std::mutex made
// before the fork would be copied into each child, and each child would lock only its copy.
long locked_processes(long initial, transactions work) {
    struct shared_state {
        std::atomic<long> balance;
        start_line start{2};
    };
    shared_value<shared_state> state(initial);
    std::mutex lock;
    process depositor = process::start([&] {
        state->start.arrive_and_wait();
        for (std::size_t i = 0; i < work.deposits; ++i) {
            std::lock_guard guard(lock);
            load_then_store(state->balance, +1);
        }
    });
    process withdrawer = process::start([&] {
        state->start.arrive_and_wait();
        for (std::size_t i = 0; i < work.withdrawals; ++i) {
            std::lock_guard guard(lock);
            load_then_store(state->balance, -1);
        }
    });
    depositor.join_or_throw();
    withdrawer.join_or_throw();
    return state->balance.load();
}

// A lock-free atomic is a plain memory word updated by one indivisible instruction, so it works
// the same between processes as between threads, provided it lives in the shared segment.
long atomic_processes(long initial, transactions work) {
    struct shared_state {
        std::atomic<long> balance;
        start_line start{2};
    };
    shared_value<shared_state> state(initial);
    process depositor = process::start([&] {
        state->start.arrive_and_wait();
        for (std::size_t i = 0; i < work.deposits; ++i) state->balance.fetch_add(1, std::memory_order_relaxed);
    });
    process withdrawer = process::start([&] {
        state->start.arrive_and_wait();
        for (std::size_t i = 0; i < work.withdrawals; ++i) state->balance.fetch_sub(1, std::memory_order_relaxed);
    });
    depositor.join_or_throw();
    withdrawer.join_or_throw();
    return state->balance.load();
}

}  // namespace parlab::lab01
