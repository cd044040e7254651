// You do not need to modify this file.
//
// Lab 08 classroom demo (`./parlab demo distributed-memory [--solutions]`): your
// smooth_rows_distributed (task 2) on 1 to 4 ranks, the scaling table (each result checked
// against the serial filter), and a picture of where each rank's time went (ranks.svg): one bar
// per rank, the time it spent inside MPI calls (sending, receiving, or waiting for another rank
// to get there) and the rest of the call, which is its own computing. A rank that threw, or ranks
// stopped at the time limit, are shown with what happened. As in the bench, the ranks are started
// for timing (rank_job::for_timing): they keep the memory they free for their next allocation, so that the figures are of the
// work and the messages, not of fresh pages (see grader/labs/08-distributed-memory/programs/bench.cpp).
//
//   parlab_lab08_demo [--out DIR] [--repetitions R]
//     --out DIR          folder for the picture (default: lab08-demo)
//     --repetitions R    timed runs per figure, after one untimed run (default 3)

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include <unistd.h>

#include "distributed.hpp"
#include "parlab/splitmix.hpp"
#include "parlab/teaching.hpp"

namespace {

namespace lab08 = parlab::lab08;
namespace fs = std::filesystem;

constexpr std::size_t demo_rows = 96, demo_cols = 20000;
constexpr double demo_sigma = 4;
constexpr int most_ranks = 4;
constexpr double seconds_per_run = 120;

std::vector<double> demo_input() {
    return parlab::uniform_values(demo_rows * demo_cols, 8);
}

// The ranks' side: R timed calls after one untimed; rank 0 writes a line per rank, with the
// median call's time and that call's seconds inside MPI, then whether its result was right.
void rank_body(const lab08::rank_job& job, MPI_Comm comm) {
    const bool root = lab08::rank_of(comm) == 0;
    const std::vector<double> input = root ? demo_input() : std::vector<double>{};
    const auto repetitions = static_cast<std::size_t>(std::stoul(job.option("repetitions")));
    std::vector<std::pair<double, double>> runs;  // (whole call, inside MPI)
    std::vector<double> last;
    for (std::size_t i = 0; i <= repetitions; ++i) {
        MPI_Barrier(comm);
        const double in_mpi = lab08::seconds_in_mpi(), start = MPI_Wtime();
        last = lab08::smooth_rows_distributed(input, demo_rows, demo_cols, demo_sigma, comm);
        const double whole = MPI_Wtime() - start;
        if (i > 0) runs.emplace_back(whole, lab08::seconds_in_mpi() - in_mpi);
    }
    std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(runs.size() / 2), runs.end());
    const double mine[2] = {runs[runs.size() / 2].first, runs[runs.size() / 2].second};
    std::vector<double> all(root ? 2 * static_cast<std::size_t>(lab08::size_of(comm)) : 0);
    MPI_Gather(mine, 2, MPI_DOUBLE, all.data(), 2, MPI_DOUBLE, 0, comm);
    if (!root) return;
    std::vector<double> expected(input.size());
    const lab08::gaussian_kernel g = lab08::make_gaussian(demo_sigma);
    for (std::size_t y = 0; y < demo_rows; ++y)
        lab08::smooth_row(&input[y * demo_cols], &expected[y * demo_cols], demo_cols, g);
    bool right = last.size() == expected.size();
    for (std::size_t i = 0; right && i < expected.size(); ++i) right = std::abs(last[i] - expected[i]) <= lab08::relative_tolerance;
    std::ofstream out(job.option("out"));
    for (std::size_t r = 0; r < all.size() / 2; ++r) out << all[2 * r] << ' ' << all[2 * r + 1] << '\n';
    out << (right ? "right" : "wrong") << '\n';
}

struct rank_times {
    double whole = 0, in_mpi = 0;
};

struct figure {
    int ranks = 0;
    std::vector<rank_times> times;  // empty when the run failed
    bool right = false;
    std::string problem;
};

figure run_figure(int ranks, std::size_t repetitions) {
    figure f{ranks, {}, false, ""};
    const fs::path out = fs::temp_directory_path() / ("parlab-lab08-demo-" + std::to_string(::getpid()));
    const lab08::ranks_outcome outcome = lab08::run_ranks(
        ranks, {"demo", {"out=" + out.string(), "repetitions=" + std::to_string(repetitions)}, true}, seconds_per_run);
    if (outcome.timed_out) f.problem = "stopped after " + std::to_string(static_cast<int>(seconds_per_run)) + " s: " + outcome.stuck;
    else if (!outcome.ok) f.problem = outcome.failure.empty() ? "a rank failed:\n" + outcome.output : "not done yet: " + outcome.failure;
    std::ifstream in(out);
    for (std::string line; f.problem.empty() && std::getline(in, line);) {
        if (line == "right" || line == "wrong") {
            f.right = line == "right";
            break;
        }
        std::istringstream fields(line);
        rank_times t;
        fields >> t.whole >> t.in_mpi;
        f.times.push_back(t);
    }
    fs::remove(out);
    return f;
}

