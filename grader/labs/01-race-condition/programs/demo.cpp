// You do not need to modify this file.
//
// Lab 01 classroom demo (`./parlab demo race-condition [--solutions]`): the bank of the lab,
// run the way the lecture shows it. First the given versions without synchronisation, 10 runs
// each, with every final balance, the total time and the median run; then the four fixed
// versions (tasks 1 to 4) with their balances and times. A version that throws is shown as "not done yet", one
// that hangs is stopped after its time budget.
//
//   parlab_lab01_demo [--out DIR] [--transactions N] [--runs N] [TRANSACTIONS]
//     --out DIR           folder for balances.csv (default: lab01-demo)
//     --transactions N    deposits, and as many withdrawals, per run (default 10000)
//     --runs N            runs of every version (default 10)
//     TRANSACTIONS        the same as --transactions

#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "bank.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/teaching.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

namespace {

using parlab::teaching::outcome;
using parlab::teaching::run_guarded;

using parlab::lab01::transactions;

constexpr std::string_view usage =
    "usage: parlab_lab01_demo [--out DIR] [--transactions N] [--runs N] [TRANSACTIONS]\n"
    "  --out DIR           folder for balances.csv (default: lab01-demo)\n"
    "  --transactions N    deposits, and as many withdrawals, per run (default 10000)\n"
    "  --runs N            runs of every version (default 10)\n";

// The most transactions per worker the command line accepts (about 10 s per run at 1 us each).
constexpr std::size_t most_transactions = 10'000'000;

// The time budget of a version: all its runs together; a hang is stopped there.
constexpr double budget_per_version = 8.0;

// One run: the final balance and the time the function took.
struct run_result {
    long balance = 0;
    double seconds = 0;
};

struct version {
    const char* name;
    long (*run)(long, transactions);
};

// All runs of one version.
struct series {
    std::vector<long> balances;
    std::vector<double> seconds;
    std::string problem;  // set when a run threw, crashed or hung; the runs stop there
    [[nodiscard]] double total() const {
        double sum = 0;
        for (double s : seconds) sum += s;
        return sum;
    }
};

series run_version(const version& v, long initial, transactions work, std::size_t runs) {
    series result;
    parlab::stopwatch spent;
    for (std::size_t i = 0; i < runs; ++i) {
        const outcome<run_result> one = run_guarded<run_result>(
            budget_per_version - spent.seconds(), [&] {
                parlab::stopwatch watch;
                const long balance = v.run(initial, work);
                return run_result{balance, watch.seconds()};
            });
        if (!one.value) {
            result.problem = one.problem;
            break;
        }
        result.balances.push_back(one.value->balance);
        result.seconds.push_back(one.value->seconds);
    }
    return result;
}

std::size_t wrong_runs(const series& s, long expected) {
    std::size_t wrong = 0;
    for (long b : s.balances) wrong += b != expected;
    return wrong;
}

// "all 100", or the balances one after another.
std::string balances_text(const series& s, long expected) {
    if (!s.balances.empty() && wrong_runs(s, expected) == 0)
        return "all " + std::to_string(expected);
    std::string text;
    for (long b : s.balances) {
        if (!text.empty()) text += ' ';
        text += std::to_string(b);
    }
    return text;
}

std::string ms(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f ms", seconds * 1e3);
    return text;
}

struct options {
    std::filesystem::path out = "lab01-demo";
    std::size_t transactions = 10'000;
    std::size_t runs = 10;
};

// Reads the command line; throws std::invalid_argument with a one-line message for a bad one.
options parse(int argc, char** argv) {
    options o;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--out")) o.out = args.value();
        else if (args.is("--transactions")) o.transactions = args.positive_value(most_transactions);
        else if (args.is("--runs")) o.runs = args.positive_value(1000);
        else if (args.positional())
            o.transactions = parlab::parse_positive(args.current(), "TRANSACTIONS", most_transactions);
        else args.unknown();
    }
    return o;
}

