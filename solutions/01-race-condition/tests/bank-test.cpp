// Lab 01 tests. Each fixed version is run many times with both workers hammering the balance at
// once: a correct fix gives the right balance every time, a broken one loses updates in at
// least one run with overwhelming probability.

#include <cstddef>
#include <functional>
#include <sstream>
#include <string>

#include "bank.hpp"
#include "parlab/testing.hpp"

namespace {

using parlab::lab01::expected_balance;
using parlab::lab01::transactions;
using version = std::function<long(long, transactions)>;

// Enough updates per worker that two unsynchronised workers overlap for a long time.
constexpr std::size_t busy = 10'000;
constexpr int runs = 10;

struct outcome {
    int wrong = 0;        // runs that ended with the wrong balance
    long first_wrong = 0;  // the balance of the first of them
    int unchanged = 0;    // wrong runs that returned the initial balance untouched
};

outcome run_many(const version& fn, long initial, transactions work, int times) {
    outcome result;
    const long want = expected_balance(initial, work);
    for (int i = 0; i < times; ++i) {
        const long got = fn(initial, work);
        if (got == want) continue;
        if (result.wrong++ == 0) result.first_wrong = got;
        if (got == initial) ++result.unchanged;
    }
    return result;
}

// "final balance 87 instead of 100 in 7 of 10 runs: updates were lost"
std::string describe(const outcome& o, long initial, transactions work, int times) {
    std::ostringstream text;
    text << "with " << work.deposits << " deposits and " << work.withdrawals
         << " withdrawals from " << initial << ": final balance " << o.first_wrong << " instead of "
         << expected_balance(initial, work) << " in " << o.wrong << " of " << times << " runs: ";
    if (o.unchanged == o.wrong)
        text << "the balance never changed; do the workers update memory the caller can see?";
    else
        text << "updates were lost";
    return text.str();
}

// Small cases, each run a few times: the arithmetic and the edge cases.
void check_small_cases(const version& fn) {
    const auto [initial, deposits, withdrawals] = GENERATE(table<long, std::size_t, std::size_t>({
        {100, 0, 0}, {100, 1, 0}, {100, 0, 1}, {-7, 3, 5}, {0, 1000, 999}, {100, 250, 4000}}));
    const transactions work{deposits, withdrawals};
    const outcome o = run_many(fn, initial, work, 3);
    INFO(describe(o, initial, work, 3));
    CHECK(o.wrong == 0);
}

// The race: both workers busy at once, many runs. Any lost update fails.
void check_under_contention(const version& fn) {
    const auto [deposits, withdrawals] =
        GENERATE(table<std::size_t, std::size_t>({{busy, busy}, {busy, busy / 2}}));
    const transactions work{deposits, withdrawals};
    const outcome o = run_many(fn, 100, work, runs);
    INFO(describe(o, 100, work, runs));
    CHECK(o.wrong == 0);
}

// The given racy version must really show the race. Losing nothing in every one of many runs
// is practically impossible for it, so this does not flake.
void check_given_loses_updates(const version& fn, const std::string& name) {
    constexpr int tries = 20;
    const transactions work{busy, busy};
    const outcome o = run_many(fn, 100, work, tries);
    INFO("the given " << name << " ended with the right balance in all " << tries
                      << " runs: it should lose updates; restore it as it was given");
    CHECK(o.wrong > 0);
}

}  // namespace

TEST_CASE("task 1: the given unsynchronized_threads loses updates", "[lab01][task1]") {
    check_given_loses_updates(parlab::lab01::unsynchronized_threads, "unsynchronized_threads");
}

TEST_CASE("task 1: mutex_threads gives the right balance in small cases", "[lab01][task1]") {
    check_small_cases(parlab::lab01::mutex_threads);
}

TEST_CASE("task 1: mutex_threads loses no update under contention", "[lab01][task1]") {
    check_under_contention(parlab::lab01::mutex_threads);
}

TEST_CASE("task 2: atomic_threads gives the right balance in small cases", "[lab01][task2]") {
    check_small_cases(parlab::lab01::atomic_threads);
}

TEST_CASE("task 2: atomic_threads loses no update under contention", "[lab01][task2]") {
    check_under_contention(parlab::lab01::atomic_threads);
}

TEST_CASE("task 3: the given unsynchronized_processes loses updates", "[lab01][task3]") {
    check_given_loses_updates(parlab::lab01::unsynchronized_processes, "unsynchronized_processes");
}

TEST_CASE("task 3: locked_processes gives the right balance in small cases", "[lab01][task3]") {
    check_small_cases(parlab::lab01::locked_processes);
}

TEST_CASE("task 3: locked_processes loses no update under contention", "[lab01][task3]") {
    check_under_contention(parlab::lab01::locked_processes);
}

TEST_CASE("task 4: atomic_processes gives the right balance in small cases", "[lab01][task4]") {
    check_small_cases(parlab::lab01::atomic_processes);
}

TEST_CASE("task 4: atomic_processes loses no update under contention", "[lab01][task4]") {
    check_under_contention(parlab::lab01::atomic_processes);
}
