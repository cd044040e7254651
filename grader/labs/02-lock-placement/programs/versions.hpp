#pragma once
// You do not need to modify this file.
//
// The versions of the dot product that lab 02's teaching programs run side by side, written once
// for both: the demo (demo.cpp) shows the serial loop, the given version 1 and tasks 1 to 3; the
// benchmark (bench.cpp) times them all, task 4's too, on the same input (random_input).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dot.hpp"

namespace parlab::lab02::programs {

using vec = std::span<const double>;

/// What one run of a version gives: its value and, for a version that takes the lock, how often
/// it took it and how often it had to wait.
struct run_result {
    double value = 0;
    std::uint64_t acquisitions = 0;
    std::uint64_t contended = 0;
};

/// One version of the dot product, as the tables name it.
struct version {
    const char* name;
    int task;     ///< the task that writes it; 0 for the serial loop and the given version 1
    bool locked;  ///< whether it takes a counting_mutex (the tables show its counters)
    run_result (*run)(vec x, vec y, thread_pool& pool, std::size_t chunks);
};

/// The plain loop every version is compared with, on one thread.
inline double serial_dot(vec x, vec y) {
    double sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += x[i] * y[i];
    return sum;
}

namespace detail {

// A version that takes a lock, run with a fresh counting_mutex whose counters come back.
template <double (*dot)(vec, vec, thread_pool&, std::size_t, counting_mutex&)>
run_result with_lock(vec x, vec y, thread_pool& pool, std::size_t chunks) {
    counting_mutex lock;
    const double value = dot(x, y, pool, chunks, lock);
    return {value, lock.acquisitions(), lock.contended()};
}

}  // namespace detail

/// Every version, in the order of the tasks.
inline constexpr version versions[] = {
    {"serial loop, one thread", 0, false,
     [](vec x, vec y, thread_pool&, std::size_t) { return run_result{serial_dot(x, y)}; }},
    {"v1: no lock (given)", 0, false,
     [](vec x, vec y, thread_pool& p, std::size_t c) { return run_result{dot_unlocked(x, y, p, c)}; }},
    {"v2: lock per element (task 1)", 1, true, detail::with_lock<dot_lock_per_element>},
    {"v3: lock per chunk (task 2)", 2, true, detail::with_lock<dot_lock_per_chunk>},
    {"atomic add per chunk (task 3)", 3, false,
     [](vec x, vec y, thread_pool& p, std::size_t c) { return run_result{dot_atomic_per_chunk(x, y, p, c)}; }},
    {"per worker, adjacent (task 4)", 4, false,
     [](vec x, vec y, thread_pool& p, std::size_t c) { return run_result{dot_per_worker_adjacent(x, y, p, c).value}; }},
    {"per worker, padded (task 4)", 4, false,
     [](vec x, vec y, thread_pool& p, std::size_t c) { return run_result{dot_per_worker_padded(x, y, p, c).value}; }},
};

/// Two vectors of random numbers for the versions to multiply.
struct dot_input {
    std::vector<double> x;
    std::vector<double> y;
};

/// The input of n elements both programs use: the same numbers for the same n.
inline dot_input random_input(std::size_t n) { return {random_vector(n, 1), random_vector(n, 2)}; }

}  // namespace parlab::lab02::programs
