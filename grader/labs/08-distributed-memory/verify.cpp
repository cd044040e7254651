// The grader's verifiers for lab 08: what the student's code returned on every rank count is
// compared with the grader's own serial reference on inputs the grader made from the seed. The
// smoothing is lab 05's filter, so its reference is lab 05's (one definition of the filter in
// the grader); a dot product is right within 1e-12 of the sum of its products' magnitudes.

#include <cmath>
#include <filesystem>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "../05-array-splitting/answers.hpp"
#include "../05-array-splitting/reference.hpp"
#include "../05-array-splitting/timing.hpp"
#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"
#include "parlab/split.hpp"

namespace parlab::grader {
namespace lab08_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

namespace fs = std::filesystem;
namespace ref = lab05_reference;
using lab08::input_case;

// A result file's numbers, when it is a plain file of exactly `count` doubles; else nullopt and
// `problem` says why. (The size first, so that no file is read whole unless it has that size.)
std::optional<std::vector<double>> read_result(const fs::path& file, std::size_t count, std::string& problem) {
    std::error_code error;
    const fs::file_status status = fs::symlink_status(file, error);
    if (error || !fs::is_regular_file(status)) {
        problem = "it returned nothing (no result was written)";
        return std::nullopt;
    }
    const auto bytes = fs::file_size(file, error);
    if (error || bytes != count * sizeof(double)) {
        problem = fmt::format("it returned {} numbers, expected {}", error ? 0 : bytes / sizeof(double), count);
        return std::nullopt;
    }
    try {
        return lab05::read_doubles(file);
    } catch (const std::runtime_error&) {
        problem = "its result could not be read";
        return std::nullopt;
    }
}

std::string describe(const input_case& c, bool signal) {
    if (signal)
        return fmt::format("{} samples, sigma {:.4g} (radius {}): {}", c.cols, c.sigma, ref::gaussian(c.sigma).radius, c.about);
    return fmt::format("{} x {}, sigma {:.4g}: {}", c.rows, c.cols, c.sigma, c.about);
}

// Where sample x lies among the blocks of a signal of n samples split over `ranks` ranks, as
// smooth_signal_distributed splits it: near a block's edge, a wrong number says its halo was
// missing or wrong.
std::string where_in_blocks(const input_case& c, int ranks, std::size_t x) {
    const std::size_t radius = ref::gaussian(c.sigma).radius;
    const std::size_t active = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(ranks), c.cols / radius));
    const auto blocks = even_split(c.cols, active);
    for (std::size_t r = 0; r < blocks.size(); ++r) {
        const block& b = blocks[r];
        if (x < b.first || x >= b.last) continue;
        const std::string whose = fmt::format("sample {} is in rank {}'s block (samples {} to {})", x, r, b.first, b.last - 1);
        if (r > 0 && x - b.first < radius)
            return fmt::format("{}, {} from its left edge, within the radius {}: it needs rank {}'s last samples, its "
                               "left halo", whose, x - b.first, radius, r - 1);
        if (r + 1 < blocks.size() && b.last - 1 - x < radius)
            return fmt::format("{}, {} from its right edge, within the radius {}: it needs rank {}'s first samples, its "
                               "right halo", whose, b.last - 1 - x, radius, r + 1);
        if (r == 0 && x < radius) return whose + ", within the radius of the signal's start: the reflect border";
        if (r + 1 == blocks.size() && c.cols - 1 - x < radius) return whose + ", within the radius of the signal's end: the reflect border";
        return whose + ", farther than the radius from its edges";
    }
    return {};
}

// What is wrong with one run's result for one case (empty when it is right).
std::string check_smoothing(const std::string& job, int ranks, std::size_t index, const input_case& c,
                            const verify_context& context) {
    const bool signal = job == "halo";
    const std::vector<double> input = lab08::case_values(c);
    const std::vector<double> expected = ref::smooth_rows(input, c.rows, c.cols, c.sigma);
    std::string problem;
    const auto got = read_result(context.run_dir / lab08::result_file(job, ranks, index, 0), expected.size(), problem);
    if (!got) return fmt::format("rank 0's result for {}: {}", describe(c, signal), problem);
    const double tolerance = 1e-12 * ref::largest_magnitude(input);
    const std::optional<std::size_t> at = ref::first_wrong_index(expected, *got, tolerance);
    if (!at) return {};
    return fmt::format("{}: {} (tolerance {:.3g}){}", describe(c, signal), ref::wrong_element(expected, *got, c.cols, *at),
                       tolerance, signal ? "; " + where_in_blocks(c, ranks, *at) : "");
}

