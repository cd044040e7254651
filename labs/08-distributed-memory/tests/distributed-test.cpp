// Lab 08's tests. Each test starts this program again as 4 MPI ranks (run_ranks), which run your
// functions on the test's inputs on 1, 2, 3 and then 4 of them (for_each_rank_count) and write
// what they returned into a folder; the test compares it with the serial filter or sum here, in
// one process.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "distributed.hpp"
#include "parlab/splitmix.hpp"
#include "parlab/testing.hpp"

namespace {

namespace lab08 = parlab::lab08;
namespace fs = std::filesystem;

// The time limit of a test's run of the ranks: a right answer takes about a second on an idle
// machine (most of it starting Open MPI), and many times that on a busy one, where 4 ranks share
// what the other programs leave them. A deadlock is stopped after 3 s anyway (run_ranks).
constexpr double rank_seconds = 60;
constexpr int most_ranks = 4;

struct dot_case {
    std::size_t n;
};
struct rows_case {
    std::size_t rows, cols;
    double sigma;
};
struct signal_case {
    std::size_t n;
    double sigma;
};

// Odd sizes first: nothing at all, fewer elements than ranks, sizes no rank count divides.
const std::vector<dot_case> dot_cases{{0}, {1}, {3}, {10}, {1001}, {200003}};
const std::vector<rows_case> rows_cases{{1, 1, 0.5}, {1, 50, 3}, {3, 40, 2.5}, {37, 301, 6}, {5, 3, 4}};
// Sigma 9.3 gives a radius of 37 samples (296 bytes of halo), 12.7 one of 51: more than the
// eager limit run_ranks sets, so two ranks that both send first deadlock every time. 100 samples
// at radius 37 go to 2 ranks (the others get none), 20 to one rank only.
const rows_case timed_case{64, 4000, 8};
const std::vector<signal_case> signal_cases{{1, 9.3}, {20, 9.3}, {100, 9.3}, {997, 12.7}, {5000, 9.3}, {4096, 1.2}};

void write_doubles(const fs::path& file, const std::vector<double>& values) {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(double)));
}

std::vector<double> read_doubles(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<double> values;
    for (double x = 0; in.read(reinterpret_cast<char*>(&x), sizeof x);) values.push_back(x);
    return values;
}

// One rank count's side: every case of one task on the communicator comm of `ranks` ranks,
// results into the folder `out`, in files named after the rank count and the rank.
void run_cases(const lab08::rank_job& job, MPI_Comm comm, int ranks) {
    const fs::path out = job.option("out");
    const bool root = lab08::rank_of(comm) == 0;
    const std::string suffix = "-" + std::to_string(ranks) + "-rank-" + std::to_string(lab08::rank_of(comm));
    if (job.name == "dot") {
        for (std::size_t i = 0; i < dot_cases.size(); ++i) {
            const std::size_t n = dot_cases[i].n;
            const std::vector<double> x = root ? parlab::uniform_values(n, 10 + i) : std::vector<double>{};
            const std::vector<double> y = root ? parlab::uniform_values(n, 20 + i) : std::vector<double>{};
            write_doubles(out / ("dot-" + std::to_string(i) + suffix), {lab08::distributed_dot(x, y, comm)});
        }
    } else if (job.name == "rows") {
        for (std::size_t i = 0; i < rows_cases.size(); ++i) {
            const rows_case& c = rows_cases[i];
            const std::vector<double> input = root ? parlab::uniform_values(c.rows * c.cols, 30 + i) : std::vector<double>{};
            const std::vector<double> got = lab08::smooth_rows_distributed(input, c.rows, c.cols, c.sigma, comm);
            write_doubles(out / ("rows-" + std::to_string(i) + suffix), got);
        }
    } else if (job.name == "timed") {
        const rows_case& c = timed_case;
        const std::vector<double> input = root ? parlab::uniform_values(c.rows * c.cols, 50) : std::vector<double>{};
        lab08::phase_seconds times{-1, -1, -1};
        MPI_Barrier(comm);
        const double start = MPI_Wtime();
        const std::vector<double> got = lab08::smooth_rows_timed(input, c.rows, c.cols, c.sigma, comm, times);
        const double wall = MPI_Wtime() - start;
        write_doubles(out / ("timed-0" + suffix), got);
        write_doubles(out / ("times-0" + suffix), {times.scatter, times.compute, times.gather, wall});
    } else if (job.name == "signal") {
        for (std::size_t i = 0; i < signal_cases.size(); ++i) {
            const signal_case& c = signal_cases[i];
            const std::vector<double> input = root ? parlab::uniform_values(c.n, 40 + i) : std::vector<double>{};
            const std::vector<double> got = lab08::smooth_signal_distributed(input, c.n, c.sigma, comm);
            write_doubles(out / ("signal-" + std::to_string(i) + suffix), got);
        }
    }
}

