// Lab 05: model solution. Each "Solution (task N)" comment explains the idea of that task.

#include "array_split.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "parlab/pipe.hpp"
#include "parlab/process.hpp"
#include "parlab/split.hpp"
#include "parlab/system_error.hpp"
#include "parlab/timing.hpp"

namespace parlab::lab05 {

namespace {

// out[i] = w[0] * x[i] + sum over k = 1..r of w[k] * (x[i - k] + x[i + k]), for i in [0, n):
// x[-r .. n + r - 1] must be readable, w points at the centre weight. The outputs go in tiles
// small enough to stay in the L1 cache while the loop over k sweeps them r times; the inner
// loop has no branch and no index arithmetic but i, so the compiler vectorises it.
void correlate_symmetric(const double* x, double* __restrict out, std::size_t n, const double* w, std::size_t r) {
    constexpr std::size_t tile = 512;
    for (std::size_t first = 0; first < n; first += tile) {
        const std::size_t m = std::min(tile, n - first);
        double* __restrict o = out + first;
        const double* c = x + first;
        const double w0 = w[0];
        for (std::size_t i = 0; i < m; ++i) o[i] = w0 * c[i];
        for (std::size_t k = 1; k <= r; ++k) {
            const double wk = w[k];
            const double* __restrict lo = c - k;
            const double* __restrict hi = c + k;
            for (std::size_t i = 0; i < m; ++i) o[i] += wk * (lo[i] + hi[i]);
        }
    }
}

// Joins every worker, then throws the first failure (the lowest worker number).
void join_workers(std::vector<process>& workers) {
    std::optional<process_error> first_failure;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        exit_status status = workers[w].join();
        if (!status.ok() && !first_failure) first_failure.emplace(describe_worker_failure(w, status), status);
    }
    if (first_failure) throw *first_failure;
}

// The blocks of [0, n) for min(workers, n) workers; none when n is 0.
std::vector<block> worker_blocks(std::size_t n, std::size_t workers) {
    if (n == 0) return {};
    return even_split(n, std::min(workers, n));
}

void write_all(int fd, const double* values, std::size_t count) {
    const auto* bytes = reinterpret_cast<const std::byte*>(values);
    std::size_t left = count * sizeof(double);
    while (left > 0) {
        const ssize_t sent = detail::retry_on_eintr([&] { return ::write(fd, bytes, left); });
        if (sent < 0) detail::throw_errno("cannot write to the parent's pipe");
        bytes += sent;
        left -= static_cast<std::size_t>(sent);
    }
}

}  // namespace

void smooth_row(const double* in, double* out, std::size_t n, const gaussian_kernel& g) {
    // Solution (task 4): copy the row once into a buffer with r reflected samples on each side,
    // so the sums need no border test at all; then use w[k] == w[-k] to halve the products:
    // w[0] * x[i] + sum of w[k] * (x[i - k] + x[i + k]), with k in the outer loop and i inner (see
    // correlate_symmetric). SciPy pairs the samples the same way but adds the outermost pair
    // first; the sums differ from SciPy's and the reference's by a few units in the last place,
    // well within the tolerance.
    if (n == 0) return;
    const std::size_t r = g.radius;
    thread_local std::vector<double> padded;
    padded.resize(n + 2 * r);
    const auto signed_r = static_cast<std::ptrdiff_t>(r);
    for (std::ptrdiff_t j = 0; j < signed_r; ++j) {
        padded[static_cast<std::size_t>(j)] = in[reflect_index(j - signed_r, n)];
        padded[r + n + static_cast<std::size_t>(j)] = in[reflect_index(static_cast<std::ptrdiff_t>(n) + j, n)];
    }
    std::memcpy(padded.data() + r, in, n * sizeof(double));
    correlate_symmetric(padded.data() + r, out, n, g.weights.data() + r, r);
}

