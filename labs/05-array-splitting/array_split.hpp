#pragma once
// You do not need to modify this file.
//
// Lab 05, array splitting: a Gaussian smoothing of every row of a big array of doubles, with the
// rows (or the columns) split over forked workers that write into one output.
//
// The filter, exactly (it is SciPy's scipy.ndimage.gaussian_filter1d with its defaults):
//   * radius r = int(4.0 * sigma + 0.5) (truncated towards zero), for 0 < sigma <= max_sigma;
//   * raw weights u[k] = std::exp(-0.5 * k * k / (sigma * sigma)) for k = -r..r, computed in
//     double as ((-0.5 * k) * k) / (sigma * sigma);
//   * total = u[-r] + u[-r+1] + ... + u[r], added in that order; w[k] = u[k] / total;
//   * border "reflect": a row x[0..n-1] is extended by mirroring it about its ends, each sample
//     repeated at the mirror (x[-1] = x[0], x[-2] = x[1], ..., x[n] = x[n-1], x[n+1] = x[n-2]):
//         ... d c b a | a b c d | d c b a | a b c d ...
//     When r is larger than the row, the mirroring repeats: the extension has period 2n, and
//     reflect_index() below gives the sample used for any index (for n = 1 every index reads x[0],
//     so a one-sample row comes back unchanged, up to rounding);
//   * y[i] = sum over k = -r..r of w[k] * x[reflect(i + k)]. The reference adds the 2r + 1
//     products in increasing k, starting from w[-r] * x[reflect(i - r)], without fused
//     multiply-add.
// Any other order of the sums (using w[k] == w[-k], say) is correct when every output is within
// relative_tolerance * (the largest magnitude of the input) of the reference. Inputs must be
// finite. The filter runs along each row (axis 1 in NumPy's terms).

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/split.hpp"

namespace parlab::lab05 {

// ---- the filter's definition ---------------------------------------------------------------

/// The largest sigma the lab accepts (radius 400000).
inline constexpr double max_sigma = 1e5;

/// Results are right when every output is within relative_tolerance * max |input| of the
/// reference (tolerance_for).
inline constexpr double relative_tolerance = 1e-12;

/// The Gaussian weights for one sigma: weights[k + radius] is w[k], k = -radius..radius.
struct gaussian_kernel {
    double sigma = 0;
    std::size_t radius = 0;
    std::vector<double> weights;
};

/// int(4.0 * sigma + 0.5). Throws std::invalid_argument unless 0 < sigma <= max_sigma.
[[nodiscard]] std::size_t gaussian_radius(double sigma);

/// The normalised weights defined above. Throws std::invalid_argument like gaussian_radius.
[[nodiscard]] gaussian_kernel make_gaussian(double sigma);

/// The sample of a row of n > 0 samples that index i (any integer) reads under the reflect
/// border: with m = i mod 2n in [0, 2n), m when m < n, else 2n - 1 - m.
[[nodiscard]] std::size_t reflect_index(std::ptrdiff_t i, std::size_t n) noexcept;

// ---- arrays ----------------------------------------------------------------------------------

/// A non-owning view of rows x cols doubles stored row after row (row y starts at
/// data + y * cols). `T` is double for a writable view and const double for a read-only one.
template <class T>
struct basic_matrix_view {
    T* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;

    [[nodiscard]] std::size_t size() const noexcept { return rows * cols; }
    [[nodiscard]] std::span<T> row(std::size_t y) const noexcept { return {data + y * cols, cols}; }
    [[nodiscard]] T& at(std::size_t y, std::size_t x) const noexcept { return data[y * cols + x]; }
    /// A read-only view of the same numbers.
    operator basic_matrix_view<const T>() const noexcept {  // NOLINT: implicit on purpose
        return {data, rows, cols};
    }
};

using matrix_view = basic_matrix_view<double>;
using const_matrix_view = basic_matrix_view<const double>;

/// Where a matrix keeps its numbers.
enum class memory_kind {
    private_memory,  ///< ordinary memory: after fork() each process writes into its own copy
    shared_memory,   ///< an anonymous shared segment: forked workers write into the parent's numbers
};

/// rows x cols doubles that the matrix owns, in private or shared memory, zero-filled. Move-only.
class matrix {
public:
    matrix() = default;
    /// Throws std::invalid_argument when rows * cols doubles would not fit in memory's address
    /// range, std::system_error when shared memory cannot be mapped.
    matrix(std::size_t rows, std::size_t cols, memory_kind memory = memory_kind::private_memory);
    /// A copy of `source` in `memory`.
    matrix(const_matrix_view source, memory_kind memory);