// The ranks' side: one task's cases on 1, 2, 3 and then 4 of the ranks.
void rank_body(const lab08::rank_job& job, MPI_Comm comm) {
    lab08::for_each_rank_count(comm, [&job](MPI_Comm sub, int ranks) { run_cases(job, sub, ranks); });
}

// This program is also the ranks' program: started by run_ranks, it serves as a rank and ends
// here, before any test runs.
[[maybe_unused]] const bool served = (lab08::serve_as_rank(rank_body), true);

// One task's results: the ranks run its cases on 1 to 4 of them (one run of 4 ranks,
// for_each_rank_count) and write what they returned into a temporary folder of the test's own;
// the test fails, saying on how many ranks and where the ranks were, unless they all ended well.
class task_results {
public:
    explicit task_results(const std::string& task) : task_(task), out_("lab08-" + task) {
        const lab08::ranks_outcome outcome =
            lab08::run_ranks(most_ranks, {task, {"out=" + out_.path.string()}}, rank_seconds);
        INFO(task << ", on " << outcome.rank_count << " rank(s)");
        if (outcome.deadlocked) FAIL(outcome.stuck);
        if (outcome.timed_out) FAIL("the ranks were stopped after " << rank_seconds << " s. " << outcome.stuck);
        if (!outcome.failure.empty()) FAIL(outcome.failure);
        INFO("what the ranks printed:\n" << outcome.output);  // a rank that died without an exception
        REQUIRE(outcome.ok);
    }

    // What rank `rank` returned for case `index` on `ranks` ranks; `file` names another of the
    // task's files (the timed task's "times").
    [[nodiscard]] std::vector<double> of(std::size_t index, int ranks, int rank, const std::string& file = "") const {
        return read_doubles(out_.path / ((file.empty() ? task_ : file) + "-" + std::to_string(index) + "-" +
                                         std::to_string(ranks) + "-rank-" + std::to_string(rank)));
    }

private:
    std::string task_;
    parlab::testing::temp_folder out_;
};

// Calls check(ranks, i) for every one of `cases` cases on every rank count from 1 to 4.
template <typename Check>
void for_each_run(std::size_t cases, const Check& check) {
    for (int ranks = 1; ranks <= most_ranks; ++ranks)
        for (std::size_t i = 0; i < cases; ++i) check(ranks, i);
}

std::vector<double> smoothed_rows(const std::vector<double>& input, std::size_t cols, double sigma) {
    const lab08::gaussian_kernel g = lab08::make_gaussian(sigma);
    std::vector<double> out(input.size());
    for (std::size_t y = 0; cols > 0 && y < input.size() / cols; ++y)
        lab08::smooth_row(input.data() + y * cols, out.data() + y * cols, cols, g);
    return out;
}

// Every number of got within relative_tolerance (of the input's largest magnitude, 1 here) of
// expected; a failure names the first one that is not.
void require_close(const std::vector<double>& expected, const std::vector<double>& got) {
    REQUIRE(got.size() == expected.size());
    std::size_t i = 0;
    while (i < got.size() && std::abs(got[i] - expected[i]) <= lab08::relative_tolerance) ++i;
    INFO("element " << i << " of " << got.size());
    REQUIRE(i == got.size());
}

}  // namespace

