// Lab 01: your file. The two given functions show the race; tasks 1 to 4 fix it.
// `./parlab grade race-condition` checks your work.

#include "bank.hpp"

#include <atomic>
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

long mutex_threads(long initial, transactions work) {
    // TODO(task 1): copy unsynchronized_threads here and protect every update with one
    // std::mutex shared by both threads. Keep load_then_store: the lock is what makes it safe.
    return unsynchronized_threads(initial, work);
}

long atomic_threads(long initial, transactions work) {
    // TODO(task 2): copy unsynchronized_threads here and replace load_then_store by a single
    // atomic read-modify-write of the balance. No mutex.
    return unsynchronized_threads(initial, work);
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

long locked_processes(long initial, transactions work) {
    // TODO(task 3): copy unsynchronized_processes here and protect every update with a
    // parlab::process_mutex that lives in the shared segment. A std::mutex in ordinary memory
    // does not work: fork gives each child its own copy of it.
    return unsynchronized_processes(initial, work);
}

long atomic_processes(long initial, transactions work) {
    // TODO(task 4): copy unsynchronized_processes here and make every update one atomic
    // read-modify-write of the balance in the shared segment. No lock.
    return unsynchronized_processes(initial, work);
}

}  // namespace parlab::lab01
