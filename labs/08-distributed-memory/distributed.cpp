// Lab 08: your code. Every function is called by every rank at once (distributed.hpp).
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "distributed.hpp"

namespace parlab::lab08 {

layout block_layout(std::size_t n, std::size_t ranks) {
    // TODO(task 1): one count and one displacement per rank, from parlab::even_split(n, ranks).
    (void)n;
    (void)ranks;
    throw std::logic_error("block_layout is not written yet (task 1)");
}

double distributed_dot(std::span<const double> x, std::span<const double> y, MPI_Comm comm) {
    // TODO(task 1): only rank 0 knows n: MPI_Bcast it. Then MPI_Scatterv each vector's blocks,
    // add the products of this rank's block, and combine the partial sums so that every rank
    // gets the total.
    (void)x;
    (void)y;
    (void)comm;
    throw std::logic_error("distributed_dot is not written yet (task 1)");
}

std::vector<double> smooth_rows_distributed(std::span<const double> input, std::size_t rows, std::size_t cols,
                                            double sigma, MPI_Comm comm) {
    // TODO(task 2): scatter blocks of whole rows (a row is cols numbers), smooth each row with
    // smooth_row, gather the rows into rank 0 in order.
    (void)input;
    (void)rows;
    (void)cols;
    (void)sigma;
    (void)comm;
    throw std::logic_error("smooth_rows_distributed is not written yet (task 2)");
}

std::vector<double> smooth_signal_distributed(std::span<const double> signal, std::size_t n, double sigma,
                                              MPI_Comm comm) {
    // TODO(task 3): scatter the blocks over halo_ranks(n, radius, ranks) ranks; give each block
    // its halo (radius samples from each neighbour, the reflect border at the signal's ends);
    // smooth_extended; gather into rank 0.
    (void)signal;
    (void)n;
    (void)sigma;
    (void)comm;
    throw std::logic_error("smooth_signal_distributed is not written yet (task 3)");
}

std::vector<double> smooth_rows_timed(std::span<const double> input, std::size_t rows, std::size_t cols, double sigma,
                                      MPI_Comm comm, phase_seconds& times) {
    // TODO(task 4): the phases of task 2 (scatter, smooth, gather), each between two readings of
    // MPI_Wtime after an MPI_Barrier; then the maximum of each phase over the ranks on rank 0.
    (void)input;
    (void)rows;
    (void)cols;
    (void)sigma;
    (void)comm;
    (void)times;
    throw std::logic_error("smooth_rows_timed is not written yet (task 4)");
}

}  // namespace parlab::lab08
