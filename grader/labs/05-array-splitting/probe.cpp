// The grader's probe for lab 05: the student's splits (split_rows in its three output modes,
// split_rows_pipe, smooth_split_columns, smooth_column_block) on arrays made from the seed,
// written as raw files of doubles for the grader to compare with its own serial reference; which
// process ran each row and how many workers were forked; what the caller sees when a worker's
// kernel throws; and timed runs of split_rows.

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "answers.hpp"
#include "array_split.hpp"
#include "inputs.hpp"
#include "probe.hpp"

namespace {

namespace lab05 = parlab::lab05;
namespace answers = parlab::grader::lab05;
using answers::smooth_case;
using parlab::probe::arguments;

lab05::matrix input_of(const smooth_case& c) {
    const std::vector<double> values = answers::case_values(c);
    return lab05::matrix(lab05::const_matrix_view{values.data(), c.rows, c.cols}, lab05::memory_kind::private_memory);
}

// Which process ran the kernel on each row, and how many times: per row, the last process id
// and a count, in shared memory so that what the workers write reaches the caller. The verifier
// judges them; the probe only notes.
class row_log {
public:
    explicit row_log(std::size_t rows) : segment_(std::max<std::size_t>(rows, 1) * 2 * sizeof(long)), rows_(rows) {
        std::fill_n(pids(), 2 * rows, 0L);
    }
    [[nodiscard]] long* pids() const { return static_cast<long*>(segment_.data()); }
    [[nodiscard]] long* calls() const { return pids() + rows_; }
    [[nodiscard]] std::vector<long> taken() const { return {pids(), pids() + rows_}; }
    [[nodiscard]] std::vector<long> counted() const { return {calls(), calls() + rows_}; }

    // `inner`, noting the row of each call: found from where the kernel's input row (or, for the
    // modes where the caller owns the output, its output row) lies in `base`.
    [[nodiscard]] lab05::row_kernel noting(lab05::row_kernel inner, const double* base, std::size_t cols,
                                           bool by_output) const {
        long* log = pids();
        long* count = calls();
        const std::size_t rows = rows_;
        const auto start = reinterpret_cast<std::uintptr_t>(base);
        return [=](const double* in, double* out, std::size_t n) {
            const auto at = reinterpret_cast<std::uintptr_t>(by_output ? static_cast<const double*>(out) : in);
            if (at >= start && cols > 0 && (at - start) % (cols * sizeof(double)) == 0) {
                const std::size_t row = (at - start) / (cols * sizeof(double));
                if (row < rows) {
                    __atomic_store_n(&log[row], static_cast<long>(::getpid()), __ATOMIC_RELAXED);
                    __atomic_fetch_add(&count[row], 1L, __ATOMIC_RELAXED);
                }
            }
            inner(in, out, n);
        };
    }

private:
    parlab::shared_segment segment_;
    std::size_t rows_;
};

// How a meeting went: whether no kernel had to give up, and whether one gave up in the caller.
struct meeting_outcome {
    bool met = false;
    bool in_caller = false;
};

// Where the workers of one split meet, in shared memory: how many have started, whether one
// waited meeting_seconds in vain (or gave up at once, in the caller's process), and whether a
// worker that should finish did.
struct meeting {
    const long caller = static_cast<long>(::getpid());  // made by the caller, before any fork
    std::atomic<int> started{0};
    std::atomic<int> gave_up{0};
    std::atomic<int> in_caller{0};
    std::atomic<int> finished{0};

