// Lab 05 tests: the filter against a plain reference that follows array_split.hpp word for word
// (and against figures from SciPy), the splitters with a recording row kernel (which process
// computed which row, how often, with which pointers), worker failures, the halo split, and the
// replay of in-place splits.

#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "array_split.hpp"
#include "parlab/testing.hpp"

namespace {

using parlab::block;
using parlab::lab05::const_matrix_view;
using parlab::lab05::matrix;
using parlab::lab05::matrix_view;
using parlab::lab05::memory_kind;

// ---- the reference: array_split.hpp's definition, one output at a time ------------------------

matrix reference_smooth(const_matrix_view input, double sigma) {
    const parlab::lab05::gaussian_kernel g = parlab::lab05::make_gaussian(sigma);
    const auto r = static_cast<std::ptrdiff_t>(g.radius);
    matrix out(input.rows, input.cols);
    for (std::size_t y = 0; y < input.rows; ++y) {
        for (std::size_t i = 0; i < input.cols; ++i) {
            double sum = 0;
            for (std::ptrdiff_t k = -r; k <= r; ++k) {
                const std::size_t from = parlab::lab05::reflect_index(static_cast<std::ptrdiff_t>(i) + k, input.cols);
                sum += g.weights[static_cast<std::size_t>(k + r)] * input.at(y, from);
            }
            out.view().at(y, i) = sum;
        }
    }
    return out;
}

matrix random_matrix(std::size_t rows, std::size_t cols, unsigned seed) {
    matrix m(rows, cols);
    std::mt19937 random(seed);
    std::normal_distribution<double> value(0.0, 10.0);
    for (std::size_t i = 0; i < m.view().size(); ++i) m.data()[i] = value(random);
    return m;
}

// Empty when got is within the lab's tolerance of the reference filter of input.
std::string check_smoothed(const_matrix_view input, double sigma, const_matrix_view got) {
    const matrix expected = reference_smooth(input, sigma);
    return parlab::lab05::first_mismatch(expected.view(), got, parlab::lab05::tolerance_for(input));
}

std::string describe(std::size_t rows, std::size_t cols, double sigma, std::size_t workers) {
    std::ostringstream text;
    text << rows << " x " << cols << " input, sigma " << sigma << ", " << workers << " worker(s)";
    return text.str();
}

// How many times this process has called fork(): a pthread_atfork handler, installed on first
// use, counts them in the caller.
std::size_t forks_made() {
    static std::atomic<std::size_t> count{0};
    static const bool installed = [] {
        return ::pthread_atfork([] { count.fetch_add(1, std::memory_order_relaxed); }, nullptr, nullptr) == 0;
    }();
    REQUIRE(installed);
    return count.load(std::memory_order_relaxed);
}

}  // namespace

// ---- the definition and the serial filter (task 4 makes smooth_row fast) -----------------------

TEST_CASE("reflect_index mirrors with period 2n, also for n = 1", "[lab05][task4]") {
    using parlab::lab05::reflect_index;
    // n = 4: ... a b c d d c b a | a b c d | d c b a a b c d ...
    const std::vector<std::size_t> left = {0, 1, 2, 3, 3, 2, 1, 0};  // indices -8 .. -1
    for (std::ptrdiff_t i = -8; i < 0; ++i) CHECK(reflect_index(i, 4) == left[static_cast<std::size_t>(i + 8)]);
    const std::vector<std::size_t> right = {0, 1, 2, 3, 3, 2, 1, 0, 0, 1};  // indices 0 .. 9
    for (std::ptrdiff_t i = 0; i < 10; ++i) CHECK(reflect_index(i, 4) == right[static_cast<std::size_t>(i)]);
    for (std::ptrdiff_t i = -50; i <= 50; ++i) CHECK(reflect_index(i, 1) == 0);
    CHECK(reflect_index(-1, 2) == 0);
    CHECK(reflect_index(-3, 2) == 1);
    CHECK(reflect_index(5, 2) == 1);
}

TEST_CASE("make_gaussian: radius int(4 sigma + 0.5), normalised symmetric weights", "[lab05][task4]") {
    CHECK(parlab::lab05::gaussian_radius(40) == 160);
    CHECK(parlab::lab05::gaussian_radius(0.5) == 2);
    CHECK(parlab::lab05::gaussian_radius(0.1) == 0);
    CHECK(parlab::lab05::gaussian_radius(3) == 12);
    const auto g = parlab::lab05::make_gaussian(3);
    REQUIRE(g.weights.size() == 25);
    double total = 0;
    for (const double w : g.weights) total += w;
    CHECK(total == parlab::testing::Approx(1.0).epsilon(1e-15));
    for (std::size_t k = 0; k < 12; ++k) CHECK(g.weights[k] == g.weights[24 - k]);
    CHECK_THROWS_AS(parlab::lab05::make_gaussian(0), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab05::make_gaussian(-1), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab05::make_gaussian(std::nan("")), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab05::make_gaussian(2e5), std::invalid_argument);
}