// ranks.svg: for each rank count, one bar per rank: inside MPI (orange) and the rest (blue).
void write_picture(const fs::path& file, const std::vector<figure>& figures) {
    double longest = 1e-9;
    std::size_t bars = 0;
    for (const figure& f : figures) {
        for (const rank_times& t : f.times) longest = std::max(longest, t.whole);
        bars += std::max<std::size_t>(f.times.size(), 1) + 1;
    }
    constexpr double left = 150, width = 640, bar = 18, gap = 6, top = 60;
    const double height = top + static_cast<double>(bars) * (bar + gap) + 50;
    parlab::teaching::output_file svg(file);
    std::ostream& o = svg.stream();
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << left + width + 90 << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"10\" y=\"22\" font-size=\"16\">Where each rank's time went: smooth_rows_distributed, " << demo_rows
      << " x " << demo_cols << "</text>\n"
      << "<rect x=\"10\" y=\"34\" width=\"12\" height=\"12\" fill=\"#4878a8\"/><text x=\"28\" y=\"45\">its own work (computing) "
         "(outside MPI)</text>\n<rect x=\"260\" y=\"34\" width=\"12\" height=\"12\" fill=\"#e8913a\"/><text x=\"278\" "
         "y=\"45\">inside MPI calls: moving data, or waiting for another rank</text>\n";
    double y = top;
    for (const figure& f : figures) {
        o << "<text x=\"10\" y=\"" << y + bar - 4 << "\" font-weight=\"bold\">" << f.ranks << " rank" << (f.ranks == 1 ? "" : "s")
          << "</text>\n";
        if (f.times.empty()) {
            o << "<text x=\"" << left << "\" y=\"" << y + bar - 4 << "\">no figure: the run failed</text>\n";
            y += 2 * (bar + gap);
            continue;
        }
        y += bar + gap;
        for (std::size_t r = 0; r < f.times.size(); ++r) {
            const double compute = std::max(0.0, f.times[r].whole - f.times[r].in_mpi) / longest * width;
            const double mpi = std::min(f.times[r].in_mpi, f.times[r].whole) / longest * width;
            o << "<text x=\"" << left - 10 << "\" y=\"" << y + bar - 4 << "\" text-anchor=\"end\">rank " << r << "</text>\n"
              << "<rect class=\"compute\" x=\"" << left << "\" y=\"" << y << "\" width=\"" << compute << "\" height=\"" << bar
              << "\" fill=\"#4878a8\"/>\n<rect class=\"mpi\" x=\"" << left + compute << "\" y=\"" << y << "\" width=\"" << mpi
              << "\" height=\"" << bar << "\" fill=\"#e8913a\"/>\n<text x=\"" << left + compute + mpi + 6 << "\" y=\""
              << y + bar - 4 << "\">" << std::lround(f.times[r].whole * 1e3) << " ms</text>\n";
            y += bar + gap;
        }
    }
    o << "</svg>\n";
    svg.close();
}

int run(const parlab::teaching::timed_demo_options& options) {
    std::printf("smooth_rows_distributed on %zu x %zu numbers (sigma %g), 1 to %d ranks on %u cores; "
                "ms, median of %zu calls\n\n",
                demo_rows, demo_cols, demo_sigma, most_ranks, std::thread::hardware_concurrency(), options.repetitions);
    std::printf("%6s %10s %9s %16s  %s\n", "ranks", "time", "speedup", "longest in MPI", "result");
    std::vector<figure> figures;
    double one_rank = 0;
    for (int ranks = 1; ranks <= most_ranks; ++ranks) {
        figures.push_back(run_figure(ranks, options.repetitions));
        const figure& f = figures.back();
        if (!f.problem.empty()) {
            std::printf("%6d  %s\n", ranks, f.problem.c_str());
            continue;
        }
        double whole = 0, in_mpi = 0;
        for (const rank_times& t : f.times) whole = std::max(whole, t.whole), in_mpi = std::max(in_mpi, t.in_mpi);
        if (ranks == 1) one_rank = whole;
        std::printf("%6d %10.1f %8.2fx %13.1f ms  %s\n", ranks, whole * 1e3, one_rank > 0 ? one_rank / whole : 0.0,
                    in_mpi * 1e3, f.right ? "right" : "WRONG");
    }
    write_picture(options.out / "ranks.svg", figures);
    std::printf("\nthe picture: %s\n", (options.out / "ranks.svg").c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    lab08::serve_as_rank(rank_body);
    return parlab::teaching::run_timed_demo("parlab_lab08_demo", "the picture", {.out = "lab08-demo", .repetitions = 3},
                                            argc, argv, run);
}
