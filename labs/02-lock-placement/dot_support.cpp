// You do not need to modify this file: the frozen part of lab 02, with version 1 of the dot
// product, the one the tasks start from.

#include <atomic>
#include <cstdint>
#include <vector>

#include "dot.hpp"
#include "parlab/split.hpp"
#include "parlab/splitmix.hpp"

namespace parlab::lab02 {

// Version 1: every product goes straight into one shared total, with no lock. The benchmark
// compares the other versions with it; tasks 1 and 2 start from a copy of it.
double dot_unlocked(std::span<const double> x, std::span<const double> y, thread_pool& pool,
                    std::size_t chunks) {
    require_same_size(x, y);
    const std::vector<block> parts = even_split(x.size(), chunks);
    std::atomic<double> total{0.0};
    // One task per chunk: the body runs for c = 0 .. parts.size()-1, spread over the pool.
    pool.parallel_for(0, parts.size(), [&](std::size_t c) {
        for (std::size_t i = parts[c].first; i < parts[c].last; ++i) load_then_store(total, x[i] * y[i]);
    }, parts.size());
    return total.load();
}

std::vector<double> random_vector(std::size_t n, std::uint64_t seed) { return uniform_values(n, seed, 0.0, 1.0); }

void counting_mutex::lock() {
    if (mutex_.try_lock()) {
        ++acquisitions_;
        return;
    }
    mutex_.lock();
    ++acquisitions_;
    ++contended_;
}

bool counting_mutex::try_lock() {
    if (!mutex_.try_lock()) return false;
    ++acquisitions_;
    return true;
}

void counting_mutex::unlock() { mutex_.unlock(); }

}  // namespace parlab::lab02