TEST_CASE("smooth_row matches the reference on short, odd and long rows", "[lab05][task4]") {
    const std::size_t n = GENERATE(0u, 1u, 2u, 3u, 7u, 24u, 25u, 26u, 161u, 1000u);
    const double sigma = GENERATE(0.5, 1.0, 3.0, 40.0);
    const matrix input = random_matrix(n == 0 ? 0 : 2, n, static_cast<unsigned>(n * 31));
    matrix got(input.rows(), n);
    const auto g = parlab::lab05::make_gaussian(sigma);
    for (std::size_t y = 0; y < input.rows(); ++y) parlab::lab05::smooth_row(input.row(y).data(), got.row(y).data(), n, g);
    const std::string problem = check_smoothed(input.view(), sigma, got.view());
    INFO("rows of " << n << " samples, sigma " << sigma << " (radius " << g.radius << "): " << problem);
    CHECK(problem.empty());
}

TEST_CASE("smooth_row agrees with SciPy's gaussian_filter1d", "[lab05][task4]") {
    // Printed by SciPy 1.10 (scipy.ndimage.gaussian_filter1d(x, sigma), all defaults).
    struct scipy_case {
        std::vector<double> x;
        double sigma;
        std::vector<double> y;
    };
    const std::vector<scipy_case> cases = {
        {{1, 2, 3, 4, 5}, 1.0, {1.4270409503911736, 2.0678220347792573, 3.0, 3.9321779652207427, 4.572959049608826}},
        {{3, -1}, 3.0, {1.0000397079207874, 0.9999602920792128}},
        {{2.5}, 40.0, {2.5000000000000004}},
        {{0, 1, 0, 0, 0, 0, 0}, 0.5,
         {0.10671463705632887, 0.7865707258873423, 0.10645077197359151, 0.00026386508273735414, 0, 0, 0}},
        {{1, -2, 4, 8}, 2.0, {1.5837694975014254, 2.249087764623686, 3.225735018617226, 3.941407719257663}},
    };
    for (const scipy_case& c : cases) {
        std::vector<double> got(c.x.size());
        parlab::lab05::smooth_row(c.x.data(), got.data(), c.x.size(), parlab::lab05::make_gaussian(c.sigma));
        const const_matrix_view expected{c.y.data(), 1, c.y.size()};
        const const_matrix_view input{c.x.data(), 1, c.x.size()};
        const std::string problem = parlab::lab05::first_mismatch(
            expected, const_matrix_view{got.data(), 1, got.size()}, parlab::lab05::tolerance_for(input));
        INFO("a row of " << c.x.size() << " samples, sigma " << c.sigma << ": " << problem);
        CHECK(problem.empty());
    }
}

TEST_CASE("smooth_row writes only its n outputs", "[lab05][task4]") {
    const matrix input = random_matrix(1, 50, 4);
    std::vector<double> out(58, -7.0);
    parlab::lab05::smooth_row(input.data(), out.data() + 4, 50, parlab::lab05::make_gaussian(3));
    INFO("smooth_row changed numbers before or after the row it was given");
    CHECK(std::all_of(out.begin(), out.begin() + 4, [](double v) { return v == -7.0; }));
    CHECK(std::all_of(out.end() - 4, out.end(), [](double v) { return v == -7.0; }));
}

TEST_CASE("amdahl_serial_fraction inverts Amdahl's law", "[lab05][task4]") {
    using parlab::lab05::amdahl_serial_fraction;
    CHECK(amdahl_serial_fraction(1.6, 2) == parlab::testing::Approx(0.25));
    CHECK(amdahl_serial_fraction(2.0, 2) == parlab::testing::Approx(0.0).margin(1e-15));
    CHECK(amdahl_serial_fraction(1.0, 8) == parlab::testing::Approx(1.0));
    CHECK(amdahl_serial_fraction(2.5, 4) == parlab::testing::Approx((0.4 - 0.25) / 0.75));
    CHECK_THROWS_AS(amdahl_serial_fraction(1.5, 1), std::invalid_argument);
    CHECK_THROWS_AS(amdahl_serial_fraction(0.0, 2), std::invalid_argument);
}

TEST_CASE("time_splits measures the serial run and both splits for every worker count", "[lab05][task4]") {
    const matrix input = random_matrix(6, 3000, 11);
    const std::vector<std::size_t> counts = {1, 2, 3};
    const auto table = parlab::lab05::time_splits(input.view(), 3.0, counts, 2);
    INFO("serial " << table.serial_seconds << " s; every time must be a measured, positive number of seconds");
    CHECK(table.serial_seconds > 0);
    REQUIRE(table.rows.size() == counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const auto& row = table.rows[i];
        INFO(row.workers << " workers: shared " << row.shared_seconds << " s, pipe " << row.pipe_seconds << " s");
        CHECK(row.workers == counts[i]);
        CHECK(row.shared_seconds > 0);
        CHECK(row.pipe_seconds > 0);
        CHECK(std::isfinite(row.shared_seconds + row.pipe_seconds));
    }
    const std::vector<std::size_t> zero = {2, 0};
    CHECK_THROWS_AS(parlab::lab05::time_splits(input.view(), 3.0, zero, 1), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab05::time_splits(input.view(), 3.0, counts, 0), std::invalid_argument);
}

