#pragma once
// You do not need to modify this file.
//
// Lab 08, distributed memory: the dot product of lab 02 and the Gaussian smoothing of lab 05
// again, now over MPI ranks, processes that share nothing. A rank sees only its own memory; every
// number another rank needs travels in a message. Your functions are called by every rank of the
// communicator at once, with the same shape arguments on every rank; only rank 0 holds the data
// (the other ranks get empty spans) and only rank 0 returns the result, except where said.
//
// The smoothing is lab 05's filter exactly: radius r = int(4 sigma + 0.5); weights
// w[k] = exp(-0.5 k^2 / sigma^2) / (their sum), k = -r..r; y[i] = sum of w[k] * x[reflect(i + k)]
// with the "reflect" border (... c b a | a b c ... | x y z | z y x ...). Results are right within
// relative_tolerance times the largest magnitude of the input.
#include <mpi.h>

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "parlab/split.hpp"

namespace parlab::lab08 {

// ---- given: the filter, one process --------------------------------------------------------
inline constexpr double relative_tolerance = 1e-12;
/// The largest sigma the lab accepts.
inline constexpr double max_sigma = 1e4;

struct gaussian_kernel {
    double sigma = 0;
    std::size_t radius = 0;
    std::vector<double> weights;  ///< weights[k + radius] is w[k]
};
/// Throws std::invalid_argument unless 0 < sigma <= max_sigma.
[[nodiscard]] gaussian_kernel make_gaussian(double sigma);
/// Index i of a signal of n > 0 samples under the reflect border, as a sample in [0, n).
[[nodiscard]] std::size_t reflect_index(std::ptrdiff_t i, std::size_t n) noexcept;
/// Smooths one whole row (or signal) of n samples, reflect border at both ends: in[0..n) to
/// out[0..n). The serial reference of tasks 2 and 3.
void smooth_row(const double* in, double* out, std::size_t n, const gaussian_kernel& g);
/// Smooths a piece of a longer signal: `extended` holds the piece's `width` samples with the
/// radius' samples before and after it (its halo: width + 2 * radius numbers in all), and
/// out[0..width) gets the piece's smoothed samples. Reads nothing outside `extended`.
void smooth_extended(const double* extended, double* out, std::size_t width, const gaussian_kernel& g);

// ---- given: splitting over ranks -------------------------------------------------------------
/// What MPI_Scatterv and MPI_Gatherv take: how many elements each rank gets and where its part
/// starts in rank 0's array (both in elements of the datatype sent).
struct layout {
    std::vector<int> counts;
    std::vector<int> displacements;
};
/// How many ranks the halo exchange of task 3 spreads a signal of n samples over: at most
/// `ranks`, and few enough that every block of even_split(n, active) is at least `radius` wide,
/// so that a block's halo comes whole from its two neighbours and the reflect border at the
/// signal's ends from the end blocks themselves. At least 1. The other ranks get no samples.
[[nodiscard]] std::size_t halo_ranks(std::size_t n, std::size_t radius, std::size_t ranks) noexcept;
/// The rank of `comm` that calls it, and how many there are.
[[nodiscard]] int rank_of(MPI_Comm comm);
[[nodiscard]] int size_of(MPI_Comm comm);

// ---- task 1: the distributed dot product -----------------------------------------------------
/// Layout of n elements over `ranks` ranks in contiguous blocks, in rank order, as
/// parlab::even_split makes them (the first n % ranks ranks get one more; blocks may be empty).
[[nodiscard]] layout block_layout(std::size_t n, std::size_t ranks);
/// The dot product of x and y, which only rank 0 holds (the others pass empty spans). Rank 0
/// sends each rank only its block of both vectors (MPI_Scatterv, block_layout); each rank adds
/// the products of its block; the partial sums are added by a reduction. Returns the dot product
/// on every rank. Throws std::invalid_argument on rank 0 when x and y differ in size.
[[nodiscard]] double distributed_dot(std::span<const double> x, std::span<const double> y, MPI_Comm comm);

// ---- task 2: rows scattered, smoothed, gathered ----------------------------------------------
/// Smooths every row of a rows x cols array (row after row) that only rank 0 holds: the rows are
/// split over the ranks in contiguous blocks (even_split over rows), each rank smooths its rows
/// with smooth_row, and rank 0 gathers them (MPI_Gatherv). Returns rows * cols numbers on rank 0,
/// nothing on the others. rows, cols and sigma are the same on every rank.
[[nodiscard]] std::vector<double> smooth_rows_distributed(std::span<const double> input, std::size_t rows,
                                                          std::size_t cols, double sigma, MPI_Comm comm);

// ---- task 3: split along the filtering axis, halos by message ---------------------------------
/// Smooths one long signal of n samples that only rank 0 holds, split along its length: rank r
/// of the first halo_ranks(n, radius, size) ranks gets block r of even_split(n, active), the
/// others nothing. Each active rank receives the `radius` samples on either side of its block
/// from its left and right neighbours (the ends use the reflect border instead), smooths its
/// block with smooth_extended, and rank 0 gathers the blocks. Returns n numbers on rank 0,
/// nothing on the others.
[[nodiscard]] std::vector<double> smooth_signal_distributed(std::span<const double> signal, std::size_t n,
                                                            double sigma, MPI_Comm comm);

// ---- task 4: where the time goes ------------------------------------------------------------
/// Seconds of each phase of a distributed smoothing, each the longest over the ranks.
struct phase_seconds {
    double scatter = 0;  ///< sending the rows out
    double compute = 0;  ///< smoothing them
    double gather = 0;   ///< collecting the results on rank 0
};
/// Task 4: what smooth_rows_distributed does, with MPI_Wtime read around each phase. Every rank
/// first waits at an MPI_Barrier so that the phases start together; each phase's time is the
/// maximum over the ranks (an MPI_Reduce with MPI_MAX to rank 0), since the slowest rank is the
/// one everybody waits for. Returns the smoothed rows on rank 0 (nothing elsewhere) and sets
/// `times` on rank 0 (elsewhere it is left as it was).
[[nodiscard]] std::vector<double> smooth_rows_timed(std::span<const double> input, std::size_t rows, std::size_t cols,
                                                    double sigma, MPI_Comm comm, phase_seconds& times);

// ---- given: running ranks from a program -----------------------------------------------------
/// What a program asks of its ranks: a job name and its options (key=value).
struct rank_job {
    std::string name;
    std::vector<std::string> options;
    /// A run that is timed: Open MPI's own eager limit (4 KiB through shared memory) instead of
    /// 256 bytes, and ranks that keep the memory they free for their next allocation (glibc's
    /// GLIBC_TUNABLES, blocks up to 32 MiB), so that repeated calls time the work and the
    /// messages, not the kernel handing out fresh pages (a page fault per 4 KiB on first use).
    bool for_timing = false;
    /// The value of option `key` ("" when absent).
    [[nodiscard]] std::string option(const std::string& key) const;
};

/// How a run of `mpirun` ended.
struct ranks_outcome {
    bool ok = false;         ///< every rank ended with status 0
    bool timed_out = false;  ///< stopped: at its time limit, or as a deadlock (below)
    bool deadlocked = false; ///< stopped early: every rank inside an MPI call, none finishing one
    std::string stuck;       ///< where the ranks were waiting when they were stopped (a deadlock's story)
    std::string failure;     ///< what the lowest rank that threw threw: "rank R: what()" (else empty)
    std::string output;      ///< what mpirun and the ranks printed (the end of it)
    int rank_count = 0;      ///< with for_each_rank_count: the communicator size it was at when the run ended
};

/// Runs this very program as `ranks` MPI ranks (mpirun --oversubscribe) doing `job`, and waits
/// for them, stopping them after `seconds`. Each rank's code is the function main() passes to
/// serve_as_rank (below). Its MPI calls (point-to-point, and the lab's collectives) are watched:
/// when the limit stops the ranks,
/// `stuck` says which MPI call each rank was waiting in, and names the classic deadlock (two
/// ranks both in a blocking MPI_Send to each other). Ranks that all sit inside MPI calls, none of
/// them finishing one, for 3 seconds are stopped then as a deadlock, without waiting for the limit
/// (a message, even of 64 MiB, takes milliseconds). Messages above 256 bytes are never
/// buffered (the eager limit is set that low, unless job.for_timing), so that mistake
/// deadlocks every time.
[[nodiscard]] ranks_outcome run_ranks(int ranks, const rank_job& job, double seconds);

/// The seconds this process has spent inside MPI's point-to-point calls and collectives so far
/// (those the watch above sees), for a picture of where a rank's time goes.
[[nodiscard]] double seconds_in_mpi() noexcept;

/// Runs body(sub, k) for k = 1, 2, ..., size of comm, where sub is a communicator of the first k
/// ranks of comm (the others wait at a barrier meanwhile): one run of ranks tries code on every
/// rank count up to its own. Code run this way must use the communicator it is given, never
/// MPI_COMM_WORLD. Called by every rank of comm.
void for_each_rank_count(MPI_Comm comm, const std::function<void(MPI_Comm sub, int ranks)>& body);

/// The code of a rank: the job it was started for and the communicator of all the ranks.
using rank_body = void (*)(const rank_job& job, MPI_Comm comm);

/// Call first thing in main() (a test program: from a static initialiser). In a process that
/// run_ranks started as a rank, initialises MPI, runs `body`, finalises MPI and ends the process
/// (status 1 with the rank's number and the message when body throws); elsewhere returns at once.
void serve_as_rank(rank_body body);

}  // namespace parlab::lab08
