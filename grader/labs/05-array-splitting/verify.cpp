// The grader's verifiers for lab 05: every array the student's splits returned is compared with
// the grader's own serial reference (reference.hpp) on inputs the grader made from the seed,
// within 1e-12 times the input's largest magnitude; the failure messages must name the failed
// worker and carry what its kernel threw; timed runs must answer the right samples and sum.
// Beside the numbers, the probe notes which process ran the kernel on each row (and how often)
// and how many times the caller forked: these tell a serial or overlapping split from a proper
// one. Code that forges them on purpose still has to compute every result right, and its time
// shows in the timing check.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"
#include "parlab/split.hpp"
#include "reference.hpp"
#include "timing.hpp"

namespace parlab::grader {
namespace lab05_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

namespace ref = lab05_reference;
using lab05::smooth_case;

std::string describe(const smooth_case& c) {
    return fmt::format("{} x {}, sigma {:.4g}, {} worker{}", c.rows, c.cols, c.sigma, c.workers, c.workers == 1 ? "" : "s");
}

// Where column x lies among the column blocks of case c (smooth_split_columns splits the columns
// over min(workers, cols) workers): near a block's edge, within the radius, a wrong number says
// the block's halo was missing or wrong.
std::string where_in_blocks(const smooth_case& c, std::size_t x) {
    const std::size_t radius = ref::gaussian(c.sigma).radius;
    const auto blocks = even_split(c.cols, std::min(c.workers, c.cols));
    for (std::size_t w = 0; w < blocks.size(); ++w) {
        const block& b = blocks[w];
        if (x < b.first || x >= b.last) continue;
        const std::string whose = fmt::format("column {} is in worker {}'s block (columns {} to {})", x, w, b.first, b.last - 1);
        if (w > 0 && x - b.first < radius)
            return fmt::format("{}, {} from its left edge, within the radius {}: it reads worker {}'s columns, its halo",
                               whose, x - b.first, radius, w - 1);
        if (w + 1 < blocks.size() && b.last - 1 - x < radius)
            return fmt::format("{}, {} from its right edge, within the radius {}: it reads worker {}'s columns, its halo",
                               whose, b.last - 1 - x, radius, w + 1);
        return whose + ", farther than the radius from any other block";
    }
    return {};
}

// What is wrong with one result (empty when it is right); for a split over the columns, where
// the first wrong number lies among the blocks.
std::string check_result(const lab05::result_file& got, const smooth_case& c, const std::vector<double>& expected,
                         const verify_context& context, bool columns_split = false) {
    if (got.file.empty() || got.file.find('/') != std::string::npos || got.file.front() == '.')
        return fmt::format("the probe's answer names no proper file ('{}')", got.file);
    if (got.rows != c.rows || got.cols != c.cols)
        return fmt::format("the result is {} x {}, expected {} x {}", got.rows, got.cols, c.rows, c.cols);
    // the size first, so that no file is read whole unless it has the expected size
    const std::filesystem::path path = context.run_dir / got.file;
    std::error_code error;
    const auto bytes = std::filesystem::file_size(path, error);
    if (error || bytes != expected.size() * sizeof(double))
        return fmt::format("the result file holds {} bytes, expected {} ({} numbers)", error ? 0 : bytes,
                           expected.size() * sizeof(double), expected.size());
    const std::vector<double> values = lab05::read_doubles(path);
    const std::vector<double> input = lab05::case_values(c);
    const double tolerance = 1e-12 * ref::largest_magnitude(input);
    const std::optional<std::size_t> at = ref::first_wrong_index(expected, values, tolerance);
    if (!at) return {};
    return fmt::format("{} (tolerance {:.3g}){}", ref::wrong_element(expected, values, c.cols, *at), tolerance,
                       columns_split ? "; " + where_in_blocks(c, *at % c.cols) : "");
}

// Whether the kernel ran on each row in the right worker (empty when it did): every row once, in
// a process other than the caller's, the rows in contiguous blocks as even_split makes them, one
// process per block.
std::string check_workers(const lab05::result_file& got, const smooth_case& c, long caller) {
    const std::vector<long>& pids = got.row_pids;
    if (pids.size() != c.rows || got.row_calls.size() != c.rows)
        return fmt::format("the probe noted {} rows, expected {}", pids.size(), c.rows);
    for (std::size_t y = 0; y < c.rows; ++y) {
        if (pids[y] == 0)
            return fmt::format("the kernel was never called for row {} (reading input row {}, writing straight into "
                               "output row {})", y, y, y);
        if (got.row_calls[y] > 1)
            return fmt::format("the kernel ran {} times for row {}: two workers' blocks overlap, so the row is "
                               "computed twice (with shared output, two processes write it at once: a race)",
                               got.row_calls[y], y);
        if (pids[y] == caller)
            return fmt::format("row {} was smoothed in the caller's process: the kernel must run in forked workers", y);
    }
    const auto blocks = even_split(c.rows, std::min(c.workers, c.rows));
    for (std::size_t w = 0; w < blocks.size(); ++w) {
        for (std::size_t y = blocks[w].first; y < blocks[w].last; ++y)
            if (pids[y] != pids[blocks[w].first])
                return fmt::format("rows {} to {} should be worker {}'s block (even_split of {} rows over {} workers), "
                                   "but rows {} and {} ran in different processes",
                                   blocks[w].first, blocks[w].last - 1, w, c.rows, blocks.size(), blocks[w].first, y);
        if (w > 0 && pids[blocks[w].first] == pids[blocks[w - 1].first])
            return fmt::format("workers {} and {} (rows from {} and from {}) ran in the same process: each block "
                               "needs its own worker", w - 1, w, blocks[w - 1].first, blocks[w].first);
    }
    return {};
}

std::vector<double> expected_of(const smooth_case& c) {
    return ref::smooth_rows(lab05::case_values(c), c.rows, c.cols, c.sigma);
}

// What else a result must satisfy besides its numbers (empty when it does), given its case's index.
using extra_check = std::function<std::string(const lab05::result_file&, std::size_t case_index)>;

// How many of `results` are right, and the first wrong one described.
struct tally {
    std::size_t right = 0;
    std::size_t total = 0;
    std::string first;

