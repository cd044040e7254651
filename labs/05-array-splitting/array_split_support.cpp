// You do not need to modify this file.
// Lab 05 support (frozen): the Gaussian weights, the reflect border, the matrix, comparing
// results, the serial driver, the replay of in-place splits and the new-output split_rows.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "array_split.hpp"

namespace parlab::lab05 {

std::size_t gaussian_radius(double sigma) {
    if (!(sigma > 0) || !(sigma <= max_sigma)) {
        std::ostringstream text;
        text << "sigma " << sigma << ": expected a number above 0 and at most " << max_sigma;
        throw std::invalid_argument(text.str());
    }
    return static_cast<std::size_t>(4.0 * sigma + 0.5);
}

gaussian_kernel make_gaussian(double sigma) {
    gaussian_kernel g;
    g.sigma = sigma;
    g.radius = gaussian_radius(sigma);
    const auto r = static_cast<std::ptrdiff_t>(g.radius);
    g.weights.reserve(2 * g.radius + 1);
    double total = 0;
    for (std::ptrdiff_t k = -r; k <= r; ++k) {
        const auto kd = static_cast<double>(k);
        g.weights.push_back(std::exp(-0.5 * kd * kd / (sigma * sigma)));
        total += g.weights.back();
    }
    for (double& w : g.weights) w /= total;
    return g;
}

std::size_t reflect_index(std::ptrdiff_t i, std::size_t n) noexcept {
    const auto period = 2 * static_cast<std::ptrdiff_t>(n);
    std::ptrdiff_t m = i % period;
    if (m < 0) m += period;
    return static_cast<std::size_t>(m < static_cast<std::ptrdiff_t>(n) ? m : period - 1 - m);
}

// ---- matrix ------------------------------------------------------------------------------------

matrix::matrix(std::size_t rows, std::size_t cols, memory_kind memory)
    : rows_(rows), cols_(cols), memory_(memory) {
    constexpr std::size_t most = std::numeric_limits<std::size_t>::max() / (2 * sizeof(double));
    if (cols != 0 && rows > most / cols) {
        std::ostringstream text;
        text << "a " << rows << " x " << cols << " matrix of doubles is too large";
        throw std::invalid_argument(text.str());
    }
    if (memory == memory_kind::shared_memory) {
        shared_ = shared_segment(rows * cols * sizeof(double));  // zero-filled by the kernel
        data_ = static_cast<double*>(shared_.data());
    } else {
        private_.assign(rows * cols, 0.0);
        data_ = private_.data();
    }
}

matrix::matrix(const_matrix_view source, memory_kind memory) : matrix(source.rows, source.cols, memory) {
    if (source.size() != 0) std::memcpy(data_, source.data, source.size() * sizeof(double));
}

matrix::matrix(matrix&& other) noexcept
    : rows_(std::exchange(other.rows_, 0)),
      cols_(std::exchange(other.cols_, 0)),
      memory_(other.memory_),
      private_(std::move(other.private_)),
      shared_(std::move(other.shared_)),
      data_(std::exchange(other.data_, nullptr)) {
    other.private_.clear();
}

matrix& matrix::operator=(matrix&& other) noexcept {
    if (this != &other) {
        matrix moved(std::move(other));
        std::swap(rows_, moved.rows_);
        std::swap(cols_, moved.cols_);
        std::swap(memory_, moved.memory_);
        std::swap(private_, moved.private_);
        std::swap(shared_, moved.shared_);
        std::swap(data_, moved.data_);
    }
    return *this;
}

// ---- comparing -----------------------------------------------------------------------------------

double tolerance_for(const_matrix_view input) noexcept {
    double largest = 0;
    for (std::size_t i = 0; i < input.size(); ++i) largest = std::max(largest, std::fabs(input.data[i]));
    return relative_tolerance * largest;
}

std::string first_mismatch(const_matrix_view expected, const_matrix_view got, double tolerance) {
    std::ostringstream text;
    text.precision(17);
    if (expected.rows != got.rows || expected.cols != got.cols) {
        text << "expected a " << expected.rows << " x " << expected.cols << " result, got " << got.rows << " x "
             << got.cols;
        return text.str();
    }
    for (std::size_t y = 0; y < expected.rows; ++y) {
        for (std::size_t x = 0; x < expected.cols; ++x) {
            const double e = expected.at(y, x);
            const double g = got.at(y, x);
            if (std::fabs(e - g) <= tolerance) continue;  // also false for NaN
            text << "row " << y << ", column " << x << ": expected " << e << ", got " << g;
            text.precision(3);
            text << " (off by " << std::fabs(e - g) << ", tolerance " << tolerance << ")";
            return text.str();
        }
    }
    return {};
}

// ---- drivers ---------------------------------------------------------------------------------------

matrix smooth_rows_serial(const_matrix_view input, double sigma) {
    const gaussian_kernel g = make_gaussian(sigma);
    matrix output(input.rows, input.cols);
    for (std::size_t y = 0; y < input.rows; ++y) smooth_row(input.row(y).data(), output.row(y).data(), input.cols, g);
    return output;
}

row_kernel gaussian_row_kernel(double sigma) {
    return [g = make_gaussian(sigma)](const double* in_row, double* out_row, std::size_t n) {
        smooth_row(in_row, out_row, n, g);
    };
}

std::string describe_worker_failure(std::size_t worker, const exit_status& status) {
    const bool threw = status.exited && status.code == 1 && !status.error.empty();
    return "worker " + std::to_string(worker) + " failed: " + (threw ? status.error : status.describe());
}

void check_split_arguments(const_matrix_view input, const matrix& output, std::size_t workers) {
    if (workers == 0) throw std::invalid_argument("split_rows: workers must be at least 1");
    if (input.rows != output.rows() || input.cols != output.cols()) {
        std::ostringstream text;
        text << "split_rows: the output is " << output.rows() << " x " << output.cols() << " but the input is "
             << input.rows << " x " << input.cols;
        throw std::invalid_argument(text.str());
    }
    if (output.memory() != memory_kind::shared_memory)
        throw std::invalid_argument(
            "split_rows: the output is in private memory, so the workers' writes would never reach the "
            "caller; make it with memory_kind::shared_memory");
    const double* in_first = input.data;
    const double* in_last = input.data + input.size();
    const double* out_first = output.data();
    const double* out_last = output.data() + input.size();
    const bool same = in_first == out_first;
    const bool apart = std::less_equal<>()(in_last, out_first) || std::less_equal<>()(out_last, in_first);
    if (input.size() != 0 && !same && !apart)
        throw std::invalid_argument(
            "split_rows: the input and the output overlap without being the same numbers (in place needs "
            "input == output.view())");
}

void replay_in_place_split(matrix_view data, double sigma, std::size_t blocks, split_axis axis, block_order order) {
    const gaussian_kernel g = make_gaussian(sigma);
    if (blocks == 0) throw std::invalid_argument("replay_in_place_split: blocks must be at least 1");
    const std::size_t extent = axis == split_axis::rows ? data.rows : data.cols;
    std::vector<block> parts = even_split(extent, std::max<std::size_t>(1, std::min(blocks, extent)));
    if (order == block_order::backward) std::reverse(parts.begin(), parts.end());
    std::vector<double> copy(data.cols);
    for (const block& part : parts) {
        if (axis == split_axis::columns) {
            smooth_column_block(data, data, sigma, part);
            continue;
        }
        for (std::size_t y = part.first; y < part.last; ++y) {
            std::copy(data.row(y).begin(), data.row(y).end(), copy.begin());
            smooth_row(copy.data(), data.row(y).data(), data.cols, g);
        }
    }
}

// The new-output mode is the given-output one into a matrix made here: whatever task 1 makes of
// that, this mode follows.
matrix split_rows(const row_kernel& kernel, const_matrix_view input, std::size_t workers) {
    matrix output(input.rows, input.cols, memory_kind::shared_memory);
    split_rows(kernel, input, output, workers);
    return output;
}

double amdahl_serial_fraction(double speedup, std::size_t workers) {
    if (workers < 2 || !(speedup > 0))
        throw std::invalid_argument("amdahl_serial_fraction: needs at least 2 workers and a positive speedup");
    const double p = static_cast<double>(workers);
    return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p);
}

}  // namespace parlab::lab05
