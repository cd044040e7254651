#pragma once
// The grader's serial reference for lab 02: the dot product, stated as plainly as possible. It is
// the grader's own and independent of solutions/, which are fast parallel model answers.

#include <cmath>
#include <cstddef>
#include <span>

namespace parlab::grader::reference {

/// sum(x[i] * y[i]) with Neumaier's compensated summation.
[[nodiscard]] inline double dot(std::span<const double> x, std::span<const double> y) {
    double sum = 0, compensation = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double term = x[i] * y[i];
        const double t = sum + term;
        compensation += std::abs(sum) >= std::abs(term) ? (sum - t) + term : (term - t) + sum;
        sum = t;
    }
    return sum + compensation;
}

}  // namespace parlab::grader::reference
