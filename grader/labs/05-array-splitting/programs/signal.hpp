#pragma once
// The arrays lab 05's demo and bench smooth: every row a noisy signal (two slow waves plus
// uniform noise), the same on every machine.

#include <cmath>
#include <cstddef>
#include <random>

#include "array_split.hpp"

namespace parlab::lab05::programs {

/// rows x cols noisy waves in private memory, each row with its own phase.
[[nodiscard]] inline matrix noisy_waves(std::size_t rows, std::size_t cols) {
    matrix m(rows, cols);
    std::mt19937_64 random(2026);
    std::uniform_real_distribution<double> noise(-1.0, 1.0);
    for (std::size_t y = 0; y < rows; ++y) {
        const double phase = 0.37 * static_cast<double>(y);
        for (std::size_t x = 0; x < cols; ++x) {
            const double t = static_cast<double>(x);
            m.row(y)[x] = std::sin(t / 97.0 + phase) + 0.5 * std::sin(t / 23.0) + noise(random);
        }
    }
    return m;
}

}  // namespace parlab::lab05::programs
