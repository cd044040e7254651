// Lab 08's probe: it starts itself again as 1 to 4 MPI ranks (run_ranks, distributed.hpp), and
// the ranks call the student's functions on inputs made from the seed; rank 0 makes the inputs,
// and each rank that returns something writes it into the run folder for the verifier. The probe
// only says how each run of the ranks ended: the verifier reads the numbers and judges them.
#include <string>
#include <vector>

#include "answers.hpp"
#include "distributed.hpp"
#include "inputs.hpp"
#include "probe.hpp"

namespace {

namespace lab08 = parlab::lab08;
namespace answers = parlab::grader::lab08;
using parlab::probe::arguments;

// The ranks' side: every case of one check on this run's ranks.
void rank_body(const lab08::rank_job& job, MPI_Comm comm) {
    const auto seed = std::stoull(job.option("seed"));
    const int ranks = lab08::size_of(comm);
    const int rank = lab08::rank_of(comm);
    const bool root = rank == 0;
    const auto input = [root](const answers::input_case& c, std::uint64_t which) {
        return root ? answers::case_values(c, which) : std::vector<double>{};
    };
    if (job.name == "dot-product") {
        const auto cases = answers::dot_cases(seed);
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const double got = lab08::distributed_dot(input(cases[i], 0), input(cases[i], 1), comm);
            answers::write_doubles(answers::result_file(job.name, ranks, i, rank), {got});
        }
        return;
    }
    const bool rows = job.name == "smooth-rows";
    const auto cases = rows ? answers::rows_cases(seed) : answers::signal_cases(seed);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const answers::input_case& c = cases[i];
        const std::vector<double> got =
            rows ? lab08::smooth_rows_distributed(input(c, 0), c.rows, c.cols, c.sigma, comm)
                 : lab08::smooth_signal_distributed(input(c, 0), c.cols, c.sigma, comm);
        if (root) answers::write_doubles(answers::result_file(job.name, ranks, i, rank), got);
    }
}

// A check: runs of 1 to most_ranks ranks, until one fails.
nlohmann::json runs_of(const std::string& check, const arguments& a) {
    const double seconds = std::stod(a.get("rank-seconds", "10"));
    answers::runs_answer answer;
    for (int ranks = 1; ranks <= answers::most_ranks; ++ranks) {
        const lab08::ranks_outcome outcome =
            lab08::run_ranks(ranks, {check, {"seed=" + a.get("seed"), "out=."}}, seconds);
        answers::ranks_run run{ranks, ""};
        if (outcome.timed_out)
            run.error = "stopped after " + a.get("rank-seconds", "10") + " s. " + outcome.stuck;
        else if (!outcome.failure.empty())
            run.error = outcome.failure;
        else if (!outcome.ok)
            run.error = "a rank failed:\n" + outcome.output;
        answer.runs.push_back(run);
        if (!run.error.empty()) break;
    }
    return answer;
}

}  // namespace

int main(int argc, char** argv) {
    lab08::serve_as_rank(rank_body);
    parlab::probe::probe_table table;
    table.checks["dot-product"] = [](const arguments& a) { return runs_of("dot-product", a); };
    table.checks["smooth-rows"] = [](const arguments& a) { return runs_of("smooth-rows", a); };
    table.checks["halo"] = [](const arguments& a) { return runs_of("halo", a); };
    return parlab::probe::run(argc, argv, table);
}