    void add(std::string problem, const std::string& where) {
        ++total;
        if (problem.empty()) ++right;
        else if (first.empty()) first = where + ": " + problem;
    }
    [[nodiscard]] double fraction() const { return total == 0 ? 0.0 : static_cast<double>(right) / static_cast<double>(total); }
};

// Scores `results` against `cases` (each case `modes.size()` results in a row, one per mode):
// a result is right when its numbers match the reference and `extra` finds nothing wrong.
tally score(const std::vector<lab05::result_file>& results, const std::vector<smooth_case>& cases,
            const std::vector<std::string>& modes, const verify_context& context, const std::string& what,
            const extra_check& extra, bool columns_split = false) {
    tally t;
    if (results.size() != cases.size() * modes.size()) {
        t.total = cases.size() * modes.size();
        t.first = fmt::format("the probe answered {} results, expected {}", results.size(), t.total);
        return t;
    }
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::vector<double> expected = expected_of(cases[i]);
        for (std::size_t m = 0; m < modes.size(); ++m) {
            const lab05::result_file& result = results[i * modes.size() + m];
            std::string problem = check_result(result, cases[i], expected, context, columns_split);
            if (problem.empty() && extra) problem = extra(result, i);
            t.add(std::move(problem), fmt::format("{} ({}: {}){}", what, cases[i].about, describe(cases[i]),
                                                  modes[m].empty() ? "" : ", " + modes[m]));
        }
    }
    return t;
}

probe_verdict verdict_of(const tally& t, const std::string& praise) {
    if (t.right == t.total && t.total > 0) return passed(fmt::format("all {} results {}", t.total, praise));
    return failed(fmt::format("{} of {} results right; {}", t.right, t.total, t.first), t.fraction());
}

extra_check rows_in_workers(const std::vector<smooth_case>& cases, long caller) {
    return [cases, caller](const lab05::result_file& got, std::size_t i) { return check_workers(got, cases[i], caller); };
}

constexpr const char* rows_praise = "match the serial reference, each row block smoothed once in its own worker";

// The worker whose block holds the failing row (the first one when every row fails).
std::size_t failing_worker(const lab05::failure_case& c) {
    if (c.failing_row >= c.shape.rows) return 0;
    const auto blocks = even_split(c.shape.rows, std::min(c.shape.workers, c.shape.rows));
    for (std::size_t w = 0; w < blocks.size(); ++w)
        if (c.failing_row >= blocks[w].first && c.failing_row < blocks[w].last) return w;
    return 0;
}