// What is wrong with one run's dot products for one case (empty when every rank has the right one).
std::string check_dot(int ranks, std::size_t index, const input_case& c, const verify_context& context) {
    const std::vector<double> x = lab08::case_values(c, 0), y = lab08::case_values(c, 1);
    long double sum = 0, magnitude = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sum += static_cast<long double>(x[i]) * y[i];
        magnitude += std::fabs(static_cast<long double>(x[i]) * y[i]);
    }
    const auto expected = static_cast<double>(sum);
    const double tolerance = 1e-12 * static_cast<double>(magnitude);
    bool root_right = false;
    for (int rank = 0; rank < ranks; ++rank) {
        std::string problem;
        const auto got = read_result(context.run_dir / lab08::result_file("dot-product", ranks, index, rank), 1, problem);
        if (!got) return fmt::format("n = {}: rank {}: {}", c.cols, rank, problem);
        if (std::fabs((*got)[0] - expected) <= tolerance) {
            root_right = root_right || rank == 0;
            continue;
        }
        return fmt::format("n = {} ({}): rank {} returned {:.17g}, expected {:.17g}{}", c.cols, c.about, rank, (*got)[0],
                           expected,
                           root_right ? ": rank 0 was right, so the total reached the root only; every rank must return "
                                        "it (a reduction whose result goes to every rank)"
                                      : "");
    }
    return {};
}

probe_call rank_limit(const check_spec&, const grading_context& context) {
    // about a second on an idle machine; a deadlock is stopped after 3 s whatever the limit
    const double seconds = 30 * context.timeout_scale * context.load_factor;
    return {{fmt::format("--rank-seconds={:.0f}", seconds)}};
}

// The verdict of one check: every case right on every rank count from 1 to most_ranks.
probe_verdict runs_verdict(const std::string& job, const std::vector<input_case>& cases, const lab08::runs_answer& answer,
                           const verify_context& context) {
    const std::size_t total = cases.size() * lab08::most_ranks;
    std::size_t right = 0;
    std::string first_problem;
    for (const lab08::ranks_run& run : answer.runs) {
        if (run.ranks < 1 || run.ranks > lab08::most_ranks) throw std::runtime_error("a run of an unknown rank count");
        std::string problem = run.error;
        for (std::size_t i = 0; problem.empty() && i < cases.size(); ++i) {
            problem = job == "dot-product" ? check_dot(run.ranks, i, cases[i], context)
                                           : check_smoothing(job, run.ranks, i, cases[i], context);
            if (problem.empty()) ++right;
        }
        if (!problem.empty() && first_problem.empty())
            first_problem = fmt::format("on {} rank{}: {}", run.ranks, run.ranks == 1 ? "" : "s", problem);
    }
    if (first_problem.empty() && answer.runs.size() != lab08::most_ranks)
        throw std::runtime_error("the probe answered for too few rank counts");
    if (!first_problem.empty()) return failed(first_problem, static_cast<double>(right) / static_cast<double>(total));
    return passed(fmt::format("right on 1 to {} ranks, {} inputs each", lab08::most_ranks, cases.size()));
}

probe_verifier verifier_of(std::string job, std::vector<input_case> (*cases)(std::uint64_t)) {
    probe_verifier v = typed_verifier<lab08::runs_answer>(
        [job, cases](const check_spec&, const lab08::runs_answer& answer, const verify_context& context) {
            return runs_verdict(job, cases(context.seed), answer, context);
        });
    v.make_call = rank_limit;
    return v;
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    lab.probes["dot-product"] = verifier_of("dot-product", lab08::dot_cases);
    lab.probes["smooth-rows"] = verifier_of("smooth-rows", lab08::rows_cases);
    lab.probes["halo"] = verifier_of("halo", lab08::signal_cases);
    lab.timing["smooth"] = lab05::smoothing_timing_verifier();
}

}  // namespace lab08_checks
}  // namespace parlab::grader
