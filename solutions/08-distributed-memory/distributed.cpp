// Lab 08: your code. Every function is called by every rank at once (distributed.hpp).
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "distributed.hpp"

namespace parlab::lab08 {

layout block_layout(std::size_t n, std::size_t ranks) {
    layout l;
    for (const block& b : even_split(n, ranks)) {
        l.counts.push_back(static_cast<int>(b.size()));
        l.displacements.push_back(static_cast<int>(b.first));
    }
    return l;
}

// Task 1. Rank 0 tells everyone n, sends each rank its block of x and of y, and every rank adds
// its own products. No lock: no two ranks ever touch the same memory. Each partial sum is a
// number in its own process, and MPI_Allreduce adds them and hands the total to every rank.
double distributed_dot(std::span<const double> x, std::span<const double> y, MPI_Comm comm) {
    const int rank = rank_of(comm);
    if (rank == 0 && x.size() != y.size()) throw std::invalid_argument("x and y differ in size");
    unsigned long long n = x.size();
    MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, comm);
    const layout parts = block_layout(n, static_cast<std::size_t>(size_of(comm)));
    const int mine = parts.counts[static_cast<std::size_t>(rank)];
    std::vector<double> xs(static_cast<std::size_t>(mine)), ys(static_cast<std::size_t>(mine));
    MPI_Scatterv(x.data(), parts.counts.data(), parts.displacements.data(), MPI_DOUBLE, xs.data(), mine, MPI_DOUBLE, 0, comm);
    MPI_Scatterv(y.data(), parts.counts.data(), parts.displacements.data(), MPI_DOUBLE, ys.data(), mine, MPI_DOUBLE, 0, comm);
    double partial = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) partial += xs[i] * ys[i];
    double total = 0;
    MPI_Allreduce(&partial, &total, 1, MPI_DOUBLE, MPI_SUM, comm);
    return total;
}

// Tasks 2 and 4 in steps. A rank's share: its block of whole rows (each cols numbers), and room
// for them and for their smoothed copy, made before anything moves (so that task 4 can time the
// messages apart from the allocations: fresh memory costs a page fault per 4 KiB on first use).
struct rows_split {
    layout parts;  // counts and displacements in numbers, not rows
    std::vector<double> local, smoothed;
};

static rows_split plan_rows(std::size_t rows, std::size_t cols, MPI_Comm comm) {
    const auto ranks = static_cast<std::size_t>(size_of(comm));
    rows_split split{block_layout(rows, ranks), {}, {}};
    for (std::size_t r = 0; r < ranks; ++r) {
        split.parts.counts[r] *= static_cast<int>(cols);
        split.parts.displacements[r] *= static_cast<int>(cols);
    }
    const auto mine = static_cast<std::size_t>(split.parts.counts[static_cast<std::size_t>(rank_of(comm))]);
    split.local.resize(mine);
    split.smoothed.resize(mine);
    return split;
}

static void scatter_rows(std::span<const double> input, rows_split& split, MPI_Comm comm) {
    MPI_Scatterv(input.data(), split.parts.counts.data(), split.parts.displacements.data(), MPI_DOUBLE,
                 split.local.data(), static_cast<int>(split.local.size()), MPI_DOUBLE, 0, comm);
}

static void smooth_local_rows(rows_split& split, std::size_t cols, const gaussian_kernel& g) {
    for (std::size_t offset = 0; offset < split.local.size(); offset += cols)
        smooth_row(split.local.data() + offset, split.smoothed.data() + offset, cols, g);
}

static void gather_rows(const rows_split& split, std::vector<double>& result, MPI_Comm comm) {
    MPI_Gatherv(split.smoothed.data(), static_cast<int>(split.smoothed.size()), MPI_DOUBLE, result.data(),
                split.parts.counts.data(), split.parts.displacements.data(), MPI_DOUBLE, 0, comm);
}

// Task 2. The filter runs along each row, so a row needs nothing from any other: scatter whole
// rows, smooth them where they landed, gather them back. No halo.
std::vector<double> smooth_rows_distributed(std::span<const double> input, std::size_t rows, std::size_t cols,
                                            double sigma, MPI_Comm comm) {
    const gaussian_kernel g = make_gaussian(sigma);
    rows_split split = plan_rows(rows, cols, comm);
    std::vector<double> result(rank_of(comm) == 0 ? rows * cols : 0);
    scatter_rows(input, split, comm);
    smooth_local_rows(split, cols, g);
    gather_rows(split, result, comm);
    return result;
}