// The demo itself, once the command line is read.
int run(const options& o) {
    constexpr long initial = 100;
    const transactions work{o.transactions, o.transactions};
    const long expected = parlab::lab01::expected_balance(initial, work);
    const std::size_t runs = o.runs;

    std::printf("A balance of %ld; a depositor adds 1 to it %zu times while a withdrawer takes 1\n"
                "from it %zu times. Every run should end at %ld.\n\n",
                initial, o.transactions, o.transactions, expected);

    // Part 1: the given versions, run after run, as in the lecture's notebook.
    std::printf("No synchronisation (the given versions), %zu runs:\n\n", runs);
    const series threads = run_version({"threads", parlab::lab01::unsynchronized_threads}, initial, work, runs);
    const series processes = run_version({"processes", parlab::lab01::unsynchronized_processes}, initial, work, runs);
    std::printf("  %5s  %14s  %14s\n", "run", "threads", "processes");
    for (std::size_t i = 0; i < runs; ++i) {
        const auto cell = [&](const series& s) {
            return i < s.balances.size() ? std::to_string(s.balances[i]) : std::string("-");
        };
        std::printf("  %5zu  %14s  %14s\n", i + 1, cell(threads).c_str(), cell(processes).c_str());
    }
    std::printf("  %5s  %14s  %14s\n", "total", ms(threads.total()).c_str(), ms(processes.total()).c_str());
    const auto median_text = [](const series& s) {
        return s.seconds.empty() ? std::string("-") : ms(parlab::median(s.seconds));
    };
    std::printf("  %5s  %14s  %14s\n", "median", median_text(threads).c_str(), median_text(processes).c_str());
    std::printf("  %5s  %8zu of %-3zu %8zu of %-3zu\n", "wrong", wrong_runs(threads, expected),
                threads.balances.size(), wrong_runs(processes, expected), processes.balances.size());
    for (const series* s : {&threads, &processes})
        if (!s->problem.empty()) std::printf("  %s: %s\n", s == &threads ? "threads" : "processes", s->problem.c_str());

    // Part 2: the fixed versions.
    constexpr version fixed[] = {
        {"threads, std::mutex (task 1)", parlab::lab01::mutex_threads},
        {"threads, atomic (task 2)", parlab::lab01::atomic_threads},
        {"processes, process_mutex (task 3)", parlab::lab01::locked_processes},
        {"processes, atomic (task 4)", parlab::lab01::atomic_processes},
    };
    std::printf("\nWith a lock or an atomic update (tasks 1 to 4), %zu runs each:\n\n", runs);
    std::printf("  %-34s %-11s %11s %11s  %s\n", "version", "wrong runs", "total", "median run",
                "final balances");
    std::vector<series> results;
    for (const version& v : fixed) {
        results.push_back(run_version(v, initial, work, runs));
        const series& s = results.back();
        if (s.balances.empty()) {
            std::printf("  %-34s %s\n", v.name, s.problem.c_str());
            continue;
        }
        const std::string wrong = std::to_string(wrong_runs(s, expected)) + " of " + std::to_string(s.balances.size());
        std::printf("  %-34s %-11s %11s %11s  %s\n", v.name, wrong.c_str(), ms(s.total()).c_str(),
                    ms(parlab::median(s.seconds)).c_str(), balances_text(s, expected).c_str());
        if (!s.problem.empty()) std::printf("  %-34s then %s\n", "", s.problem.c_str());
    }
    std::printf("\nA lost update leaves the balance too high (a withdrawal was lost) or too low\n"
                "(a deposit was lost). The lock and the atomic make each update indivisible.\n");

    parlab::teaching::output_file csv(o.out / "balances.csv");
    std::ostream& file = csv.stream();
    file << "version,run,final_balance,expected,seconds\n";
    const auto write = [&](const char* name, const series& s) {
        for (std::size_t i = 0; i < s.balances.size(); ++i)
            file << '"' << name << "\"," << i + 1 << ',' << s.balances[i] << ',' << expected << ','
                 << s.seconds[i] << '\n';
    };
    write("threads, no synchronisation", threads);
    write("processes, no synchronisation", processes);
    for (std::size_t k = 0; k < results.size(); ++k) write(fixed[k].name, results[k]);
    csv.close();
    std::printf("\nWrote %s (every run's final balance and time).\n", csv.path().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("parlab_lab01_demo", usage, argc, argv, parse, run);
}
