#pragma once
// Lab 06's serial reference, the grader's own: the median filter exactly as worker_pool.hpp
// states it (each window collected and its element of rank size * size / 2 picked with
// nth_element), the high-pass, and the least-squares Amdahl fit.

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

namespace parlab::grader::lab06_reference {

/// The coordinate in [0, n) that i reads under the reflect border (period 2n).
[[nodiscard]] inline std::size_t reflect(std::ptrdiff_t i, std::size_t n) {
    const auto period = 2 * static_cast<std::ptrdiff_t>(n);
    std::ptrdiff_t m = i % period;
    if (m < 0) m += period;
    return static_cast<std::size_t>(m < static_cast<std::ptrdiff_t>(n) ? m : period - 1 - m);
}

/// frame - median(frame), for a rows x cols frame and a size x size window.
[[nodiscard]] inline std::vector<float> highpass(const std::vector<float>& frame, std::size_t rows, std::size_t cols,
                                                 std::size_t size) {
    std::vector<float> out(frame.size());
    std::vector<float> window(size * size);
    const auto half = static_cast<std::ptrdiff_t>(size / 2);
    for (std::size_t y = 0; y < rows; ++y) {
        for (std::size_t x = 0; x < cols; ++x) {
            std::size_t k = 0;
            for (std::size_t dy = 0; dy < size; ++dy) {
                const std::size_t from_y = reflect(static_cast<std::ptrdiff_t>(y + dy) - half, rows);
                for (std::size_t dx = 0; dx < size; ++dx)
                    window[k++] = frame[from_y * cols + reflect(static_cast<std::ptrdiff_t>(x + dx) - half, cols)];
            }
            const auto middle = window.begin() + static_cast<std::ptrdiff_t>(size * size / 2);
            std::nth_element(window.begin(), middle, window.end());
            out[y * cols + x] = frame[y * cols + x] - *middle;
        }
    }
    return out;
}

/// Amdahl's serial fraction by least squares on 1/S (worker_pool.hpp, fit_serial_fraction).
template <class Point>
[[nodiscard]] double serial_fraction(std::span<const Point> points) {
    double ab = 0, aa = 0;
    for (const Point& p : points) {
        const double w = static_cast<double>(p.workers);
        ab += (1 - 1 / w) * (1 / p.speedup - 1 / w);
        aa += (1 - 1 / w) * (1 - 1 / w);
    }
    return ab / aa;
}

}  // namespace parlab::grader::lab06_reference