    // Waits until ready() or meeting_seconds have passed (then gives up, for every worker). In
    // the caller's process it gives up at once: while the caller computes the row itself, no
    // worker it has yet to start can arrive, so waiting would only add meeting_seconds.
    template <class Ready>
    void wait(Ready ready) {
        if (static_cast<long>(::getpid()) == caller) {
            in_caller.store(1);
            gave_up.store(1);
            return;
        }
        const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(answers::meeting_seconds);
        while (!ready() && gave_up.load() == 0) {
            if (std::chrono::steady_clock::now() > until) gave_up.store(1);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    [[nodiscard]] meeting_outcome outcome() const { return {gave_up.load() == 0, in_caller.load() != 0}; }
};

// Row y of a probe input whose rows start with 1000 y (rows_numbered), found from the row itself.
std::size_t row_number(const double* in) { return static_cast<std::size_t>(in[0] / 1000.0); }

lab05::matrix rows_numbered(std::size_t rows, std::size_t cols) {
    lab05::matrix m(rows, cols);
    for (std::size_t y = 0; y < rows; ++y) std::fill_n(m.row(y).data(), cols, 1000.0 * static_cast<double>(y));
    return m;
}

// split_rows on 9 rows over 3 workers, whose kernel makes the first row of each block wait until
// every worker has started.
meeting_outcome workers_meet() {
    const lab05::matrix input = rows_numbered(9, 4);
    parlab::shared_value<meeting> m;
    (void)lab05::split_rows(
        [&m](const double* in, double* out, std::size_t n) {
            if (row_number(in) % 3 == 0) {
                m->started.fetch_add(1);
                m->wait([&] { return m->started.load() == 3; });
            }
            std::copy(in, in + n, out);
        },
        input.view(), 3);
    return m->outcome();
}

// split_rows on 4 rows over 2 workers: row 0 (worker 0) throws at once, row 3 (worker 1) takes
// 0.3 s; true when worker 1 got to the end of row 3 all the same.
bool others_finish() {
    const lab05::matrix input = rows_numbered(4, 4);
    parlab::shared_value<meeting> m;
    try {
        (void)lab05::split_rows(
            [&m](const double* in, double* out, std::size_t n) {
                if (row_number(in) == 0) throw std::runtime_error("row zero is bad");
                if (row_number(in) == 3) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(300));
                    m->finished.store(1);
                }
                std::copy(in, in + n, out);
            },
            input.view(), 2);
    } catch (const std::exception&) {
    }
    return m->finished.load() == 1;
}

// split_rows_pipe on 4 rows of 20000 doubles (160 KB, more than a pipe holds) over 2 workers:
// worker 0 waits in its last row until worker 1 has reached its last, which it can do only once
// the caller has read its first row.
meeting_outcome pipes_read_while_running() {
    const lab05::matrix input = rows_numbered(4, 20000);
    parlab::shared_value<meeting> m;
    (void)lab05::split_rows_pipe(
        [&m](const double* in, double* out, std::size_t n) {
            if (row_number(in) == 3) m->started.store(1);
            if (row_number(in) == 1) m->wait([&] { return m->started.load() == 1; });
            std::copy(in, in + n, out);
        },
        input.view(), 2);
    return m->outcome();
}

answers::result_file saved(const std::string& file, const lab05::matrix& result) {
    answers::write_doubles(file, result.data(), result.rows() * result.cols());
    return {file, result.rows(), result.cols(), {}, {}};
}

answers::result_file saved(const std::string& file, const lab05::matrix& result, const row_log& log) {
    answers::result_file saved_file = saved(file, result);
    saved_file.row_pids = log.taken();
    saved_file.row_calls = log.counted();
    return saved_file;
}

// split-rows: every case in the three output modes (new shared output, the caller's shared
// output, in place), in that order.
nlohmann::json split_rows_check(const arguments& a) {
    answers::results_answer answer;
    answer.caller_pid = static_cast<long>(::getpid());
    std::size_t i = 0;
    for (const smooth_case& c : answers::split_cases(a.number("seed"))) {
        const lab05::row_kernel kernel = lab05::gaussian_row_kernel(c.sigma);
        const lab05::matrix input = input_of(c);
        const std::string prefix = "split-rows-" + std::to_string(i++);
        {
            const row_log log(c.rows);
            const auto got = lab05::split_rows(log.noting(kernel, input.data(), c.cols, false), input.view(), c.workers);
            answer.results.push_back(saved(prefix + "-new.raw", got, log));
        }
        {
            const row_log log(c.rows);
            lab05::matrix given(c.rows, c.cols, lab05::memory_kind::shared_memory);
            lab05::split_rows(log.noting(kernel, given.data(), c.cols, true), input.view(), given, c.workers);
            answer.results.push_back(saved(prefix + "-given.raw", given, log));
        }
        {
            const row_log log(c.rows);
            lab05::matrix in_place(input.view(), lab05::memory_kind::shared_memory);
            lab05::split_rows(log.noting(kernel, in_place.data(), c.cols, true), in_place.view(), in_place, c.workers);
            answer.results.push_back(saved(prefix + "-in-place.raw", in_place, log));
        }
    }
    const meeting_outcome met = workers_meet();
    answer.workers_met = met.met;
    answer.met_in_caller = met.in_caller;
    return answer;
}

// A kernel that copies its row, except that it throws c.text for c.failing_row (or for every
// row). It finds its row from where the row lies in `input`.
lab05::row_kernel failing_kernel(const answers::failure_case& c, const lab05::matrix& input) {
    const double* base = input.data();
    return [base, c](const double* in_row, double* out_row, std::size_t n) {
        const auto offset = static_cast<std::size_t>(in_row - base);
        if (c.failing_row >= c.shape.rows || offset / c.shape.cols == c.failing_row) throw std::runtime_error(c.text);
        std::copy(in_row, in_row + n, out_row);
    };
}

template <class Run>
answers::failure_report failure_of(Run run) {
    const std::optional<std::string> thrown = parlab::probe::exception_from(run);
    return {thrown.has_value(), thrown.value_or("")};
}

// worker-failure: case 0 with a new output, case 1 with the caller's, case 2 (every row fails)
// with a new output.
nlohmann::json failure_check(const arguments& a) {
    answers::failures_answer answer;
    std::size_t i = 0;
    for (const auto& c : answers::failure_cases(a.number("seed"))) {
        const lab05::matrix input = input_of(c.shape);
        const lab05::row_kernel kernel = failing_kernel(c, input);
        answer.failures.push_back(failure_of([&] {
            if (i == 1) {
                lab05::matrix output(c.shape.rows, c.shape.cols, lab05::memory_kind::shared_memory);
                lab05::split_rows(kernel, input.view(), output, c.shape.workers);
            } else {
                (void)lab05::split_rows(kernel, input.view(), c.shape.workers);
            }
        }));
        ++i;
    }
    answer.others_finished = others_finish();
    return answer;
}

nlohmann::json pipe_check(const arguments& a) {
    const auto seed = a.number("seed");
    answers::pipe_answer answer;
    answer.caller_pid = static_cast<long>(::getpid());
    auto cases = answers::split_cases(seed);
    const smooth_case big = answers::big_pipe_case(seed);
    // First under a time limit in a child: a caller that stops reading too early, then waits for
    // workers blocked on their full pipes, is reported in seconds rather than at the check's limit.
    const lab05::matrix big_input = input_of(big);
    answer.big_case_hung = parlab::run_with_time_limit(
                               [&] {
                                   (void)lab05::split_rows_pipe(lab05::gaussian_row_kernel(big.sigma), big_input.view(),
                                                                big.workers);
                               },
                               answers::meeting_seconds)
                               .end == parlab::limited_end::timed_out;
    if (!answer.big_case_hung) cases.push_back(big);
    std::size_t i = 0;
    for (const smooth_case& c : cases) {
        const lab05::matrix input = input_of(c);
        const row_log log(c.rows);
        const auto kernel = log.noting(lab05::gaussian_row_kernel(c.sigma), input.data(), c.cols, false);
        const auto got = lab05::split_rows_pipe(kernel, input.view(), c.workers);
        answer.results.push_back(saved("pipe-gather-" + std::to_string(i++) + ".raw", got, log));
    }
    const auto failure = answers::failure_cases(seed).front();
    const lab05::matrix input = input_of(failure.shape);
    answer.failure = failure_of([&] {
        (void)lab05::split_rows_pipe(failing_kernel(failure, input), input.view(), failure.shape.workers);
    });
    // Under a time limit too: a caller that stops reading early hangs here as well, so after the
    // big case hung this is not run (the verifier does not judge it then).
    if (!answer.big_case_hung) {
        const meeting_outcome read = parlab::call_with_time_limit<meeting_outcome>(2 * answers::meeting_seconds,
                                                                                   pipes_read_while_running)
                                         .value.value_or(meeting_outcome{});
        answer.read_while_running = read.met;
        answer.read_in_caller = read.in_caller;
    }
    return answer;
}

// fork() calls this process has made (counted by a pthread_atfork handler that main installs).
long forks_made = 0;

// halo: smooth_split_columns on every halo case (with the forks it made), then
// smooth_column_block alone on every block case, into an output that holds block_sentinel.
nlohmann::json halo_check(const arguments& a) {
    const auto seed = a.number("seed");
    answers::halo_answer answer;
    std::size_t i = 0;
    for (const smooth_case& c : answers::halo_cases(seed)) {
        const lab05::matrix input = input_of(c);
        const long before = forks_made;
        const lab05::matrix got = lab05::smooth_split_columns(input.view(), c.sigma, c.workers);
        answer.forks.push_back(forks_made - before);
        answer.splits.push_back(saved("halo-" + std::to_string(i++) + ".raw", got));
    }
    i = 0;
    for (const answers::block_case& c : answers::block_cases(seed)) {
        const lab05::matrix input = input_of(c.shape);
        lab05::matrix output(c.shape.rows, c.shape.cols);
        std::fill_n(output.data(), c.shape.rows * c.shape.cols, answers::block_sentinel);
        lab05::smooth_column_block(input.view(), output.view(), c.shape.sigma, {c.first, c.last});
        answer.blocks.push_back(saved("block-" + std::to_string(i++) + ".raw", output));
    }
    return answer;
}

}  // namespace