TEST_CASE("block_layout splits like even_split, in rank order", "[lab08][task1]") {
    const lab08::layout l = lab08::block_layout(10, 4);
    CHECK(l.counts == std::vector<int>{3, 3, 2, 2});
    CHECK(l.displacements == std::vector<int>{0, 3, 6, 8});
    const lab08::layout few = lab08::block_layout(2, 4);
    CHECK(few.counts == std::vector<int>{1, 1, 0, 0});
    CHECK(few.displacements[1] == 1);
}

TEST_CASE("distributed_dot gives the dot product on every rank", "[lab08][task1]") {
    const task_results results("dot");
    for_each_run(dot_cases.size(), [&](int ranks, std::size_t i) {
        const std::vector<double> x = parlab::uniform_values(dot_cases[i].n, 10 + i), y = parlab::uniform_values(dot_cases[i].n, 20 + i);
        double expected = 0, scale = 0;
        for (std::size_t k = 0; k < x.size(); ++k) {
            expected += x[k] * y[k];
            scale += std::abs(x[k] * y[k]);
        }
        for (int rank = 0; rank < ranks; ++rank) {
            INFO(ranks << " ranks, n = " << x.size() << ": rank " << rank << "'s result");
            const std::vector<double> got = results.of(i, ranks, rank);
            REQUIRE(got.size() == 1);
            CHECK(std::abs(got[0] - expected) <= 1e-12 * (scale + 1));
        }
    });
}

TEST_CASE("smooth_rows_distributed matches the serial filter, rank 0 holding the result", "[lab08][task2]") {
    const task_results results("rows");
    for_each_run(rows_cases.size(), [&](int ranks, std::size_t i) {
        const rows_case& c = rows_cases[i];
        INFO(ranks << " ranks, " << c.rows << " x " << c.cols << ", sigma " << c.sigma);
        require_close(smoothed_rows(parlab::uniform_values(c.rows * c.cols, 30 + i), c.cols, c.sigma), results.of(i, ranks, 0));
        for (int rank = 1; rank < ranks; ++rank) CHECK(results.of(i, ranks, rank).empty());
    });
}

TEST_CASE("smooth_signal_distributed matches the serial filter with halos by message", "[lab08][task3]") {
    const task_results results("signal");
    for_each_run(signal_cases.size(), [&](int ranks, std::size_t i) {
        const signal_case& c = signal_cases[i];
        INFO(ranks << " ranks, " << c.n << " samples, sigma " << c.sigma << " (radius " << lab08::make_gaussian(c.sigma).radius
                   << ")");
        require_close(smoothed_rows(parlab::uniform_values(c.n, 40 + i), c.n, c.sigma), results.of(i, ranks, 0));
    });
}

TEST_CASE("smooth_rows_timed smooths like task 2 and times its three phases on rank 0", "[lab08][task4]") {
    const rows_case& c = timed_case;
    const std::vector<double> expected = smoothed_rows(parlab::uniform_values(c.rows * c.cols, 50), c.cols, c.sigma);
    const task_results results("timed");
    for_each_run(1, [&](int ranks, std::size_t) {
        INFO(ranks << " ranks");
        require_close(expected, results.of(0, ranks, 0));
        const std::vector<double> times = results.of(0, ranks, 0, "times");
        REQUIRE(times.size() == 4);
        INFO("scatter " << times[0] << " s, compute " << times[1] << " s, gather " << times[2]
                        << " s; the whole call took " << times[3] << " s on rank 0");
        CHECK(times[0] >= 0);
        CHECK(times[1] > 0);  // 64 rows of 4000 samples at radius 32: well above the clock's resolution
        CHECK(times[2] >= 0);
        // each phase is the longest over the ranks, and every rank waits for the slowest at the
        // barriers, so the phases fit within rank 0's own time for the whole call
        CHECK(times[0] + times[1] + times[2] <= times[3] * 1.001 + 1e-6);
    });
}

TEST_CASE("halo_ranks keeps every block at least a radius wide", "[lab08][task3]") {
    CHECK(lab08::halo_ranks(100, 37, 4) == 2);
    CHECK(lab08::halo_ranks(20, 37, 4) == 1);
    CHECK(lab08::halo_ranks(5000, 37, 4) == 4);
    CHECK(lab08::halo_ranks(0, 3, 4) == 1);
}