    /// A moved-from matrix is empty (0 x 0).
    matrix(matrix&& other) noexcept;
    matrix& operator=(matrix&& other) noexcept;
    matrix(const matrix&) = delete;
    matrix& operator=(const matrix&) = delete;
    ~matrix() = default;

    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
    [[nodiscard]] memory_kind memory() const noexcept { return memory_; }
    [[nodiscard]] double* data() const noexcept { return data_; }
    [[nodiscard]] matrix_view view() const noexcept { return {data_, rows_, cols_}; }
    [[nodiscard]] std::span<double> row(std::size_t y) const noexcept { return view().row(y); }

private:
    std::size_t rows_ = 0;
    std::size_t cols_ = 0;
    memory_kind memory_ = memory_kind::private_memory;
    std::vector<double> private_;
    shared_segment shared_;
    double* data_ = nullptr;
};

/// relative_tolerance times the largest magnitude in `input` (0 for an empty or all-zero input).
[[nodiscard]] double tolerance_for(const_matrix_view input) noexcept;

/// Describes the first element of `got` more than `tolerance` away from `expected`
/// ("row 3, column 17: expected 0.25, got 0.5 (off by 0.25, tolerance 1e-12)"), or a shape
/// mismatch; empty when every element is close enough.
[[nodiscard]] std::string first_mismatch(const_matrix_view expected, const_matrix_view got, double tolerance);

// ---- the serial filter ---------------------------------------------------------------------

/// The filter of one row: out[i] for i in [0, n) as defined at the top, from in[0..n-1].
/// in and out do not overlap; n may be 0. Reads only in, writes only out[0..n-1].
/// Task 4 (optional speed-up): the given version is correct and slow.
void smooth_row(const double* in, double* out, std::size_t n, const gaussian_kernel& g);

/// Smooths every row of input in this process, into a new matrix in private memory.
[[nodiscard]] matrix smooth_rows_serial(const_matrix_view input, double sigma);

// ---- task 1: a splitter for row kernels --------------------------------------------------------

/// Computes out_row[0..n-1] from in_row[0..n-1], where n is the number of columns. split_rows
/// never calls it with overlapping rows. It may throw; the message reaches the caller.
using row_kernel = std::function<void(const double* in_row, double* out_row, std::size_t n)>;

/// A row kernel that runs smooth_row with the weights for sigma (made once, here).
/// Throws std::invalid_argument for a sigma make_gaussian refuses.
[[nodiscard]] row_kernel gaussian_row_kernel(double sigma);

/// The text of a worker's failure: "worker W failed: " followed by the message of the exception
/// it threw, or by status.describe() when it ended otherwise ("killed by signal SIGSEGV ...").
/// W counts from 0 in the order of the blocks.
[[nodiscard]] std::string describe_worker_failure(std::size_t worker, const exit_status& status);

/// Throws std::invalid_argument, naming the problem, unless workers >= 1, output has the shape
/// of input, output is in shared memory, and input either is exactly output's numbers (in place)
/// or does not overlap them.
void check_split_arguments(const_matrix_view input, const matrix& output, std::size_t workers);

/// Task 1, given output (and in place, when input is output.view()): runs
///     for (std::size_t y = 0; y < input.rows; ++y) kernel(&input.at(y, 0), &output.row(y)[0], input.cols);
/// on min(workers, input.rows) forked workers, each taking one contiguous block of rows
/// (parlab::even_split, in order: worker 0 gets the first block), and writing straight into
/// output, which lives in shared memory. In place, a worker hands the kernel a private copy of
/// the input row. Every worker is joined, even when one fails; then the first failed worker (the
/// lowest W) is rethrown as parlab::process_error with describe_worker_failure's text.
/// Throws std::invalid_argument as check_split_arguments does.
void split_rows(const row_kernel& kernel, const_matrix_view input, matrix& output, std::size_t workers);

/// Task 1, new output (the default mode): the same into a new matrix in shared memory (given, in
/// array_split_support.cpp: it calls the one above).
[[nodiscard]] matrix split_rows(const row_kernel& kernel, const_matrix_view input, std::size_t workers);

// ---- task 2: gathering through pipes -----------------------------------------------------------

/// Task 2: the same result, but each worker keeps its output rows in private memory and sends
/// them to the parent through a pipe, in row order; the parent copies them into place in a new
/// matrix in private memory. Workers, blocks and failures as in split_rows; a worker that
/// ends without sending all its rows is a failure too (process_error, "worker W failed: ...").
[[nodiscard]] matrix split_rows_pipe(const row_kernel& kernel, const_matrix_view input, std::size_t workers);

// ---- task 3: splitting along the filtering axis ------------------------------------------------

/// Task 3, one block: for every row y, writes output(y, x) for x in [columns.first,
/// columns.last) as the filter of the whole row of input defines it (reflect only at the row's
/// true ends). output has input's shape. output may be input itself (in place): each row's
/// input samples are all read before any output of that row is written.
void smooth_column_block(const_matrix_view input, matrix_view output, double sigma, block columns);

/// Task 3: smooths every row of input along the row, splitting the COLUMNS over
/// min(workers, input.cols) forked workers (even_split), each running smooth_column_block for
/// its block into a new matrix in shared memory, which is returned. Within the tolerance of the
/// serial filter. Failures as in split_rows; std::invalid_argument for 0 workers or a bad sigma.
[[nodiscard]] matrix smooth_split_columns(const_matrix_view input, double sigma, std::size_t workers);

/// Which axis the demonstration below splits.
enum class split_axis { rows, columns };
/// The order in which it runs the blocks: first to last, or last to first.
enum class block_order { forward, backward };

/// Replays, in this process and one block after another, what `blocks` workers filtering `data`
/// IN PLACE would compute if each ran to its end before the next began: splitting the rows,
/// each block of rows is smoothed with smooth_row through a private copy of each row; splitting
/// the columns, each block runs smooth_column_block(data, data, ...). Concurrent workers can
/// produce exactly this interleaving, so whatever it gets wrong, they can get wrong.
void replay_in_place_split(matrix_view data, double sigma, std::size_t blocks, split_axis axis, block_order order);

// ---- task 4: measuring -----------------------------------------------------------------------

/// Median seconds of one worker count.
struct split_timing {
    std::size_t workers = 0;
    double shared_seconds = 0;  ///< split_rows(gaussian_row_kernel(sigma), input, workers)
    double pipe_seconds = 0;    ///< split_rows_pipe(the same)
};

/// What time_splits measured.
struct timing_table {
    double serial_seconds = 0;  ///< smooth_rows_serial(input, sigma)
    std::vector<split_timing> rows;  ///< one per entry of worker_counts, in that order
};

/// Task 4: the median time of `repetitions` runs (after one untimed run) of the serial filter
/// and of both splits for each worker count. Throws std::invalid_argument when repetitions is 0,
/// a worker count is 0 or sigma is bad.
[[nodiscard]] timing_table time_splits(const_matrix_view input, double sigma,
                                       std::span<const std::size_t> worker_counts, std::size_t repetitions);

/// The serial fraction f of Amdahl's law that explains `speedup` on `workers` workers:
/// speedup = 1 / (f + (1 - f) / workers), so f = (1 / speedup - 1 / workers) / (1 - 1 / workers).
/// Throws std::invalid_argument unless workers >= 2 and speedup > 0.
[[nodiscard]] double amdahl_serial_fraction(double speedup, std::size_t workers);

}  // namespace parlab::lab05
