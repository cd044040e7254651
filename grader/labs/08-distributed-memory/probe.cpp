// Lab 08's probe: it starts itself again as 4 MPI ranks (run_ranks, distributed.hpp), which call
// the student's functions on inputs made from the seed on communicators of 1, 2, 3 and 4 of them
// (for_each_rank_count); rank 0 makes the inputs, and each rank that returns something writes it
// into the run folder for the verifier. The probe
// only says how each run of the ranks ended: the verifier reads the numbers and judges them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../05-array-splitting/answers.hpp"
#include "answers.hpp"
#include "distributed.hpp"
#include "inputs.hpp"
#include "probe.hpp"

namespace {

namespace lab08 = parlab::lab08;
namespace answers = parlab::grader::lab08;
namespace lab05 = parlab::grader::lab05;
using parlab::probe::arguments;

// The ranks of a timed run: they live through every run of the pair. Rank 0 reads each nonce from
// the FIFO `go` (the probe relays the grader's "go NONCE" into it) and broadcasts it; every rank
// calls smooth_rows_distributed on lab 05's timed input for that nonce, which rank 0 makes; rank 0
// writes the answer into the FIFO `done`. The end of `go` ends the ranks.
void timed_ranks(const lab08::rank_job& job, MPI_Comm comm) {
    const auto seed = std::stoull(job.option("seed"));
    const bool root = lab08::rank_of(comm) == 0;
    std::FILE* go = root ? std::fopen(job.option("go").c_str(), "r") : nullptr;
    std::FILE* done = root ? std::fopen(job.option("done").c_str(), "w") : nullptr;
    if (root && (go == nullptr || done == nullptr)) throw std::runtime_error("cannot open the timing FIFOs");
    std::vector<double> input(root ? lab05::timing_rows * lab05::timing_cols : 0);
    for (;;) {
        unsigned long long message[2] = {0, 0};  // another run?, its nonce
        if (root) message[0] = std::fscanf(go, "%llu", &message[1]) == 1 ? 1 : 0;
        MPI_Bcast(message, 2, MPI_UNSIGNED_LONG_LONG, 0, comm);
        if (message[0] == 0) break;
        if (root) lab05::fill_timing_input(input, seed, message[1]);
        const std::vector<double> out =
            lab08::smooth_rows_distributed(input, lab05::timing_rows, lab05::timing_cols, lab05::timing_sigma, comm);
        if (!root) continue;
        const std::string answer =
            out.size() == input.size() ? lab05::timing_digest(out, seed, message[1]) : "the result has the wrong size";
        std::fprintf(done, "%s\n", answer.c_str());
        std::fflush(done);
    }
    if (root) {
        std::fclose(go);
        std::fclose(done);
    }
}

// The probe's side of a timed run: starts the ranks once (in a thread of its own, which waits for
// mpirun) and relays each nonce to them and each answer back.
class timed_relay {
public:
    timed_relay(int ranks, const std::string& seed) {
        char pattern[] = "/tmp/parlab-timed-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        const std::string go = dir_ + "/go", done = dir_ + "/done";
        if (::mkfifo(go.c_str(), 0600) != 0 || ::mkfifo(done.c_str(), 0600) != 0) throw std::runtime_error("mkfifo failed");
        ranks_ = std::thread([this, ranks, seed, go, done] {
            outcome_ = lab08::run_ranks(ranks, {"timed", {"seed=" + seed, "go=" + go, "done=" + done}, true}, 3600);
            ended_ = true;
        });
        // rank 0 opens `go` to read, then `done` to write; until it has, a non-blocking open finds
        // no reader (ENXIO), and a rank that failed before opening it ends the thread
        while ((go_ = ::open(go.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
            if (errno != ENXIO || ended_) fail("the ranks ended before the first run");
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        ::fcntl(go_, F_SETFL, 0);
        done_ = std::fopen(done.c_str(), "re");
        if (done_ == nullptr) fail("cannot open the answer FIFO");
    }
    timed_relay(const timed_relay&) = delete;
    timed_relay& operator=(const timed_relay&) = delete;
    ~timed_relay() {
        if (go_ >= 0) ::close(go_);  // the ranks read the end and finish
        if (done_ != nullptr) std::fclose(done_);
        if (ranks_.joinable()) ranks_.join();
        std::error_code error;
        std::filesystem::remove_all(dir_, error);
    }

    // One run: the nonce to the ranks, their answer back.
    std::string run(std::uint64_t nonce) {
        const std::string line = std::to_string(nonce) + "\n";
        if (::write(go_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) fail("the ranks stopped reading");
        char answer[4096];
        if (std::fgets(answer, sizeof answer, done_) == nullptr) fail("the ranks ended during a run");
        std::string text = answer;
        if (!text.empty() && text.back() == '\n') text.pop_back();
        return text;
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        if (go_ >= 0) ::close(go_);
        go_ = -1;
        if (ranks_.joinable()) ranks_.join();
        throw std::runtime_error(what + (outcome_.failure.empty() ? "" : ": " + outcome_.failure));
    }

    std::string dir_;
    std::thread ranks_;
    lab08::ranks_outcome outcome_;
    std::atomic<bool> ended_{false};
    int go_ = -1;
    std::FILE* done_ = nullptr;
};

// One rank count's side: every case of one check on the communicator comm of `ranks` ranks.
void run_cases(const std::string& check, std::uint64_t seed, MPI_Comm comm, int ranks) {
    const int rank = lab08::rank_of(comm);
    const bool root = rank == 0;
    const auto input = [root](const answers::input_case& c, std::uint64_t which) {
        return root ? answers::case_values(c, which) : std::vector<double>{};
    };
    if (check == "dot-product") {
        const auto cases = answers::dot_cases(seed);
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const double got = lab08::distributed_dot(input(cases[i], 0), input(cases[i], 1), comm);
            lab05::write_doubles(answers::result_file(check, ranks, i, rank), &got, 1);
        }
        return;
    }
    const bool rows = check == "smooth-rows";
    const auto cases = rows ? answers::rows_cases(seed) : answers::signal_cases(seed);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const answers::input_case& c = cases[i];
        const std::vector<double> got =
            rows ? lab08::smooth_rows_distributed(input(c, 0), c.rows, c.cols, c.sigma, comm)
                 : lab08::smooth_signal_distributed(input(c, 0), c.cols, c.sigma, comm);
        if (root) lab05::write_doubles(answers::result_file(check, ranks, i, rank), got.data(), got.size());
    }
}

// The ranks' side: a timed run, or a check's cases on 1, 2, 3 and then 4 of the ranks.
void rank_body(const lab08::rank_job& job, MPI_Comm comm) {
    if (job.name == "timed") {
        timed_ranks(job, comm);
        return;
    }
    const auto seed = std::stoull(job.option("seed"));
    lab08::for_each_rank_count(comm, [&](MPI_Comm sub, int ranks) { run_cases(job.name, seed, sub, ranks); });
}

// A check: one run of most_ranks ranks, which tries 1 to most_ranks of them in turn; the answer
// has a run per rank count reached, the last one with what stopped it.
nlohmann::json runs_of(const std::string& check, const arguments& a) {
    const std::string seconds = a.get("rank-seconds", "30");
    const lab08::ranks_outcome outcome =
        lab08::run_ranks(answers::most_ranks, {check, {"seed=" + a.get("seed"), "out=."}}, std::stod(seconds));
    std::string error;
    if (outcome.deadlocked)
        error = outcome.stuck;
    else if (outcome.timed_out)
        error = "stopped after " + seconds + " s. " + outcome.stuck;
    else if (!outcome.failure.empty())
        error = outcome.failure;
    else if (!outcome.ok)
        error = "a rank failed:\n" + outcome.output;
    answers::runs_answer answer;
    const int reached = error.empty() ? answers::most_ranks : std::max(1, outcome.rank_count);
    for (int ranks = 1; ranks <= reached; ++ranks) answer.runs.push_back({ranks, ranks == reached ? error : ""});
    return answer;
}

}  // namespace

int main(int argc, char** argv) {
    lab08::serve_as_rank(rank_body);
    parlab::probe::probe_table table;
    table.checks["dot-product"] = [](const arguments& a) { return runs_of("dot-product", a); };
    table.checks["smooth-rows"] = [](const arguments& a) { return runs_of("smooth-rows", a); };
    table.checks["halo"] = [](const arguments& a) { return runs_of("halo", a); };
    table.timed["smooth"] = [](const arguments& a) -> parlab::probe::timed_body {
        auto relay = std::make_shared<timed_relay>(static_cast<int>(a.number("ranks")), a.get("seed"));
        return [relay](std::uint64_t nonce) { return relay->run(nonce); };
    };
    return parlab::probe::run(argc, argv, table);
}