TEST_CASE("matrix keeps its numbers where it was asked to; first_mismatch names the element", "[lab05][task1]") {
    using parlab::testing::contains;
    matrix shared(2, 3, memory_kind::shared_memory);
    CHECK(shared.memory() == memory_kind::shared_memory);
    CHECK(std::all_of(shared.data(), shared.data() + 6, [](double v) { return v == 0.0; }));
    shared.view().at(1, 2) = 7.5;
    const matrix copy(shared.view(), memory_kind::private_memory);
    CHECK(copy.memory() == memory_kind::private_memory);
    CHECK(copy.view().at(1, 2) == 7.5);
    matrix moved(std::move(shared));
    CHECK(moved.view().at(1, 2) == 7.5);
    CHECK(shared.rows() == 0);  // NOLINT(bugprone-use-after-move): a moved-from matrix is empty
    CHECK(shared.data() == nullptr);
    CHECK(parlab::lab05::first_mismatch(copy.view(), moved.view(), 0).empty());
    moved.view().at(0, 1) = 1e-9;
    CHECK(parlab::lab05::first_mismatch(copy.view(), moved.view(), 1e-8).empty());
    CHECK_THAT(parlab::lab05::first_mismatch(copy.view(), moved.view(), 1e-10), contains("row 0, column 1"));
    const matrix other(3, 2);
    CHECK_THAT(parlab::lab05::first_mismatch(copy.view(), other.view(), 0), contains("2 x 3") && contains("3 x 2"));
    CHECK(parlab::lab05::tolerance_for(copy.view()) == 7.5e-12);
}

// ---- tasks 1 and 2: the splitters ----------------------------------------------------------------