int main(int argc, char** argv) {
    ::pthread_atfork([] { ++forks_made; }, nullptr, nullptr);
    parlab::probe::probe_table table;
    table.checks["split-rows"] = split_rows_check;
    table.checks["worker-failure"] = failure_check;
    table.checks["pipe-gather"] = pipe_check;
    table.checks["halo"] = halo_check;
    table.timed["split"] = [](const arguments& a) {
        // split_rows with the Gaussian kernel on a new input for every nonce; the answer is a few
        // outputs at positions drawn from the nonce and the sum of all of them.
        const auto workers = static_cast<std::size_t>(a.number("workers", 1));
        const auto seed = a.number("seed");
        auto input = std::make_shared<lab05::matrix>(answers::timing_rows, answers::timing_cols);
        const lab05::row_kernel kernel = lab05::gaussian_row_kernel(answers::timing_sigma);
        return parlab::probe::timed_body([workers, seed, input, kernel](std::uint64_t nonce) {
            answers::fill_timing_input({input->data(), input->rows() * input->cols()}, seed, nonce);
            const lab05::matrix out = lab05::split_rows(kernel, input->view(), workers);
            if (out.rows() != input->rows() || out.cols() != input->cols())
                return std::string("the result has the wrong shape");
            return answers::timing_digest({out.data(), out.rows() * out.cols()}, seed, nonce);
        });
    };
    return parlab::probe::run(argc, argv, table);
}
