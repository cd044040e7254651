// Lab 02, model solution. Version 1 is given (dot_support.cpp); tasks 1 to 4 write the other
// versions.

#include "dot.hpp"

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "parlab/split.hpp"

namespace parlab::lab02 {

namespace {

// The products of one chunk summed into a local variable, which no other thread sees: no lock.
// Not inlined on purpose: when this loop is inlined next to the lock's call, GCC 12 keeps
// `partial` in memory instead of a register (it must survive the call), and the loop runs at
// half speed.
[[gnu::noinline]] double chunk_dot(std::span<const double> x, std::span<const double> y, block part) {
    double partial = 0;
    for (std::size_t i = part.first; i < part.last; ++i) partial += x[i] * y[i];
    return partial;
}

}  // namespace

// Version 2: correct, because no two threads can be between the read and the write of the
// total at once; slow, because every single multiply-add now pays a lock and an unlock (two
// atomic instructions, far dearer than the multiply-add), and with two or more threads the
// lock's cache line moves between the cores. Few acquisitions are contended (at most about
// 9 % in the benchmark): the cost is the locking itself, not the waiting.
double dot_lock_per_element(std::span<const double> x, std::span<const double> y,
                            thread_pool& pool, std::size_t chunks, counting_mutex& lock) {
    require_same_size(x, y);
    const std::vector<block> parts = even_split(x.size(), chunks);
    double total = 0;
    pool.parallel_for(0, parts.size(), [&](std::size_t c) {
        for (std::size_t i = parts[c].first; i < parts[c].last; ++i) {
            std::lock_guard guard(lock);
            total += x[i] * y[i];
        }
    }, parts.size());
    return total;
}

// Version 3: the products of a chunk go into a local variable nobody else sees (no lock needed),
// and only the chunk's result touches the shared total: 64 acquisitions instead of a million.
double dot_lock_per_chunk(std::span<const double> x, std::span<const double> y,
                          thread_pool& pool, std::size_t chunks, counting_mutex& lock) {
    require_same_size(x, y);
    const std::vector<block> parts = even_split(x.size(), chunks);
    double total = 0;
    pool.parallel_for(0, parts.size(), [&](std::size_t c) {
        const double partial = chunk_dot(x, y, parts[c]);
        std::lock_guard guard(lock);
        total += partial;
    }, parts.size());
    return total;
}

// fetch_add on a double is a compare-exchange loop inside: read, compute, and store only if
// nobody changed the total meanwhile, else retry with the new value. One per chunk is cheap.
double dot_atomic_per_chunk(std::span<const double> x, std::span<const double> y,
                            thread_pool& pool, std::size_t chunks) {
    require_same_size(x, y);
    const std::vector<block> parts = even_split(x.size(), chunks);
    std::atomic<double> total{0.0};
    pool.parallel_for(0, parts.size(), [&](std::size_t c) {
        total.fetch_add(chunk_dot(x, y, parts[c]), std::memory_order_relaxed);
    }, parts.size());
    return total.load();
}

namespace {

// A slot a worker adds into. `sum` is written for every element on purpose (not kept in a
// local), so that the cost of the slots' placement in memory shows in the benchmark.
struct padded_slot {
    alignas(cache_line) double sum = 0;
};
static_assert(sizeof(padded_slot) == cache_line);

double& sum_of(double& slot) { return slot; }
double& sum_of(padded_slot& slot) { return slot.sum; }

// One task per worker, each taking the next chunk number from a shared counter until all are
// taken (like Pool.map handing out chunks), and adding into its own slot. Each slot has a
// single writer, so there is no race; the slots are summed after every task has finished.
template <class Slot>
per_worker_result per_worker(std::span<const double> x, std::span<const double> y,
                             thread_pool& pool, std::size_t chunks) {
    require_same_size(x, y);
    const std::vector<block> parts = even_split(x.size(), chunks);
    std::vector<Slot> slots(pool.size());
    std::atomic<std::size_t> next_chunk{0};
    std::vector<std::future<void>> done;
    for (std::size_t w = 0; w < slots.size(); ++w) {
        done.push_back(pool.submit([&, w] {
            // Through atomic_ref, every addition really reads and writes the slot in memory;
            // with a plain double& the compiler may keep the sum in a register and only store it.
            // Relaxed order: slot w has a single writer, task w; get() below publishes it.
            std::atomic_ref<double> sum(sum_of(slots[w]));
            for (std::size_t c = next_chunk++; c < parts.size(); c = next_chunk++) {
                for (std::size_t i = parts[c].first; i < parts[c].last; ++i)
                    sum.store(sum.load(std::memory_order_relaxed) + x[i] * y[i], std::memory_order_relaxed);
            }
        }));
    }
    for (auto& task : done) task.get();
    per_worker_result result;
    for (Slot& slot : slots) {
        result.value += sum_of(slot);
        result.slots.push_back(reinterpret_cast<std::uintptr_t>(&sum_of(slot)));
    }
    return result;
}

}  // namespace

// Adjacent doubles: eight slots share one 64-byte cache line (the line size of x86-64 and most
// ARM cores). Each write by one core takes the whole line away from the others (false sharing),
// although no two threads use the same slot.
per_worker_result dot_per_worker_adjacent(std::span<const double> x, std::span<const double> y,
                                          thread_pool& pool, std::size_t chunks) {
    return per_worker<double>(x, y, pool, chunks);
}

// alignas(cache_line) makes each slot start a new line and fill it, so each core keeps its line.
per_worker_result dot_per_worker_padded(std::span<const double> x, std::span<const double> y,
                                        thread_pool& pool, std::size_t chunks) {
    return per_worker<padded_slot>(x, y, pool, chunks);
}

}  // namespace parlab::lab02