// What is wrong with the failure the caller saw (empty when it is right).
std::string check_failure(const lab05::failure_report& got, const lab05::failure_case& c, const std::string& call) {
    const std::string worker = fmt::format("worker {} failed", failing_worker(c));
    const std::string where = c.failing_row >= c.shape.rows ? std::string("every row's kernel call threw")
                                                            : fmt::format("the kernel threw for row {}", c.failing_row);
    if (!got.thrown)
        return fmt::format("{} ({}, {}), but {} returned normally: a worker's failure must reach the caller", call,
                           describe(c.shape), where, call);
    if (got.message.find(worker) == std::string::npos || got.message.find(c.text) == std::string::npos)
        return fmt::format("{} ({}, {}): the caller got \"{}\", expected \"{}: {}\"", call, describe(c.shape), where,
                           got.message, worker, c.text);
    return {};
}

// `verdict` with one more case judged apart, worth one of `total` equal shares: `problem`, empty
// when that case is right.
probe_verdict with_case(probe_verdict verdict, const std::string& problem, std::size_t total) {
    if (problem.empty()) return verdict;
    const double share = static_cast<double>(total - 1) / static_cast<double>(total);
    if (verdict.passed) return failed(problem, share);
    return failed(verdict.message + "; and " + problem, verdict.fraction * share);
}

probe_verdict split_rows_verdict(const check_spec&, const lab05::results_answer& answer, const verify_context& context) {
    const auto cases = lab05::split_cases(context.seed);
    const probe_verdict results =
        verdict_of(score(answer.results, cases, {"a new shared output", "the caller's shared output", "in place"}, context,
                         "split_rows", rows_in_workers(cases, answer.caller_pid == 0 ? -1 : answer.caller_pid)),
                   rows_praise);
    return with_case(results,
                     answer.workers_met     ? ""
                     : answer.met_in_caller ? "split_rows (9 rows, 3 workers): a row was smoothed in the caller's process, "
                                              "where no worker can meet it: the kernel must run in forked workers, all "
                                              "started before any is joined"
                                            : fmt::format("split_rows (9 rows, 3 workers): a worker waited {} s for the others to start, so "
                                       "the workers ran one after another (each joined inside the loop that starts "
                                       "them?): start them all, then join them all",
                                       lab05::meeting_seconds),
                     3 * cases.size() + 1);
}

probe_verdict failure_verdict(const check_spec&, const lab05::failures_answer& answer, const verify_context& context) {
    const auto cases = lab05::failure_cases(context.seed);
    if (answer.failures.size() != cases.size())
        return failed(fmt::format("the probe answered {} failures, expected {}", answer.failures.size(), cases.size()));
    const char* calls[] = {"split_rows (new output)", "split_rows (the caller's output)", "split_rows (new output)"};
    std::size_t right = 0;
    std::string first;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::string problem = check_failure(answer.failures[i], cases[i], calls[i]);
        if (problem.empty()) ++right;
        else if (first.empty()) first = problem;
    }
    if (!answer.others_finished && first.empty())
        first = "split_rows (4 rows, 2 workers, worker 0 failing at once): worker 1 was stopped before it finished its "
                "rows; join every worker, even after one has failed, then throw";
    right += answer.others_finished ? 1 : 0;
    if (right == cases.size() + 1) return passed("every worker failure reached the caller, naming the worker and its error");
    return failed(fmt::format("{} of {} failures handled right; {}", right, cases.size() + 1, first),
                  static_cast<double>(right) / static_cast<double>(cases.size() + 1));
}

probe_verdict pipe_verdict(const check_spec&, const lab05::pipe_answer& answer, const verify_context& context) {
    auto cases = lab05::split_cases(context.seed);
    const lab05::smooth_case big = lab05::big_pipe_case(context.seed);
    if (!answer.big_case_hung) cases.push_back(big);
    // When the big case hung, the read-while-running case (which hangs the same way) is not judged.
    const std::size_t total = cases.size() + 2;
    probe_verdict verdict = verdict_of(
        score(answer.results, cases, {""}, context, "split_rows_pipe",
              rows_in_workers(cases, answer.caller_pid == 0 ? -1 : answer.caller_pid)),
        rows_praise);
    verdict = with_case(verdict, check_failure(answer.failure, lab05::failure_cases(context.seed).front(), "split_rows_pipe"),
                        total);
    verdict = with_case(verdict,
                        answer.big_case_hung
                            ? fmt::format("split_rows_pipe ({}: {}) did not return within {} s: the caller stopped "
                                          "reading before it had every byte (a read() returns what the pipe holds, at "
                                          "most 64 KiB and often less: loop until a row is complete), or it waits to "
                                          "join a worker still blocked writing into its full pipe",
                                          big.about, describe(big), lab05::meeting_seconds)
                            : "",
                        total);
    return with_case(verdict,
                     answer.read_while_running || answer.big_case_hung ? ""
                     : answer.read_in_caller ? "split_rows_pipe (4 rows of 20000 numbers, 2 workers): a row was smoothed "
                                               "in the caller's process: the kernel must run in forked workers, which "
                                               "write their rows into pipes"
                                             : fmt::format("split_rows_pipe (4 rows of 20000 numbers, 2 workers): worker 1 sat blocked on its "
                                       "full pipe for {} s while the caller read worker 0 only; read whichever pipe has "
                                       "data (poll), not one worker's pipe to its end and then the next",
                                       lab05::meeting_seconds),
                     total);
}

