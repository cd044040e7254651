// You do not need to modify this file.
//
// The figures of lab 08 on this machine (`./parlab bench --only 08` runs it on the solutions;
// with --mine, on your code). Every table of solutions/08-distributed-memory/ANSWERS.md comes
// from here, under the same section numbers:
//   1. strong scaling: the smoothing of 128 x 20000 numbers (sigma 4) on 1, 2, 3 and 4 ranks,
//      split into its phases by smooth_rows_timed (task 4; the phases of the median run), and the dot product of two vectors of
//      4,000,000 numbers (distributed_dot), each timed on rank 0 from a barrier to the result,
//      and both again without MPI (the serial loops in one process), the speedups' baseline. "The
//      rest" is the whole call less its three timed phases: making the buffers (new memory, paid
//      a page fault per 4 KiB on first use) and the barriers;
//   2. ping-pong between two ranks: a message of each size sent back and forth; half the median
//      round trip is the time of one message, and size / that time its bandwidth; then how a rank
//      waits: the processor time rank 1 uses in MPI_Recv while rank 0 sleeps for a second;
//   3. the crossover: the smoothing of arrays from 1 x 16 to 128 x 20000 numbers, on 1 rank and
//      on 2, to see from which size splitting it over two ranks starts to pay.
// Each run of ranks is a timed one (rank_job::for_timing): Open MPI's own eager limit, and ranks
// that keep the memory they free for their next allocation (GLIBC_TUNABLES, up to 32 MiB a
// block): the timings are of a program's steady state, the work and the messages, not of the
// kernel handing out fresh pages, which costs a page fault per 4 KiB on first use (`./parlab
// faults` measures that; in section 1 it would be most of "the rest").
// Every figure is the median of R timed runs after one untimed run.
//
//   parlab_lab08_bench [--max-workers N] [--repetitions R]
//     --max-workers N    the most ranks of section 1 (default 4)
//     --repetitions R    timed runs per figure (default 5)

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "distributed.hpp"
#include "parlab/splitmix.hpp"
#include "parlab/teaching.hpp"

