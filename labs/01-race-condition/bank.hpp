#pragma once
// You do not need to modify this file.
//
// Lab 01, the race condition: two workers share one bank balance. The depositor adds 1 to it,
// the withdrawer subtracts 1, each many times. Part A runs them as two threads, part B as two
// forked processes that share the balance through a shared-memory segment. Every function
// returns the final balance; with no lost update it is
//     initial + deposits - withdrawals.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>

namespace parlab::lab01 {

/// The work of one run: how many times each worker touches the balance.
struct transactions {
    std::size_t deposits = 0;     ///< the depositor adds 1 this many times
    std::size_t withdrawals = 0;  ///< the withdrawer subtracts 1 this many times
};

/// The balance a run must end with when no update is lost.
[[nodiscard]] constexpr long expected_balance(long initial, transactions work) noexcept {
    return initial + static_cast<long>(work.deposits) - static_cast<long>(work.withdrawals);
}

/// A start line for a fixed number of workers: nobody leaves arrive_and_wait() before all have
/// arrived, so the workers really run at the same time instead of one finishing before the
/// other has started. It is a lock-free atomic counter, so it works between threads and, placed
/// in a shared segment, between processes.
class start_line {
public:
    explicit start_line(int workers) noexcept : waiting_(workers) {}

    /// Counts this worker in, then waits until every worker has.
    void arrive_and_wait() noexcept {
        waiting_.fetch_sub(1, std::memory_order_acq_rel);
        while (waiting_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
    }

private:
    std::atomic<int> waiting_;
    static_assert(std::atomic<int>::is_always_lock_free);
};

/// `balance = balance + delta` done the way a processor does it: read the value, then write
/// the new one. Each step alone is atomic (so the program has no undefined behaviour), but the
/// pair is not: another worker can write between the read and the write, and its update is then
/// overwritten, i.e. lost.
/// Between the two steps the worker stays busy for half a microsecond to a microsecond and a half
/// (a different time each call), so that the other worker's updates often land right there and
/// the race shows on every machine, even one with a single core (where the switch to the other
/// worker comes at a timer tick, most likely inside this window). The time varies so that two
/// workers running side by side do not fall into step, where the same one would always write
/// last. It spins rather than yielding the processor: a worker that holds a lock around this call
/// costs the same on a busy machine as on an idle one.
inline void load_then_store(std::atomic<long>& balance, long delta) noexcept {
    thread_local std::uint32_t state = 0x9e3779b9u ^ static_cast<std::uint32_t>(
                                           std::hash<std::thread::id>{}(std::this_thread::get_id()));
    state ^= state << 13;  // xorshift32: a cheap, different number each call
    state ^= state >> 17;
    state ^= state << 5;
    const long seen = balance.load(std::memory_order_relaxed);
    const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(500 + state % 1000);
    while (std::chrono::steady_clock::now() < until) {
    }
    balance.store(seen + delta, std::memory_order_relaxed);
}

static_assert(std::atomic<long>::is_always_lock_free,
              "the balance must be lock-free to work between processes");

// Part A: threads --------------------------------------------------------------------------

/// Given: a depositor thread and a withdrawer thread updating the balance with
/// load_then_store and no synchronisation. Loses updates: the result is usually wrong.
[[nodiscard]] long unsynchronized_threads(long initial, transactions work);

/// Task 1: like unsynchronized_threads, but every update is made under a std::mutex.
/// Always returns expected_balance(initial, work).
[[nodiscard]] long mutex_threads(long initial, transactions work);

/// Task 2: like unsynchronized_threads, but every update is one atomic read-modify-write.
/// Always returns expected_balance(initial, work).
[[nodiscard]] long atomic_threads(long initial, transactions work);

// Part B: processes ------------------------------------------------------------------------

/// Given: the balance in a shared segment (parlab::shared_value), updated by a depositor and a
/// withdrawer process (parlab::process) with load_then_store and no synchronisation. Loses
/// updates.
[[nodiscard]] long unsynchronized_processes(long initial, transactions work);

/// Task 3: like unsynchronized_processes, but every update is made under a lock that lives in
/// the shared segment (parlab::process_mutex). Always returns expected_balance(initial, work).
[[nodiscard]] long locked_processes(long initial, transactions work);

/// Task 4: like unsynchronized_processes, but every update is one atomic read-modify-write on
/// the balance in the shared segment. Always returns expected_balance(initial, work).
[[nodiscard]] long atomic_processes(long initial, transactions work);

}  // namespace parlab::lab01
