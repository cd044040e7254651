#pragma once
// Lab 05's serial reference, written from the specification in labs/05-array-splitting/
// array_split.hpp and never linked to the lab's code: the verifier computes what every answer
// should be with it. It follows the stated order of the sums, so the lab's serial filter agrees
// with it to the last bit; answers are compared within 1e-12 times the input's largest magnitude.

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace parlab::grader::lab05_reference {

/// The normalised Gaussian weights: weights[k + radius] is w[k].
struct kernel {
    std::size_t radius = 0;
    std::vector<double> weights;
};

[[nodiscard]] inline kernel gaussian(double sigma) {
    if (!(sigma > 0) || sigma > 1e5) throw std::invalid_argument("reference: sigma out of range");
    kernel g;
    g.radius = static_cast<std::size_t>(4.0 * sigma + 0.5);
    const auto r = static_cast<long>(g.radius);
    for (long k = -r; k <= r; ++k) {
        const double kd = static_cast<double>(k);
        g.weights.push_back(std::exp(((-0.5 * kd) * kd) / (sigma * sigma)));
    }
    double total = 0;
    for (const double u : g.weights) total += u;
    for (double& w : g.weights) w /= total;
    return g;
}

/// The sample index i reads in a row of n > 0 samples under the "reflect" border (period 2n).
[[nodiscard]] inline std::size_t reflect(long i, std::size_t n) {
    const long period = 2 * static_cast<long>(n);
    long m = i % period;
    if (m < 0) m += period;
    return m < static_cast<long>(n) ? static_cast<std::size_t>(m) : static_cast<std::size_t>(period - 1 - m);
}

/// One output sample: y[i] of the row in[0..n-1].
[[nodiscard]] inline double smooth_at(const double* in, std::size_t n, const kernel& g, std::size_t i) {
    const auto r = static_cast<long>(g.radius);
    double sum = 0;
    for (long k = -r; k <= r; ++k)
        sum += g.weights[static_cast<std::size_t>(k + r)] * in[reflect(static_cast<long>(i) + k, n)];
    return sum;
}

/// Every row of a rows x cols array (row after row) smoothed along the row.
[[nodiscard]] inline std::vector<double> smooth_rows(std::span<const double> values, std::size_t rows, std::size_t cols,
                                                     double sigma) {
    const kernel g = gaussian(sigma);
    std::vector<double> out(rows * cols);
    for (std::size_t y = 0; y < rows; ++y)
        for (std::size_t x = 0; x < cols; ++x) out[y * cols + x] = smooth_at(values.data() + y * cols, cols, g, x);
    return out;
}

/// c[j]: the total weight sample j of a row of n carries into the row's outputs, so that the sum
/// of a smoothed row is the dot product of the row with c (the timing check's sum).
[[nodiscard]] inline std::vector<double> weight_per_sample(std::size_t n, double sigma) {
    const kernel g = gaussian(sigma);
    const auto r = static_cast<long>(g.radius);
    std::vector<double> c(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (long k = -r; k <= r; ++k)
            c[reflect(static_cast<long>(i) + k, n)] += g.weights[static_cast<std::size_t>(k + r)];
    return c;
}

/// The largest magnitude in values (0 for none).
[[nodiscard]] inline double largest_magnitude(std::span<const double> values) {
    double m = 0;
    for (const double v : values) m = std::fmax(m, std::fabs(v));
    return m;
}

/// The index of the first element of got further than tolerance from expected (a NaN is always
/// that far), or nullopt when every element is close enough.
[[nodiscard]] inline std::optional<std::size_t> first_wrong_index(std::span<const double> expected,
                                                                  std::span<const double> got, double tolerance) {
    for (std::size_t i = 0; i < expected.size() && i < got.size(); ++i)
        if (!(std::fabs(got[i] - expected[i]) <= tolerance)) return i;
    return std::nullopt;
}

/// Element i of got (rows x cols) against expected, as "row R, column C: expected E, got G".
[[nodiscard]] inline std::string wrong_element(std::span<const double> expected, std::span<const double> got,
                                               std::size_t cols, std::size_t i) {
    char text[200];
    std::snprintf(text, sizeof text, "row %zu, column %zu: expected %.17g, got %.17g", i / cols, i % cols, expected[i],
                  got[i]);
    return text;
}

/// The first element of got further than tolerance from expected, as wrong_element says it;
/// empty when every element is close enough.
[[nodiscard]] inline std::string first_wrong(std::span<const double> expected, std::span<const double> got,
                                             std::size_t cols, double tolerance) {
    const std::optional<std::size_t> at = first_wrong_index(expected, got, tolerance);
    return at ? wrong_element(expected, got, cols, *at) : std::string();
}

}  // namespace parlab::grader::lab05_reference
