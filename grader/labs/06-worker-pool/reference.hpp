#pragma once
// Lab 06's serial reference, the grader's own: the median filter exactly as worker_pool.hpp
// states it (each window collected and its element of rank size * size / 2 picked with
// nth_element) and the high-pass. The Amdahl fit of task 4 is not recomputed: judge_fit checks
// the student's f by the property the task states (it makes the squared error on 1/S smallest).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
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

/// The squared error of a serial fraction f on 1/S: the sum over the points of
/// (1/S - (f + (1 - f) / p))^2, which fit_serial_fraction (worker_pool.hpp) makes smallest.
template <class Point>
[[nodiscard]] double amdahl_error(std::span<const Point> points, double f) {
    double sum = 0;
    for (const Point& point : points) {
        const double p = static_cast<double>(point.workers);
        const double r = 1 / point.speedup - (f + (1 - f) / p);
        sum += r * r;
    }
    return sum;
}

/// Whether f is the least-squares fit, judged without computing one: the error at f is no larger
/// than at f moved by `step` either way. The error is a parabola in f, so this holds exactly when
/// f is within step / 2 of the best fit (plus what rounding can hide, `slack`).
struct fit_judgement {
    bool least = false;
    double step = 0;
    double error = 0;         ///< E(f)
    double nearer = 0;        ///< when not least: f + step or f - step, whichever has the smaller error
    double nearer_error = 0;  ///< E(nearer)
};

template <class Point>
[[nodiscard]] fit_judgement judge_fit(std::span<const Point> points, double f) {
    fit_judgement j;
    if (!std::isfinite(f)) return j;
    // A millionth of f's own scale (f is a fraction, so at least 1e-6): rounding in any correct
    // way of computing the fit moves f by far less, and a wrong formula moves it by far more.
    j.step = 1e-6 * std::max(1.0, std::fabs(f));
    // What rounding can change in a sum of squares of terms of this size: generous, and still a
    // few percent of how much E grows over one step away from the best fit.
    double scale = 0;
    for (const Point& point : points) {
        const double p = static_cast<double>(point.workers);
        const double size = std::fabs(1 / point.speedup) + std::fabs(f) + std::fabs((1 - f) / p);
        scale += size * size;
    }
    const double slack = 16 * std::numeric_limits<double>::epsilon() * scale;
    j.error = amdahl_error(points, f);
    const double below = amdahl_error(points, f - j.step);
    const double above = amdahl_error(points, f + j.step);
    j.least = j.error <= below + slack && j.error <= above + slack;
    j.nearer = below < above ? f - j.step : f + j.step;
    j.nearer_error = std::min(below, above);
    return j;
}

}  // namespace parlab::grader::lab06_reference
