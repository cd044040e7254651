#pragma once
// Lab 01's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe and the
// verifier alike.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "seeded.hpp"

namespace parlab::grader {

/// One run of the bank: the initial balance and how many deposits and withdrawals.
struct balance_run {
    long initial;
    std::size_t deposits, withdrawals;
    [[nodiscard]] long expected() const noexcept {
        return initial + static_cast<long>(deposits) - static_cast<long>(withdrawals);
    }
};
[[nodiscard]] inline std::vector<balance_run> seeded_balance_runs(std::uint64_t seed, std::size_t count) {
    seeded_numbers numbers(derive_seed(seed, 1));
    std::vector<balance_run> runs;
    for (std::size_t i = 0; i < count; ++i) {
        const long initial = numbers.between(0, 1000);
        const auto deposits = static_cast<std::size_t>(numbers.between(20000, 50000));
        runs.push_back({initial, deposits, static_cast<std::size_t>(numbers.between(20000, 50000))});
    }
    return runs;
}

}  // namespace parlab::grader
