#pragma once
// You do not need to modify this file.
//
// Lab 02, lock placement: the dot product sum(x[i] * y[i]) of two vectors, cut into chunks
// (parlab::even_split) that a pool of threads (parlab::thread_pool) works on at the same time,
// all adding into one shared accumulator. Where the lock goes decides whether the result is
// right and how fast it comes.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <stdexcept>
#include <vector>

#include "parlab/thread_pool.hpp"

namespace parlab::lab02 {

/// The number of chunks the lab uses unless a test or the benchmark says otherwise.
inline constexpr std::size_t default_chunks = 64;

/// The size of a cache line on the machines the lab targets (x86-64 and most ARM cores): the
/// padding that separates the slots of task 4. C++17's std::hardware_destructive_interference_size
/// is the compiler's own guess at the distance that avoids false sharing, and it differs: GCC 12
/// gives 64 on x86-64 and 256 on AArch64 (GCC also warns when a header uses it, because its value
/// changes with -mtune). On x86 the processor may fetch a line's neighbour with it, so 128 bytes
/// is the safer padding there; 64 is enough to show the effect in this lab.
inline constexpr std::size_t cache_line = 64;

/// `n` numbers drawn uniformly from [0, 1) by a generator seeded with `seed`; the same numbers
/// on every machine and compiler.
[[nodiscard]] std::vector<double> random_vector(std::size_t n, std::uint64_t seed);

/// A std::mutex that counts how often it was taken, and how often a thread found it already
/// taken and had to wait (lock() tries try_lock() first). Pass one to the locked versions; the
/// tests read the counts afterwards to see where the lock was placed. Read the counts only when
/// no thread uses the mutex any more.
class counting_mutex {
public:
    void lock();
    [[nodiscard]] bool try_lock();
    void unlock();

    /// Successful lock() and try_lock() calls so far.
    [[nodiscard]] std::uint64_t acquisitions() const noexcept { return acquisitions_; }
    /// lock() calls that found the mutex taken by another thread and waited.
    [[nodiscard]] std::uint64_t contended() const noexcept { return contended_; }

private:
    std::mutex mutex_;
    std::uint64_t acquisitions_ = 0;  // changed only by the thread holding mutex_
    std::uint64_t contended_ = 0;
};

/// `total += term` as two steps, a read and then a write. Each step is atomic (no undefined
/// behaviour), the pair is not: an addition another thread makes between them is lost.
inline void load_then_store(std::atomic<double>& total, double term) noexcept {
    const double seen = total.load(std::memory_order_relaxed);
    total.store(seen + term, std::memory_order_relaxed);
}

/// Throws std::invalid_argument unless x and y have the same length.
inline void require_same_size(std::span<const double> x, std::span<const double> y) {
    if (x.size() != y.size())
        throw std::invalid_argument("dot product of vectors of different lengths");
}

/// The result of a per-worker version: the dot product and, for the layout check, the address
/// of the partial sum (slot) each worker of the pool added into, one per worker.
struct per_worker_result {
    double value = 0;
    std::vector<std::uintptr_t> slots;
};

// Every version computes sum(x[i] * y[i]) over all i, with x and y of the same length (else
// std::invalid_argument), cut into even_split(x.size(), chunks) chunks run as tasks on `pool`;
// chunks > 0. They differ in how the chunks' contributions reach the shared total.

/// Version 1, given (dot_support.cpp): every product added to one shared total with
/// load_then_store and no lock. Wrong whenever two threads add at the same time, and wrong
/// differently each run.
[[nodiscard]] double dot_unlocked(std::span<const double> x, std::span<const double> y,
                                  thread_pool& pool, std::size_t chunks);

/// Task 1, version 2: `lock` taken around the update of the total for every element:
/// exactly x.size() acquisitions. Right, and slow.
[[nodiscard]] double dot_lock_per_element(std::span<const double> x, std::span<const double> y,
                                          thread_pool& pool, std::size_t chunks,
                                          counting_mutex& lock);

/// Task 2, version 3: each chunk sums its products into a local partial sum, then adds it to
/// the total under `lock`: one acquisition per chunk (empty chunks may skip it). Right and fast.
[[nodiscard]] double dot_lock_per_chunk(std::span<const double> x, std::span<const double> y,
                                        thread_pool& pool, std::size_t chunks,
                                        counting_mutex& lock);

/// Task 3: like version 3, but each chunk's partial sum reaches the total by one atomic
/// read-modify-write (std::atomic<double>::fetch_add or a compare-exchange loop); no lock.
[[nodiscard]] double dot_atomic_per_chunk(std::span<const double> x, std::span<const double> y,
                                          thread_pool& pool, std::size_t chunks);

/// Task 4a: one task per worker of the pool (pool.size() tasks) takes chunks until none are
/// left and adds every product straight into its own slot; the slots are adjacent doubles, so
/// several share a cache line (false sharing). The result lists the pool.size() slot addresses.
[[nodiscard]] per_worker_result dot_per_worker_adjacent(std::span<const double> x,
                                                        std::span<const double> y,
                                                        thread_pool& pool, std::size_t chunks);

/// Task 4b: as 4a, but every slot has a cache line (cache_line bytes) to itself.
[[nodiscard]] per_worker_result dot_per_worker_padded(std::span<const double> x,
                                                      std::span<const double> y,
                                                      thread_pool& pool, std::size_t chunks);

}  // namespace parlab::lab02
