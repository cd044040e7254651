// You do not need to modify this file.
//
// Runs every version of the bank 10 times and prints, for each, the final balances, how many
// runs lost updates and how long a run takes. Usage: parlab_lab01_demo [TRANSACTIONS]
// (default 10000 deposits and as many withdrawals, starting from 100).

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bank.hpp"
#include "parlab/timing.hpp"
#include "parlab/workers.hpp"

namespace {

using parlab::lab01::transactions;

struct version {
    const char* name;
    long (*run)(long, transactions);
};

constexpr version versions[] = {
    {"threads, no synchronisation (given)", parlab::lab01::unsynchronized_threads},
    {"threads, std::mutex (task 1)", parlab::lab01::mutex_threads},
    {"threads, atomic read-modify-write (task 2)", parlab::lab01::atomic_threads},
    {"processes, no synchronisation (given)", parlab::lab01::unsynchronized_processes},
    {"processes, process_mutex (task 3)", parlab::lab01::locked_processes},
    {"processes, atomic read-modify-write (task 4)", parlab::lab01::atomic_processes},
};

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::size_t n = argc > 1 ? parlab::parse_positive(argv[1], "TRANSACTIONS") : 10'000;
        constexpr long initial = 100;
        constexpr int runs = 10;
        const transactions work{n, n};
        std::printf("Start %ld, %zu deposits of 1 and %zu withdrawals of 1, %d runs each; right answer %ld.\n\n",
                    initial, n, n, runs, parlab::lab01::expected_balance(initial, work));
        std::printf("%-46s %-10s %-12s %s\n", "version", "wrong runs", "median time", "final balances");
        for (const version& v : versions) {
            std::vector<double> seconds;
            std::string balances;
            int wrong = 0;
            for (int i = 0; i < runs; ++i) {
                parlab::stopwatch watch;
                const long balance = v.run(initial, work);
                seconds.push_back(watch.seconds());
                if (balance != parlab::lab01::expected_balance(initial, work)) ++wrong;
                balances += (i ? " " : "") + std::to_string(balance);
            }
            std::printf("%-46s %4d of %-3d %8.1f ms  %s\n", v.name, wrong, runs,
                        1000 * parlab::median(seconds), balances.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "parlab_lab01_demo: %s\n", e.what());
        return 1;
    }
}