namespace {

// What the workers did, recorded by the test's row kernel. Lives in shared memory so that forked
// workers can record too.
struct kernel_record {
    static constexpr std::size_t max_rows = 512;
    std::atomic<int> calls[max_rows];
    std::atomic<pid_t> pid[max_rows];
    std::atomic<int> overlapping;
    std::atomic<int> wrong_n;
    std::atomic<int> unknown_row;
};

// Inputs for the recording kernel: element (y, x) = 1000 y + x, so a row says which it is.
matrix numbered_matrix(std::size_t rows, std::size_t cols, memory_kind memory) {
    matrix m(rows, cols, memory);
    for (std::size_t y = 0; y < rows; ++y)
        for (std::size_t x = 0; x < cols; ++x) m.view().at(y, x) = 1000.0 * static_cast<double>(y) + static_cast<double>(x);
    return m;
}

// Records its call, then writes the row reversed, doubled, plus one half: a kernel that reads
// a sample after writing over it gets some of them wrong.
parlab::lab05::row_kernel recording_kernel(kernel_record& record, std::size_t cols) {
    return [&record, cols](const double* in, double* out, std::size_t n) {
        if (n != cols || n == 0) {
            record.wrong_n.fetch_add(1);
            return;
        }
        const auto y = static_cast<std::size_t>(in[0] / 1000.0);
        if (y >= kernel_record::max_rows || in[0] != 1000.0 * static_cast<double>(y)) {
            record.unknown_row.fetch_add(1);
        } else {
            record.calls[y].fetch_add(1);
            record.pid[y].store(::getpid());
        }
        if (in < out + n && out < in + n) record.overlapping.fetch_add(1);
        for (std::size_t j = 0; j < n; ++j) out[j] = 2.0 * in[n - 1 - j] + 0.5;
    };
}

// Empty when every row was computed once, by a worker (not this process), the workers' rows
// were the even_split blocks in order, and the output holds what the kernel wrote.
std::string check_record(const kernel_record& record, const_matrix_view output, std::size_t workers) {
    std::ostringstream text;
    const std::size_t rows = output.rows;
    if (record.wrong_n.load() > 0) text << "the kernel was called with n other than the number of columns. ";
    if (record.unknown_row.load() > 0) text << "the kernel was given a row that is not a row of the input. ";
    if (record.overlapping.load() > 0)
        text << record.overlapping.load() << " kernel calls had in_row and out_row overlapping (in place, "
             << "hand the kernel a copy of the row). ";
    for (std::size_t y = 0; y < rows; ++y) {
        if (record.calls[y].load() != 1) {
            text << "row " << y << " was computed " << record.calls[y].load() << " times instead of once. ";
            break;
        }
    }
    for (std::size_t y = 0; y < rows; ++y) {
        if (record.pid[y].load() == ::getpid()) {
            text << "row " << y << " was computed in the calling process, not in a forked worker. ";
            break;
        }
    }
    if (text.str().empty() && rows > 0) {
        const auto blocks = parlab::even_split(rows, std::min(workers, rows));
        std::vector<pid_t> seen;
        for (std::size_t w = 0; w < blocks.size(); ++w) {
            const pid_t owner = record.pid[blocks[w].first].load();
            bool one_owner = std::find(seen.begin(), seen.end(), owner) == seen.end();
            for (std::size_t y = blocks[w].first; y < blocks[w].last; ++y) one_owner = one_owner && record.pid[y].load() == owner;
            seen.push_back(owner);
            if (!one_owner) {
                text << "rows " << blocks[w].first << " to " << blocks[w].last - 1 << " should be worker " << w
                     << "'s block (even_split of " << rows << " rows for " << blocks.size()
                     << " workers), computed by one process of its own. ";
                break;
            }
        }
    }
    for (std::size_t y = 0; y < rows && text.str().empty(); ++y)
        for (std::size_t x = 0; x < output.cols; ++x) {
            const double expected = 2.0 * (1000.0 * static_cast<double>(y) + static_cast<double>(output.cols - 1 - x)) + 0.5;
            if (output.at(y, x) != expected) {
                text << "row " << y << ", column " << x << " of the output holds " << output.at(y, x) << " instead of "
                     << expected << ", what the kernel wrote. ";
                break;
            }
        }
    return text.str();
}

struct split_case {
    std::size_t rows;
    std::size_t cols;
    std::size_t workers;
};
const std::vector<split_case> split_cases = {{1, 1, 1}, {1, 7, 4},  {3, 5, 3},  {5, 4, 8},
                                             {10, 3, 3}, {37, 13, 4}, {97, 2, 2}, {64, 9, 16}};

enum class mode { new_output, given_output, in_place, pipe };

const char* mode_name(mode m) {
    switch (m) {
        case mode::new_output: return "split_rows, new output";
        case mode::given_output: return "split_rows, given output";
        case mode::in_place: return "split_rows, in place";
        case mode::pipe: return "split_rows_pipe";
    }
    return "";
}

// Runs the splitter of `m` on input; returns the output (for in place: input itself).
matrix run_split(mode m, const parlab::lab05::row_kernel& kernel, matrix& input, std::size_t workers) {
    switch (m) {
        case mode::new_output: return parlab::lab05::split_rows(kernel, input.view(), workers);
        case mode::given_output: {
            matrix output(input.rows(), input.cols(), memory_kind::shared_memory);
            parlab::lab05::split_rows(kernel, input.view(), output, workers);
            return output;
        }
        case mode::in_place:
            parlab::lab05::split_rows(kernel, input.view(), input, workers);
            return std::move(input);
        case mode::pipe: return parlab::lab05::split_rows_pipe(kernel, input.view(), workers);
    }
    return {};
}

void check_recorded_splits(mode m) {
    const split_case c = GENERATE(from_range(split_cases));
    parlab::shared_value<kernel_record> record;
    matrix input = numbered_matrix(c.rows, c.cols, memory_kind::shared_memory);
    const matrix output = run_split(m, recording_kernel(*record, c.cols), input, c.workers);
    const std::string problem = check_record(*record, output.view(), c.workers);
    INFO(mode_name(m) << ", " << c.rows << " x " << c.cols << " input, " << c.workers << " worker(s): " << problem);
    CHECK(problem.empty());
    if (m != mode::in_place) {
        const matrix original = numbered_matrix(c.rows, c.cols, memory_kind::private_memory);
        INFO(mode_name(m) << " changed its input");
        CHECK(parlab::lab05::first_mismatch(original.view(), input.view(), 0).empty());
    }
}

void check_smoothing_splits(mode m) {
    const split_case c = GENERATE(split_case{13, 200, 3}, split_case{2, 1, 4}, split_case{5, 3, 2},
                                  split_case{40, 50, 7});
    const double sigma = GENERATE(0.5, 3.0, 40.0);
    matrix input(random_matrix(c.rows, c.cols, static_cast<unsigned>(c.rows + c.cols)).view(), memory_kind::shared_memory);
    const matrix original(input.view(), memory_kind::private_memory);
    const matrix output = run_split(m, parlab::lab05::gaussian_row_kernel(sigma), input, c.workers);
    const std::string problem = check_smoothed(original.view(), sigma, output.view());
    INFO(mode_name(m) << ", " << describe(c.rows, c.cols, sigma, c.workers) << ": " << problem);
    CHECK(problem.empty());
}

// Ends the calling worker with abort() (or with _exit(0) when `quietly`). Never ends the tests
// themselves: in the tests' own process it throws instead.
const pid_t tests_pid = ::getpid();  // set when the test program starts

void end_worker(bool quietly) {
    if (::getpid() == tests_pid) throw std::runtime_error("the kernel ran in the calling process, not in a worker");
    if (quietly) ::_exit(0);
    std::abort();
}

// A kernel that throws in the row whose first sample is `bad`, or crashes there with abort().
parlab::lab05::row_kernel failing_kernel(double bad, bool crash) {
    return [bad, crash](const double* in, double* out, std::size_t n) {
        if (in[0] == bad) {
            if (crash) end_worker(false);
            throw std::runtime_error("test kernel: refusing row starting with " + std::to_string(static_cast<int>(bad)));
        }
        std::copy(in, in + n, out);
    };
}

// True when this process has no child left, running or unreaped.
bool no_children_left() {
    errno = 0;
    return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// Runs the splitter of `m` with a kernel that makes a worker fail; returns the message of the
// parlab::process_error it must throw ("" when it returned normally: that fails the test).
// Anything else thrown means the kernel ran in the tests' own process, so the test case stops
// before a crashing kernel could end the tests themselves.
std::string worker_failure(mode m, const parlab::lab05::row_kernel& kernel, std::size_t rows, std::size_t workers) {
    matrix input = numbered_matrix(rows, 6, memory_kind::shared_memory);
    try {
        (void)run_split(m, kernel, input, workers);
    } catch (const parlab::process_error& error) {
        return error.what();
    } catch (const std::exception& error) {
        FAIL(mode_name(m) << " threw something other than parlab::process_error (did the kernel run in a worker?): "
                          << error.what());
    }
    FAIL_CHECK(mode_name(m) << ": a worker failed, but the call returned normally");
    return {};
}

void check_failures(mode m) {
    using parlab::testing::contains;
    // 12 rows over 3 workers: rows 0-3, 4-7, 8-11. Row 5 (worker 1) throws.
    {
        const std::string thrown = worker_failure(m, failing_kernel(5000.0, false), 12, 3);
        INFO(mode_name(m) << " threw: " << thrown);
        CHECK_THAT(thrown, contains("worker 1 failed: ") && contains("refusing row starting with 5000"));
        CHECK(no_children_left());
    }

    // Row 9 (worker 2) crashes; row 2 (worker 0) throws as well: worker 0 is reported.
    const auto two_failures = [](const double* in, double* out, std::size_t n) {
        if (in[0] == 9000.0) end_worker(false);
        if (in[0] == 2000.0) throw std::runtime_error("row two is bad");
        std::copy(in, in + n, out);
    };
    {
        const std::string first = worker_failure(m, two_failures, 12, 3);
        INFO(mode_name(m) << " threw: " << first);
        CHECK_THAT(first, contains("worker 0 failed: row two is bad"));
        CHECK(no_children_left());
    }

    // 4 rows over 2 workers: row 3 (worker 1) crashes.
    const std::string crashed = worker_failure(m, failing_kernel(3000.0, true), 4, 2);
    INFO(mode_name(m) << " threw: " << crashed);
    CHECK_THAT(crashed, contains("worker 1 failed: ") && contains("SIGABRT"));
    CHECK(no_children_left());
}


// ---- the workers' timing, seen from inside: together, joined, read while they run -------------

// Where workers meet, in shared memory: each says it has started, and one may wait for another.
struct meeting {
    std::atomic<int> started;
    std::atomic<int> gave_up;   // a worker waited `patience` seconds in vain
    std::atomic<int> finished;  // the worker that should finish did
};

constexpr double patience = 5;  // seconds a test kernel waits for another worker (they start within milliseconds)

// Waits until ready() or `patience` seconds have passed (then notes it in gave_up).
template <class Ready>
void wait_for_other_worker(meeting& m, Ready ready) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(patience);
    while (!ready() && m.gave_up.load() == 0) {
        if (std::chrono::steady_clock::now() > until) {
            m.gave_up.store(1);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

// Copies its row; in the first row of every worker's block it first waits until every worker has
// started: workers that run one after another never all start.
parlab::lab05::row_kernel meeting_kernel(meeting& m, std::size_t rows, std::size_t workers) {
    return [&m, rows, workers](const double* in, double* out, std::size_t n) {
        const auto y = static_cast<std::size_t>(in[0] / 1000.0);
        const auto blocks = parlab::even_split(rows, std::min(workers, rows));
        if (std::any_of(blocks.begin(), blocks.end(), [y](const block& b) { return b.first == y; })) {
            m.started.fetch_add(1);
            wait_for_other_worker(m, [&] { return m.started.load() == static_cast<int>(blocks.size()); });
        }
        std::copy(in, in + n, out);
    };
}

// Runs check() in a child process under a time limit, so that a split that hangs fails the test
// case with `hang` instead of stopping every test; returns what check() found (empty: nothing).
std::string problem_within(double seconds, const std::function<std::string()>& check, const std::string& hang) {
    parlab::shared_value<std::array<char, 2048>> text{};
    const parlab::limited_run run = parlab::run_with_time_limit(
        [&] { std::snprintf(text->data(), text->size(), "%s", check().c_str()); }, seconds);
    switch (run.end) {
        case parlab::limited_end::returned: return text->data();
        case parlab::limited_end::timed_out: return hang;
        case parlab::limited_end::threw: return "it threw: " + run.message;
        case parlab::limited_end::crashed: return "it crashed: " + run.message;
    }
    return {};
}

constexpr int pipe_seconds = 10;  // the model answer takes well under a second, under AddressSanitizer too

const std::string pipe_hang =
    "split_rows_pipe did not return within " + std::to_string(pipe_seconds) +
    " s: the caller stopped reading before it had every byte (a read() returns what the pipe holds, at most "
    "64 KiB and often less: loop until a row is complete), or it waits to join a worker that is blocked writing "
    "into a full pipe";

}  // namespace

TEST_CASE("split_rows gives each worker one block of rows, new output", "[lab05][task1]") {
    check_recorded_splits(mode::new_output);
}

TEST_CASE("split_rows gives each worker one block of rows, given output", "[lab05][task1]") {
    check_recorded_splits(mode::given_output);
}

TEST_CASE("split_rows gives each worker one block of rows, in place", "[lab05][task1]") {
    check_recorded_splits(mode::in_place);
}

TEST_CASE("split_rows smooths like the serial filter in all three modes", "[lab05][task1]") {
    const mode m = GENERATE(mode::new_output, mode::given_output, mode::in_place);
    check_smoothing_splits(m);
}

TEST_CASE("split_rows rethrows the first failed worker with its message", "[lab05][task1]") {
    const mode m = GENERATE(mode::new_output, mode::given_output, mode::in_place);
    check_failures(m);
}

TEST_CASE("split_rows runs its workers at the same time", "[lab05][task1]") {
    const std::size_t workers = 3;
    parlab::shared_value<meeting> m{};
    const matrix input = numbered_matrix(8, 4, memory_kind::private_memory);
    const matrix output = parlab::lab05::split_rows(meeting_kernel(*m, 8, workers), input.view(), workers);
    INFO("with " << workers << " workers, one waited " << patience << " s for the others to start: the workers run one "
         "after another (is each joined inside the loop that starts them? start them all, then join them all)");
    CHECK(m->gave_up.load() == 0);
    CHECK(parlab::lab05::first_mismatch(input.view(), output.view(), 0).empty());
}

TEST_CASE("split_rows lets the other workers finish when one fails", "[lab05][task1]") {
    // 4 rows over 2 workers: row 0 (worker 0) throws at once; worker 1 takes a while over row 3.
    parlab::shared_value<meeting> m{};
    const auto kernel = [&m](const double* in, double* out, std::size_t n) {
        if (in[0] == 0.0) throw std::runtime_error("row zero is bad");
        if (in[0] == 3000.0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            m->finished.store(1);
        }
        std::copy(in, in + n, out);
    };
    const std::string thrown = worker_failure(mode::new_output, kernel, 4, 2);
    CHECK_THAT(thrown, parlab::testing::contains("worker 0 failed: row zero is bad"));
    INFO("worker 1 was stopped before it finished its rows: join every worker, even after one has failed (the README "
         "asks for it), then throw");
    CHECK(m->finished.load() == 1);
    CHECK(no_children_left());
}

TEST_CASE("split_rows: empty inputs and the new output's memory", "[lab05][task1]") {
    const auto copy_kernel = [](const double* in, double* out, std::size_t n) { std::copy(in, in + n, out); };
    const matrix empty_rows(0, 5);
    const matrix none = parlab::lab05::split_rows(copy_kernel, empty_rows.view(), 3);
    CHECK(none.rows() == 0);
    CHECK(none.cols() == 5);
    const matrix empty_cols(4, 0);
    const matrix thin = parlab::lab05::split_rows(copy_kernel, empty_cols.view(), 2);
    CHECK(thin.rows() == 4);
    CHECK(thin.cols() == 0);
    const matrix some = random_matrix(3, 3, 1);
    INFO("the new output must live in shared memory, where the workers' writes reach the caller");
    CHECK(parlab::lab05::split_rows(copy_kernel, some.view(), 2).memory() == memory_kind::shared_memory);
}

TEST_CASE("split_rows refuses bad arguments", "[lab05][task1]") {
    using parlab::testing::contains;
    const auto copy_kernel = [](const double* in, double* out, std::size_t n) { std::copy(in, in + n, out); };
    matrix input(4, 3, memory_kind::shared_memory);
    matrix private_output(4, 3);
    matrix wrong_shape(3, 4, memory_kind::shared_memory);
    matrix right(4, 3, memory_kind::shared_memory);
    CHECK_THROWS_WITH(parlab::lab05::split_rows(copy_kernel, input.view(), right, 0), contains("workers"));
    CHECK_THROWS_WITH(parlab::lab05::split_rows(copy_kernel, input.view(), private_output, 2), contains("private memory"));
    CHECK_THROWS_WITH(parlab::lab05::split_rows(copy_kernel, input.view(), wrong_shape, 2), contains("3 x 4"));
    // An input that starts one number into the output: neither in place nor apart.
    const const_matrix_view shifted{right.data() + 1, 4, 3};
    CHECK_THROWS_WITH(parlab::lab05::split_rows(copy_kernel, shifted, right, 2), contains("overlap"));
}

TEST_CASE("split_rows_pipe gives each worker one block of rows", "[lab05][task2]") {
    check_recorded_splits(mode::pipe);
}

TEST_CASE("split_rows_pipe smooths like the serial filter", "[lab05][task2]") {
    check_smoothing_splits(mode::pipe);
}

TEST_CASE("split_rows_pipe gathers blocks far larger than a pipe holds", "[lab05][task2]") {
    // Rows of 30000 doubles (240 KB; a pipe holds 64 KiB), 12 rows over 1, 2 and 3 workers.
    const std::string problem = problem_within(pipe_seconds, [] {
        for (std::size_t workers = 1; workers <= 3; ++workers) {
            parlab::shared_value<kernel_record> record;
            const matrix input = numbered_matrix(12, 30000, memory_kind::private_memory);
            const matrix output = parlab::lab05::split_rows_pipe(recording_kernel(*record, 30000), input.view(), workers);
            if (std::string found = check_record(*record, output.view(), workers); !found.empty())
                return "with " + std::to_string(workers) + " worker(s): " + found;
        }
        return std::string();
    }, pipe_hang);
    INFO("12 x 30000 input: " << problem);
    CHECK(problem.empty());
}

TEST_CASE("split_rows_pipe reads every worker's pipe while they run", "[lab05][task2]") {
    // 4 rows of 20000 doubles (160 KB each) over 2 workers: worker 0 (rows 0-1) waits in row 1
    // until worker 1 has reached row 3, which it can only do once the caller has read row 2 from
    // worker 1's pipe.
    const std::string problem = problem_within(pipe_seconds, [] {
        parlab::shared_value<meeting> m{};
        const auto kernel = [&m](const double* in, double* out, std::size_t n) {
            if (in[0] == 3000.0) m->started.store(1);
            if (in[0] == 1000.0) wait_for_other_worker(*m, [&] { return m->started.load() == 1; });
            std::copy(in, in + n, out);
        };
        const matrix input = numbered_matrix(4, 20000, memory_kind::private_memory);
        const matrix output = parlab::lab05::split_rows_pipe(kernel, input.view(), 2);
        if (m->gave_up.load() != 0)
            return std::string("worker 1 sat blocked on its full pipe while the caller read worker 0 only: read "
                               "whichever pipe has data (poll), not one worker's pipe to its end, then the next");
        return parlab::lab05::first_mismatch(input.view(), output.view(), 0);
    }, pipe_hang);
    INFO(problem);
    CHECK(problem.empty());
}

TEST_CASE("split_rows_pipe rethrows the first failed worker with its message", "[lab05][task2]") {
    check_failures(mode::pipe);
}

TEST_CASE("split_rows_pipe reports a worker that ends before sending all its rows", "[lab05][task2]") {
    using parlab::testing::contains;
    // 6 rows over 2 workers: worker 0 (rows 0-2) leaves quietly, with exit code 0, in row 1.
    const auto quitter = [](const double* in, double* out, std::size_t n) {
        if (in[0] == 1000.0) end_worker(true);
        std::copy(in, in + n, out);
    };
    const std::string message = worker_failure(mode::pipe, quitter, 6, 2);
    INFO("split_rows_pipe threw: " << message);
    CHECK_THAT(message, contains("worker 0 failed"));
    CHECK(no_children_left());
    const matrix input = numbered_matrix(6, 4, memory_kind::private_memory);
    CHECK_THROWS_AS(parlab::lab05::split_rows_pipe(quitter, input.view(), 0), std::invalid_argument);
}

// ---- task 3: splitting along the filtering axis -----------------------------------------------

TEST_CASE("smooth_column_block computes its columns with the halo, and nothing else", "[lab05][task3]") {
    struct block_case {
        std::size_t rows;
        std::size_t cols;
        double sigma;
        std::size_t blocks;
    };
    const block_case c = GENERATE(block_case{3, 50, 3.0, 4}, block_case{1, 7, 3.0, 3}, block_case{2, 1000, 40.0, 3},
                                  block_case{4, 30, 0.5, 30}, block_case{1, 2, 40.0, 2});
    const matrix input = random_matrix(c.rows, c.cols, static_cast<unsigned>(c.cols));
    const matrix expected = reference_smooth(input.view(), c.sigma);
    const double tolerance = parlab::lab05::tolerance_for(input.view());
    for (const block& columns : parlab::even_split(c.cols, c.blocks)) {
        matrix got(c.rows, c.cols);
        std::fill(got.data(), got.data() + got.view().size(), -12345.0);
        parlab::lab05::smooth_column_block(input.view(), got.view(), c.sigma, columns);
        std::string problem;
        for (std::size_t y = 0; y < c.rows && problem.empty(); ++y)
            for (std::size_t x = 0; x < c.cols && problem.empty(); ++x) {
                const bool inside = x >= columns.first && x < columns.last;
                const double want = inside ? expected.view().at(y, x) : -12345.0;
                if (std::fabs(got.view().at(y, x) - want) > tolerance) {
                    std::ostringstream text;
                    text.precision(17);
                    text << "row " << y << ", column " << x << (inside ? " (in the block)" : " (outside the block)")
                         << ": expected " << want << ", got " << got.view().at(y, x);
                    problem = text.str();
                }
            }
        INFO(c.rows << " x " << c.cols << " input, sigma " << c.sigma << ", block of columns " << columns.first
                    << " to " << columns.last << " (one past): " << problem);
        CHECK(problem.empty());
    }
}

TEST_CASE("smooth_column_block in place over the whole row is the serial filter", "[lab05][task3]") {
    const double sigma = GENERATE(0.5, 3.0, 40.0);
    const matrix input = random_matrix(3, 100, 8);
    matrix data(input.view(), memory_kind::private_memory);
    parlab::lab05::smooth_column_block(data.view(), data.view(), sigma, block{0, 100});
    const std::string problem = check_smoothed(input.view(), sigma, data.view());
    INFO("3 x 100, sigma " << sigma << ", one block of all columns, output == input: " << problem);
    CHECK(problem.empty());
}

TEST_CASE("smooth_split_columns equals the serial filter for any number of workers", "[lab05][task3]") {
    struct column_case {
        std::size_t rows;
        std::size_t cols;
        double sigma;
    };
    const column_case c = GENERATE(column_case{1, 20000, 40.0}, column_case{6, 3000, 3.0}, column_case{1, 5, 3.0},
                                   column_case{4, 300, 0.5}, column_case{3, 2, 40.0});
    const std::size_t workers = GENERATE(std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{8});
    const matrix input = random_matrix(c.rows, c.cols, static_cast<unsigned>(c.cols + workers));
    const std::size_t forks_before = forks_made();
    const matrix got = parlab::lab05::smooth_split_columns(input.view(), c.sigma, workers);
    const std::size_t forks = forks_made() - forks_before;
    const std::string problem = check_smoothed(input.view(), c.sigma, got.view());
    INFO(describe(c.rows, c.cols, c.sigma, workers) << ", columns split: " << problem);
    CHECK(problem.empty());
    CHECK(got.memory() == memory_kind::shared_memory);
    INFO("fork() calls made: " << forks << ", column blocks (one worker each): " << std::min(workers, c.cols));
    CHECK(forks >= std::min(workers, c.cols));
}

TEST_CASE("smooth_split_columns refuses bad arguments and handles empty inputs", "[lab05][task3]") {
    const matrix input = random_matrix(2, 10, 1);
    CHECK_THROWS_AS(parlab::lab05::smooth_split_columns(input.view(), 3.0, 0), std::invalid_argument);
    CHECK_THROWS_AS(parlab::lab05::smooth_split_columns(input.view(), 0.0, 2), std::invalid_argument);
    const matrix empty(3, 0);
    const matrix got = parlab::lab05::smooth_split_columns(empty.view(), 3.0, 2);
    CHECK(got.rows() == 3);
    CHECK(got.cols() == 0);
}

TEST_CASE("in place along the rows goes wrong once a worker finishes before its neighbour starts",
          "[lab05][task3]") {
    // 1 x 400, sigma 5 (radius 20), 4 blocks of 100 columns.
    const matrix input = random_matrix(1, 400, 21);
    const matrix expected = reference_smooth(input.view(), 5.0);
    const double tolerance = parlab::lab05::tolerance_for(input.view());
    const auto wrong_columns = [&](const matrix& got) {
        std::vector<std::size_t> wrong;
        for (std::size_t x = 0; x < 400; ++x)
            if (std::fabs(got.view().at(0, x) - expected.view().at(0, x)) > tolerance) wrong.push_back(x);
        return wrong;
    };
    using parlab::lab05::block_order;
    using parlab::lab05::split_axis;
    {
        matrix data(input.view(), memory_kind::private_memory);
        parlab::lab05::replay_in_place_split(data.view(), 5.0, 1, split_axis::columns, block_order::forward);
        INFO("one block in place is the serial filter");
        CHECK(wrong_columns(data).empty());
    }
    for (const block_order order : {block_order::forward, block_order::backward}) {
        matrix data(input.view(), memory_kind::private_memory);
        parlab::lab05::replay_in_place_split(data.view(), 5.0, 4, split_axis::columns, order);
        const std::vector<std::size_t> wrong = wrong_columns(data);
        // Forward, block b > 0 read its left halo already smoothed by block b - 1: its first 20
        // outputs are wrong. Backward, the last 20 outputs of each block but the last.
        std::vector<std::size_t> exposed;
        for (const std::size_t edge : {100u, 200u, 300u})
            for (std::size_t x = 0; x < 20; ++x) exposed.push_back(order == block_order::forward ? edge + x : edge - 20 + x);
        INFO((order == block_order::forward ? "forward" : "backward")
             << ": " << wrong.size() << " columns differ from the serial filter");
        CHECK(wrong.size() > 0);
        CHECK(std::includes(exposed.begin(), exposed.end(), wrong.begin(), wrong.end()));
    }
}

TEST_CASE("in place across the rows is right in any order", "[lab05][task3]") {
    const matrix input = random_matrix(9, 60, 2);
    using parlab::lab05::block_order;
    for (const block_order order : {block_order::forward, block_order::backward}) {
        matrix data(input.view(), memory_kind::private_memory);
        parlab::lab05::replay_in_place_split(data.view(), 3.0, 4, parlab::lab05::split_axis::rows, order);
        const std::string problem = check_smoothed(input.view(), 3.0, data.view());
        INFO((order == block_order::forward ? "forward: " : "backward: ") << problem);
        CHECK(problem.empty());
    }
}