namespace {

namespace lab08 = parlab::lab08;
namespace fs = std::filesystem;

constexpr std::size_t big_rows = 128, big_cols = 20000, dot_n = 4'000'000;
constexpr double sigma = 4;

std::vector<double> random_values(std::size_t n, bool root) {
    return root ? parlab::uniform_values(n, 8) : std::vector<double>{};
}

double processor_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// The median of `repetitions` runs of body() after one, as every rank times it; body() starts
// after a barrier, so that rank 0's clock starts when every rank is there.
template <class Body>
double median_seconds(MPI_Comm comm, std::size_t repetitions, Body body) {
    std::vector<double> times;
    for (std::size_t i = 0; i <= repetitions; ++i) {
        MPI_Barrier(comm);
        const double start = MPI_Wtime();
        body();
        if (i > 0) times.push_back(MPI_Wtime() - start);
    }
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
    return times[times.size() / 2];
}

// The ranks' side of each section: rank 0 appends one line of numbers to the file `out`.
void rank_body(const lab08::rank_job& job, MPI_Comm comm) {
    const bool root = lab08::rank_of(comm) == 0;
    const auto repetitions = static_cast<std::size_t>(std::stoul(job.option("repetitions")));
    std::ofstream out;
    if (root) out.open(job.option("out"), std::ios::app);
    if (job.name == "scaling") {
        const std::vector<double> input = random_values(big_rows * big_cols, root);
        // the phases of the run whose whole time is the median, so that they add up with it
        std::vector<std::pair<double, lab08::phase_seconds>> runs;
        for (std::size_t i = 0; i <= repetitions; ++i) {
            lab08::phase_seconds phases;
            MPI_Barrier(comm);
            const double start = MPI_Wtime();
            (void)lab08::smooth_rows_timed(input, big_rows, big_cols, sigma, comm, phases);
            if (i > 0) runs.emplace_back(MPI_Wtime() - start, phases);
        }
        std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(runs.size() / 2), runs.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        const auto& [whole, phases] = runs[runs.size() / 2];
        const std::vector<double> x = random_values(dot_n, root), y = random_values(dot_n, root);
        const double dot = median_seconds(comm, repetitions, [&] { (void)lab08::distributed_dot(x, y, comm); });
        if (root)
            out << lab08::size_of(comm) << ' ' << whole << ' ' << phases.scatter << ' ' << phases.compute << ' '
                << phases.gather << ' ' << dot << '\n';
        if (lab08::size_of(comm) == 1) {  // the serial code, no MPI at all: what speedup is measured against
            const lab08::gaussian_kernel g = lab08::make_gaussian(sigma);
            std::vector<double> smoothed(input.size());
            const double serial_smoothing = median_seconds(comm, repetitions, [&] {
                for (std::size_t row = 0; row < big_rows; ++row)
                    lab08::smooth_row(&input[row * big_cols], &smoothed[row * big_cols], big_cols, g);
            });
            double sink = 0;
            const double serial_dot = median_seconds(comm, repetitions, [&] {
                double products = 0;
                for (std::size_t i = 0; i < dot_n; ++i) products += x[i] * y[i];
                sink += products;
            });
            out << serial_smoothing << ' ' << serial_dot << ' ' << (sink == 0.5 ? 1 : 0) << '\n';
        }
    } else if (job.name == "pingpong") {
        const int rank = lab08::rank_of(comm);
        for (const std::size_t bytes : {std::size_t{8}, std::size_t{64}, std::size_t{512}, std::size_t{4} << 10,
                                        std::size_t{32} << 10, std::size_t{256} << 10, std::size_t{2} << 20,
                                        std::size_t{16} << 20, std::size_t{64} << 20}) {
            std::vector<char> message(bytes, 'x');
            const std::size_t trips = std::max<std::size_t>(3, std::min<std::size_t>(2000, (std::size_t{256} << 20) / bytes));
            const double seconds = median_seconds(comm, repetitions, [&] {
                for (std::size_t t = 0; t < trips; ++t) {
                    if (rank == 0) {
                        MPI_Send(message.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, comm);
                        MPI_Recv(message.data(), static_cast<int>(bytes), MPI_CHAR, 1, 0, comm, MPI_STATUS_IGNORE);
                    } else if (rank == 1) {
                        MPI_Recv(message.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, comm, MPI_STATUS_IGNORE);
                        MPI_Send(message.data(), static_cast<int>(bytes), MPI_CHAR, 0, 0, comm);
                    }
                }
            });
            if (root) out << bytes << ' ' << seconds / static_cast<double>(2 * trips) << '\n';
        }
        // how a rank waits: rank 1 waits in MPI_Recv while rank 0 sleeps for a second before sending
        double waiting[2] = {0, 0};  // wall, processor seconds of rank 1's wait
        char byte = 0;
        MPI_Barrier(comm);
        if (rank == 0) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            MPI_Send(&byte, 1, MPI_CHAR, 1, 1, comm);
        } else if (rank == 1) {
            const double wall = MPI_Wtime(), cpu = processor_seconds();
            MPI_Recv(&byte, 1, MPI_CHAR, 0, 1, comm, MPI_STATUS_IGNORE);
            waiting[0] = MPI_Wtime() - wall;
            waiting[1] = processor_seconds() - cpu;
            MPI_Send(waiting, 2, MPI_DOUBLE, 0, 2, comm);
        }
        if (root) {
            MPI_Recv(waiting, 2, MPI_DOUBLE, 1, 2, comm, MPI_STATUS_IGNORE);
            out << waiting[0] << ' ' << waiting[1] << '\n';
        }
    } else if (job.name == "crossover") {
        for (const auto& [rows, cols] : std::vector<std::pair<std::size_t, std::size_t>>{
                 {1, 16}, {2, 64}, {4, 250}, {8, 1000}, {32, 1000}, {32, 5000}, {128, 20000}}) {
            const std::vector<double> input = random_values(rows * cols, root);
            const double seconds = median_seconds(
                comm, repetitions, [&] { (void)lab08::smooth_rows_distributed(input, rows, cols, sigma, comm); });
            if (root) out << rows << ' ' << cols << ' ' << seconds << '\n';
        }
    }
}