void split_rows(const row_kernel& kernel, const_matrix_view input, matrix& output, std::size_t workers) {
    check_split_arguments(input, output, workers);
    // Solution (task 1): one contiguous block of rows per worker. The output was mapped shared
    // before the fork, so what the children write is what the parent reads after joining them;
    // the input needs no sharing, since fork() gives each child a (copy-on-write) view of it.
    // In place, a row is copied before the kernel overwrites it: its own samples are the only
    // ones it reads, so no other worker is affected.
    const bool in_place = input.data == output.data();
    std::vector<process> children;
    for (const block& rows : worker_blocks(input.rows, workers)) {
        children.push_back(process::start([&kernel, &output, input, rows, in_place] {
            std::vector<double> copy(in_place ? input.cols : 0);
            for (std::size_t y = rows.first; y < rows.last; ++y) {
                const double* in_row = input.row(y).data();
                if (in_place) {
                    std::copy(input.row(y).begin(), input.row(y).end(), copy.begin());
                    in_row = copy.data();
                }
                kernel(in_row, output.row(y).data(), input.cols);
            }
        }));
    }
    // A failure in a child surfaces here, after all of them have ended: nothing is left running.
    join_workers(children);
}

matrix split_rows_pipe(const row_kernel& kernel, const_matrix_view input, std::size_t workers) {
    if (workers == 0) throw std::invalid_argument("split_rows_pipe: workers must be at least 1");
    // Solution (task 2): each worker writes its rows, one by one, into its own pipe. A pipe
    // holds only 64 KiB, so a worker soon waits for the parent; the parent therefore waits on
    // all pipes at once (poll) and reads from whichever has data, instead of reading the workers
    // one after another, which would stall every worker but the one being read. read() returns
    // what is there, often less than asked; write() may also stop short: both loop.
    const std::vector<block> blocks = worker_blocks(input.rows, workers);
    std::vector<process> children;
    std::vector<unique_fd> from_worker;
    for (const block& rows : blocks) {
        pipe_ends pipe = make_pipe();
        children.push_back(process::start([&kernel, &pipe, input, rows] {
            pipe.read.close();
            std::vector<double> row(input.cols);
            for (std::size_t y = rows.first; y < rows.last; ++y) {
                kernel(input.row(y).data(), row.data(), input.cols);
                write_all(pipe.write.get(), row.data(), input.cols);
            }
        }));
        pipe.write.close();  // else the parent would never see end-of-file from a worker that died
        from_worker.push_back(std::move(pipe.read));
    }
    // The output is made after the forks: made before, its pages would be shared copy-on-write
    // with the running workers, and the parent's first write to each would copy it once more.
    matrix output(input.rows, input.cols);

    struct incoming {
        std::byte* next;
        std::size_t left;
    };
    std::vector<incoming> expected;
    for (const block& rows : blocks)
        expected.push_back({reinterpret_cast<std::byte*>(output.row(rows.first).data()),
                            rows.size() * input.cols * sizeof(double)});
    for (;;) {
        std::vector<pollfd> waiting;
        std::vector<std::size_t> worker_of;
        for (std::size_t w = 0; w < blocks.size(); ++w) {
            if (expected[w].left == 0 && from_worker[w]) from_worker[w].close();  // nothing more to read
            if (!from_worker[w]) continue;
            waiting.push_back({from_worker[w].get(), POLLIN, 0});
            worker_of.push_back(w);
        }
        if (waiting.empty()) break;
        if (detail::retry_on_eintr([&] { return ::poll(waiting.data(), waiting.size(), -1); }) < 0)
            detail::throw_errno("cannot wait for the workers' pipes");
        for (std::size_t i = 0; i < waiting.size(); ++i) {
            if (waiting[i].revents == 0) continue;
            incoming& in = expected[worker_of[i]];
            const std::size_t ask = std::min<std::size_t>(in.left, SSIZE_MAX);
            const ssize_t got = detail::retry_on_eintr([&] { return ::read(waiting[i].fd, in.next, ask); });
            if (got < 0) detail::throw_errno("cannot read from worker " + std::to_string(worker_of[i]));
            if (got == 0) {  // the worker ended early: join_workers tells why
                from_worker[worker_of[i]].close();
                continue;
            }
            in.next += got;
            in.left -= static_cast<std::size_t>(got);
        }
    }
    join_workers(children);
    for (std::size_t w = 0; w < blocks.size(); ++w) {
        if (expected[w].left == 0) continue;
        exit_status status;
        status.exited = true;
        status.error = "ended with " + std::to_string(expected[w].left) + " bytes of its rows unsent";
        throw process_error(describe_worker_failure(w, status), status);
    }
    return output;
}