// Task 4. The same steps, each timed from a barrier, so that no rank's time for a phase includes
// waiting for the others to arrive at it; the slowest rank's time is the phase's time.
std::vector<double> smooth_rows_timed(std::span<const double> input, std::size_t rows, std::size_t cols, double sigma,
                                      MPI_Comm comm, phase_seconds& times) {
    const gaussian_kernel g = make_gaussian(sigma);
    rows_split split = plan_rows(rows, cols, comm);
    std::vector<double> result(rank_of(comm) == 0 ? rows * cols : 0);
    MPI_Barrier(comm);
    const double start = MPI_Wtime();
    scatter_rows(input, split, comm);
    const double scattered = MPI_Wtime();
    smooth_local_rows(split, cols, g);
    const double computed = MPI_Wtime();
    MPI_Barrier(comm);
    const double gather_start = MPI_Wtime();
    gather_rows(split, result, comm);
    const double mine[3] = {scattered - start, computed - scattered, MPI_Wtime() - gather_start};
    double longest[3] = {};
    MPI_Reduce(mine, longest, 3, MPI_DOUBLE, MPI_MAX, 0, comm);
    if (rank_of(comm) == 0) times = {longest[0], longest[1], longest[2]};
    return result;
}

// Task 3. The block sits in the middle of `extended`, with radius slots on each side. Each
// neighbour pair swaps its edge samples in one MPI_Sendrecv per direction: both ranks send and
// receive in one call, so neither waits for the other to post a receive first (two plain
// MPI_Send calls facing each other deadlock once a message is too big to buffer). The ends of
// the signal have no neighbour: their halo is the block's own samples, mirrored.
std::vector<double> smooth_signal_distributed(std::span<const double> signal, std::size_t n, double sigma,
                                              MPI_Comm comm) {
    const gaussian_kernel g = make_gaussian(sigma);
    if (n == 0) return {};
    const std::size_t r = g.radius;
    const int rank = rank_of(comm);
    const auto ranks = static_cast<std::size_t>(size_of(comm));
    const std::size_t active = halo_ranks(n, r, ranks);
    layout parts = block_layout(n, active);
    parts.counts.resize(ranks, 0);
    parts.displacements.resize(ranks, static_cast<int>(n));
    const auto me = static_cast<std::size_t>(rank);
    const auto width = static_cast<std::size_t>(parts.counts[me]);
    std::vector<double> extended(width + 2 * r), smoothed(width);
    MPI_Scatterv(signal.data(), parts.counts.data(), parts.displacements.data(), MPI_DOUBLE, extended.data() + r,
                 static_cast<int>(width), MPI_DOUBLE, 0, comm);
    if (me < active) {
        const int left = me > 0 ? rank - 1 : MPI_PROC_NULL;
        const int right = me + 1 < active ? rank + 1 : MPI_PROC_NULL;
        const int halo = static_cast<int>(r);
        // my first r samples go left while the right neighbour's first r arrive in my right halo
        MPI_Sendrecv(extended.data() + r, halo, MPI_DOUBLE, left, 0, extended.data() + r + width, halo, MPI_DOUBLE,
                     right, 0, comm, MPI_STATUS_IGNORE);
        // my last r samples go right while the left neighbour's last r arrive in my left halo
        MPI_Sendrecv(extended.data() + width, halo, MPI_DOUBLE, right, 1, extended.data(), halo, MPI_DOUBLE, left, 1,
                     comm, MPI_STATUS_IGNORE);
        const auto first = static_cast<std::ptrdiff_t>(parts.displacements[me]);
        const auto sr = static_cast<std::ptrdiff_t>(r);
        for (std::ptrdiff_t k = 1; k <= sr; ++k) {  // the signal's own ends: reflect
            if (left == MPI_PROC_NULL)
                extended[static_cast<std::size_t>(sr - k)] = extended[r + reflect_index(first - k, n) - static_cast<std::size_t>(first)];
            if (right == MPI_PROC_NULL)
                extended[r + width + static_cast<std::size_t>(k - 1)] =
                    extended[r + reflect_index(first + static_cast<std::ptrdiff_t>(width) + k - 1, n) - static_cast<std::size_t>(first)];
        }
        smooth_extended(extended.data(), smoothed.data(), width, g);
    }
    std::vector<double> result(rank == 0 ? n : 0);
    MPI_Gatherv(smoothed.data(), static_cast<int>(width), MPI_DOUBLE, result.data(), parts.counts.data(),
                parts.displacements.data(), MPI_DOUBLE, 0, comm);
    return result;
}

}  // namespace parlab::lab08
