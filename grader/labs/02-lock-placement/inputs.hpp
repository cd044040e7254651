#pragma once
// Lab 02's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe, the
// grader's baseline and the verifier alike.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "seeded.hpp"

namespace parlab::grader {

/// Two vectors, a chunk count and a worker count.
struct dot_input {
    std::vector<double> x, y;
    std::size_t chunks, workers;
};
[[nodiscard]] inline dot_input seeded_dot_input(std::uint64_t seed, std::size_t n = 0) {
    seeded_numbers numbers(derive_seed(seed, 2));
    if (n == 0) n = static_cast<std::size_t>(numbers.between(100000, 300000));
    const auto chunks = static_cast<std::size_t>(numbers.between(5, 64));
    const auto workers = static_cast<std::size_t>(numbers.between(2, 3));
    return {seeded_doubles(derive_seed(seed, 3), n), seeded_doubles(derive_seed(seed, 4), n), chunks, workers};
}

/// The timed vector y: n numbers in [0, 1), new for every nonce. Two numbers of 32 random
/// bits each per random draw: it is made inside the timed run, so it must be cheap.
[[nodiscard]] inline std::vector<double> timing_doubles(std::uint64_t seed, std::uint64_t nonce, std::size_t n) {
    std::vector<double> values(n);
    seeded_numbers numbers(timing_seed(seed, nonce));
    for (std::size_t i = 0; i < n; i += 2) {
        const std::uint64_t z = numbers.next();
        values[i] = static_cast<double>(z >> 32) * 0x1.0p-32;
        if (i + 1 < n) values[i + 1] = static_cast<double>(z & 0xffffffffULL) * 0x1.0p-32;
    }
    return values;
}

/// The task 4 sweep: empty, one, odd, and one large size drawn from the seed.
[[nodiscard]] inline std::vector<std::size_t> sweep_sizes(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 11));
    return {0, 1, 1001, static_cast<std::size_t>(numbers.between(50000, 120000))};
}

}  // namespace parlab::grader