void smooth_column_block(const_matrix_view input, matrix_view output, double sigma, block columns) {
    const gaussian_kernel g = make_gaussian(sigma);
    // Solution (task 3): output x needs input x - r .. x + r, so a block [first, last) needs
    // the r samples on each side of it as well (its halo), reflected only at the row's true
    // ends. Filtering the segment [first - r, last + r) as if it were a row gives the right
    // values in its middle, whose sums never reach the segment's own (false) ends.
    const std::size_t halo = g.radius;
    const std::size_t width = columns.size();
    if (width == 0) return;
    std::vector<double> segment(width + 2 * halo), smoothed(width + 2 * halo);
    const auto start = static_cast<std::ptrdiff_t>(columns.first) - static_cast<std::ptrdiff_t>(halo);
    for (std::size_t y = 0; y < input.rows; ++y) {
        const double* row = input.row(y).data();
        for (std::size_t j = 0; j < segment.size(); ++j)
            segment[j] = row[reflect_index(start + static_cast<std::ptrdiff_t>(j), input.cols)];
        smooth_row(segment.data(), smoothed.data(), segment.size(), g);
        std::copy_n(smoothed.begin() + static_cast<std::ptrdiff_t>(halo), width,
                    output.row(y).begin() + static_cast<std::ptrdiff_t>(columns.first));
    }
}

matrix smooth_split_columns(const_matrix_view input, double sigma, std::size_t workers) {
    if (workers == 0) throw std::invalid_argument("smooth_split_columns: workers must be at least 1");
    (void)gaussian_radius(sigma);
    // Solution (task 3): a separate output, so every worker reads its halo from the untouched
    // input. Filtering in place along the rows would let a worker read, as its halo, samples its
    // neighbour has already smoothed (replay_in_place_split shows it).
    matrix output(input.rows, input.cols, memory_kind::shared_memory);
    std::vector<process> children;
    for (const block& columns : worker_blocks(input.cols, workers))
        children.push_back(process::start(
            [input, &output, sigma, columns] { smooth_column_block(input, output.view(), sigma, columns); }));
    join_workers(children);
    return output;
}

timing_table time_splits(const_matrix_view input, double sigma, std::span<const std::size_t> worker_counts,
                         std::size_t repetitions) {
    if (repetitions == 0) throw std::invalid_argument("time_splits: repetitions must be at least 1");
    // Solution (task 4): the same measurement (one untimed run, then the median) for each.
    const row_kernel kernel = gaussian_row_kernel(sigma);
    timing_table table;
    table.serial_seconds = time_repeated([&] { (void)smooth_rows_serial(input, sigma); }, repetitions).median;
    for (const std::size_t workers : worker_counts) {
        if (workers == 0) throw std::invalid_argument("time_splits: a worker count must be at least 1");
        split_timing timing;
        timing.workers = workers;
        timing.shared_seconds = time_repeated([&] { (void)split_rows(kernel, input, workers); }, repetitions).median;
        timing.pipe_seconds = time_repeated([&] { (void)split_rows_pipe(kernel, input, workers); }, repetitions).median;
        table.rows.push_back(timing);
    }
    return table;
}

}  // namespace parlab::lab05