// Runs one section on `ranks` ranks; the lines rank 0 wrote.
std::vector<std::vector<double>> section(const std::string& name, int ranks, std::size_t repetitions) {
    const fs::path out = fs::temp_directory_path() / ("parlab-lab08-bench-" + std::to_string(::getpid()));
    fs::remove(out);
    lab08::rank_job job{name, {"out=" + out.string(), "repetitions=" + std::to_string(repetitions)}, true};
    const lab08::ranks_outcome outcome = lab08::run_ranks(ranks, job, 900);
    if (!outcome.ok)
        throw std::runtime_error(name + " on " + std::to_string(ranks) + " ranks failed: " +
                                 (outcome.timed_out ? outcome.stuck : outcome.failure.empty() ? outcome.output : outcome.failure));
    std::vector<std::vector<double>> lines;
    std::ifstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::vector<double> numbers;
        std::istringstream fields(line);
        for (double x = 0; fields >> x;) numbers.push_back(x);
        lines.push_back(numbers);
    }
    fs::remove(out);
    return lines;
}

int run(const parlab::teaching::bench_options& options) {
    const std::size_t repetitions = options.repetitions == 0 ? 5 : options.repetitions;
    const int most = options.max_workers == 0 ? 4 : static_cast<int>(std::min<std::size_t>(options.max_workers, 16));
    std::printf("1. strong scaling: smoothing %zu x %zu (sigma %g), dot product of 2 x %zu numbers; "
                "ms, median of %zu (this machine has %u cores)\n",
                big_rows, big_cols, sigma, dot_n, repetitions, std::thread::hardware_concurrency());
    std::printf("%6s %10s %9s %9s %9s %9s %9s %12s %10s %9s\n", "ranks", "smoothing", "speedup", "scatter", "compute",
                "gather", "the rest", "comm. share", "dot", "speedup");
    double smooth_one = 0, dot_one = 0;
    for (int ranks = 1; ranks <= most; ++ranks) {
        const auto lines = section("scaling", ranks, repetitions);
        const std::vector<double>& f = lines.at(0);
        if (ranks == 1) {
            const std::vector<double>& serial = lines.at(1);
            smooth_one = serial.at(0), dot_one = serial.at(1);
            std::printf("%6s %10.1f %8.2fx %9s %9.1f %9s %9s %12s %10.2f %8.2fx\n", "serial", smooth_one * 1e3, 1.0, "-",
                        smooth_one * 1e3, "-", "-", "-", dot_one * 1e3, 1.0);
        }
        std::printf("%6d %10.1f %8.2fx %9.1f %9.1f %9.1f %9.1f %11.0f%% %10.2f %8.2fx\n", ranks, f[1] * 1e3,
                    smooth_one / f[1], f[2] * 1e3, f[3] * 1e3, f[4] * 1e3, (f[1] - f[2] - f[3] - f[4]) * 1e3,
                    100 * (f[2] + f[4]) / f[1], f[5] * 1e3, dot_one / f[5]);
    }
    std::printf("\n2. ping-pong between 2 ranks (Open MPI, shared memory): one message, median of %zu\n", repetitions);
    std::printf("%12s %14s %14s\n", "bytes", "one message", "bandwidth");
    const auto pingpong = section("pingpong", 2, repetitions);
    for (std::size_t i = 0; i + 1 < pingpong.size(); ++i)
        std::printf("%12.0f %11.2f us %11.2f GB/s\n", pingpong[i][0], pingpong[i][1] * 1e6,
                    pingpong[i][0] / pingpong[i][1] / 1e9);
    const double waited = pingpong.back().at(0), used = pingpong.back().at(1);
    std::printf("a rank waiting in MPI_Recv for %.2f s used %.2f s of processor time: %s\n", waited, used,
                used > 0.5 * waited ? "it polls, keeping a core busy while it waits" : "it mostly slept");
    std::printf("\n3. the crossover: smoothing (sigma %g) on 1 rank and on 2, ms, median of %zu\n", sigma, repetitions);
    std::printf("%12s %10s %10s %10s\n", "array", "1 rank", "2 ranks", "speedup");
    const auto one = section("crossover", 1, repetitions), two = section("crossover", 2, repetitions);
    for (std::size_t i = 0; i < one.size() && i < two.size(); ++i)
        std::printf("%5.0f x %5.0f %10.3f %10.3f %9.2fx\n", one[i][0], one[i][1], one[i][2] * 1e3, two[i][2] * 1e3,
                    one[i][2] / two[i][2]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    lab08::serve_as_rank(rank_body);
    return parlab::teaching::run_bench(
        "parlab_lab08_bench", {.max_workers = "the most ranks of the scaling table (default 4)", .repetitions = 5}, argc,
        argv, run);
}