// What is wrong with one block of smooth_column_block (empty when it is right): the block's
// columns as the whole-row filter gives them, every other column still block_sentinel.
std::string check_block(const lab05::result_file& got, const lab05::block_case& c, const verify_context& context) {
    const std::vector<double> expected = expected_of(c.shape);
    std::vector<double> masked = expected;
    for (std::size_t y = 0; y < c.shape.rows; ++y)
        for (std::size_t x = 0; x < c.shape.cols; ++x)
            if (x < c.first || x >= c.last) masked[y * c.shape.cols + x] = lab05::block_sentinel;
    std::string problem = check_result(got, c.shape, masked, context);
    if (problem.empty()) return {};
    const std::vector<double> values = lab05::read_doubles(context.run_dir / got.file);
    for (std::size_t y = 0; y < c.shape.rows && values.size() == masked.size(); ++y)
        for (std::size_t x = 0; x < c.shape.cols; ++x)
            if ((x < c.first || x >= c.last) && values[y * c.shape.cols + x] != lab05::block_sentinel)
                return fmt::format("row {}, column {} lies outside the block but was written: a block writes only its "
                                   "own columns", y, x);
    return problem;
}

probe_verdict halo_verdict(const check_spec&, const lab05::halo_answer& answer, const verify_context& context) {
    const auto cases = lab05::halo_cases(context.seed);
    const auto blocks = lab05::block_cases(context.seed);
    const extra_check forked = [&](const lab05::result_file&, std::size_t i) -> std::string {
        const std::size_t needed = std::min(cases[i].workers, cases[i].cols);
        if (i >= answer.forks.size()) return "the probe did not count the workers";
        if (answer.forks[i] >= static_cast<long>(needed)) return {};
        return fmt::format("the caller forked {} worker{}, expected {} (one per column block)", answer.forks[i],
                           answer.forks[i] == 1 ? "" : "s", needed);
    };
    tally t = score(answer.splits, cases, {""}, context, "smooth_split_columns", forked, true);
    if (answer.blocks.size() != blocks.size()) {
        t.total += blocks.size();
        if (t.first.empty()) t.first = fmt::format("the probe answered {} blocks, expected {}", answer.blocks.size(), blocks.size());
    } else {
        for (std::size_t i = 0; i < blocks.size(); ++i)
            t.add(check_block(answer.blocks[i], blocks[i], context),
                  fmt::format("smooth_column_block ({}: {} x {}, sigma {:.4g}, columns {} to {})", blocks[i].shape.about,
                              blocks[i].shape.rows, blocks[i].shape.cols, blocks[i].shape.sigma, blocks[i].first,
                              blocks[i].last - 1));
    }
    return verdict_of(t, "match the serial reference, each column block computed with its halo in its own worker");
}

// Timed runs of split_rows answer sampled outputs and the sum of all outputs (inputs.hpp). The
// sum is checked without filtering the whole array: sample j of a row carries weight c[j] into
// the row's outputs (reference::weight_per_sample).

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    lab.probes["split-rows"] = typed_verifier<lab05::results_answer>(split_rows_verdict);
    lab.probes["worker-failure"] = typed_verifier<lab05::failures_answer>(failure_verdict);
    lab.probes["pipe-gather"] = typed_verifier<lab05::pipe_answer>(pipe_verdict);
    lab.probes["halo"] = typed_verifier<lab05::halo_answer>(halo_verdict);
    lab.timing["split"] = lab05::smoothing_timing_verifier();
}

}  // namespace lab05_checks
}  // namespace parlab::grader
