// Lab 02 tests: every version against a compensated serial sum, and the lock's counters to see
// where the lock was placed (exact counts, not times).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dot.hpp"
#include "parlab/testing.hpp"

namespace {

namespace lab = parlab::lab02;

// The reference: Neumaier's compensated summation keeps the rounding error of the running sum
// in a second variable, so the result is as good as if the sum were exact and rounded once.
double reference_dot(const std::vector<double>& x, const std::vector<double>& y) {
    double sum = 0;
    double compensation = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double term = x[i] * y[i];
        const double next = sum + term;
        if (std::abs(sum) >= std::abs(term))
            compensation += (sum - next) + term;
        else
            compensation += (term - next) + sum;
        sum = next;
    }
    return sum + compensation;
}

constexpr double tolerance = 1e-9;

double relative_error(double got, double want) {
    if (want == 0) return std::abs(got);
    return std::abs(got - want) / std::abs(want);
}

// 1000000 -> "1,000,000"
std::string grouped(std::uint64_t n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
    return digits;
}

struct input {
    std::vector<double> x;
    std::vector<double> y;
    double want;
};

// The input of n elements, made once: the test cases repeat each size for every count of
// workers and chunks, and a million elements take a while to draw and sum (longer still under the
// sanitizers).
const input& make_input(std::size_t n) {
    static std::map<std::size_t, input> made;
    auto found = made.find(n);
    if (found == made.end()) {
        input in{lab::random_vector(n, 2024 + n), lab::random_vector(n, 7 + 3 * n), 0};
        in.want = reference_dot(in.x, in.y);
        found = made.emplace(n, std::move(in)).first;
    }
    return found->second;
}

std::string describe_case(std::size_t n, std::size_t workers, std::size_t chunks) {
    std::ostringstream text;
    text << grouped(n) << " elements, " << workers << " worker(s), " << chunks << " chunks";
    return text.str();
}

void check_value(double got, double want) {
    INFO("got " << got << ", the serial sum is " << want << " (relative error "
                << relative_error(got, want) << ", at most " << tolerance
                << " allowed): contributions were lost or counted twice");
    CHECK(relative_error(got, want) <= tolerance);
}

// A version that takes the lock: dot_lock_per_element (task 1) or dot_lock_per_chunk (task 2).
using locked_version = double (*)(std::span<const double>, std::span<const double>, parlab::thread_pool&,
                                  std::size_t, lab::counting_mutex&);

// How often one run of a locked version took its lock.
struct lock_use {
    std::uint64_t acquisitions = 0;
    std::uint64_t contended = 0;
};

// Runs `version` on the input of n elements with `workers` threads and `chunks` chunks, checks
// its result against the serial sum, and returns how often it took the lock.
lock_use run_locked(locked_version version, std::size_t n, std::size_t workers, std::size_t chunks) {
    const input& in = make_input(n);
    parlab::thread_pool pool(workers);
    lab::counting_mutex lock;
    check_value(version(in.x, in.y, pool, chunks, lock), in.want);
    return {lock.acquisitions(), lock.contended()};
}

std::string lock_report(const lock_use& use) {
    return "the lock was taken " + grouped(use.acquisitions) + " times (" + grouped(use.contended) +
           " of them contended)";
}

// Task 1 takes the lock for every element of the n.
void check_once_per_element(const lock_use& use, std::size_t n) {
    INFO(lock_report(use) << "; task 1 asks for one acquisition per element (" << grouped(n) << ")");
    CHECK(use.acquisitions == n);
}

// Task 2 takes it once per chunk: every non-empty chunk must add its partial sum, an empty
// chunk (n < chunks) may or may not.
void check_once_per_chunk(const lock_use& use, std::size_t n, std::size_t chunks) {
    INFO(lock_report(use) << "; task 2 asks for one acquisition per chunk (" << chunks << ")");
    CHECK(use.acquisitions >= std::min(n, chunks));
    CHECK(use.acquisitions <= chunks);
}

// Sizes: empty, one, fewer than the chunks, not divisible by chunks or workers, large.
std::size_t small_size() { return GENERATE(as<std::size_t>{}, 0, 1, 5, 64, 1001); }
std::size_t worker_count() { return GENERATE(as<std::size_t>{}, 1, 2, 3); }
std::size_t chunk_count() { return GENERATE(as<std::size_t>{}, 1, 7, 64); }
constexpr std::size_t large = 1'000'000;

}  // namespace

TEST_CASE("task 1: the lock is taken once per element", "[lab02][task1]") {
    const std::size_t n = small_size();
    const std::size_t workers = worker_count();
    const std::size_t chunks = chunk_count();
    INFO(describe_case(n, workers, chunks));
    check_once_per_element(run_locked(lab::dot_lock_per_element, n, workers, chunks), n);
}

TEST_CASE("task 1: a million elements, right with the lock per element", "[lab02][task1]") {
    check_once_per_element(run_locked(lab::dot_lock_per_element, large, 2, lab::default_chunks), large);
}

TEST_CASE("task 2: the lock is taken once per chunk", "[lab02][task2]") {
    const std::size_t n = small_size();
    const std::size_t workers = worker_count();
    const std::size_t chunks = chunk_count();
    INFO(describe_case(n, workers, chunks));
    check_once_per_chunk(run_locked(lab::dot_lock_per_chunk, n, workers, chunks), n, chunks);
}

TEST_CASE("task 2: a million elements, one lock per chunk", "[lab02][task2]") {
    const std::size_t workers = GENERATE(as<std::size_t>{}, 2, 4);
    check_once_per_chunk(run_locked(lab::dot_lock_per_chunk, large, workers, lab::default_chunks), large,
                         lab::default_chunks);
}

TEST_CASE("task 3: an atomic add per chunk gives the right result", "[lab02][task3]") {
    const std::size_t n = GENERATE(as<std::size_t>{}, 0, 1, 5, 64, 1001, large);
    const std::size_t workers = worker_count();
    const std::size_t chunks = chunk_count();
    INFO(describe_case(n, workers, chunks));
    const input& in = make_input(n);
    parlab::thread_pool pool(workers);
    check_value(lab::dot_atomic_per_chunk(in.x, in.y, pool, chunks), in.want);
}

namespace {

// The slots must be one per worker and distinct; `padded` also asks that no two share a
// cache line, and !padded that they be consecutive doubles.
void check_slots(const lab::per_worker_result& result, std::size_t workers, bool padded) {
    {
        INFO("the result lists " << result.slots.size() << " slot addresses; the pool has "
                                 << workers << " workers, one slot each");
        REQUIRE(result.slots.size() == workers);
    }
    std::vector<std::uintptr_t> sorted = result.slots;
    std::sort(sorted.begin(), sorted.end());
    {
        INFO("two workers were given the same slot");
        CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    }
    if (padded) {
        std::set<std::uintptr_t> lines;
        for (std::uintptr_t address : sorted) lines.insert(address / lab::cache_line);
        INFO("only " << lines.size() << " different cache lines hold the " << workers
                     << " slots: padded slots need a " << lab::cache_line << "-byte line each");
        CHECK(lines.size() == workers);
        return;
    }
    for (std::size_t w = 1; w < result.slots.size(); ++w) {
        const auto distance = static_cast<long long>(result.slots[w] - result.slots[w - 1]);
        INFO("slot " << w << " is " << distance << " bytes after slot " << w - 1
                     << "; adjacent slots are consecutive doubles, " << sizeof(double)
                     << " bytes apart");
        CHECK(distance == static_cast<long long>(sizeof(double)));
    }
}

// A task 4 version: dot_per_worker_adjacent or dot_per_worker_padded.
using per_worker_version = lab::per_worker_result (*)(std::span<const double>, std::span<const double>,
                                                      parlab::thread_pool&, std::size_t);

// Runs `version` on the input of n elements with `workers` threads and `chunks` chunks, and
// checks its result and its slots (see check_slots).
void check_per_worker(per_worker_version version, std::size_t n, std::size_t workers, std::size_t chunks,
                      bool padded) {
    INFO(describe_case(n, workers, chunks));
    const input& in = make_input(n);
    parlab::thread_pool pool(workers);
    const lab::per_worker_result result = version(in.x, in.y, pool, chunks);
    check_value(result.value, in.want);
    check_slots(result, workers, padded);
}

}  // namespace

TEST_CASE("task 4: per-worker sums in adjacent slots", "[lab02][task4]") {
    const std::size_t n = GENERATE(as<std::size_t>{}, 0, 1, 1001, large);
    const std::size_t workers = worker_count();
    const std::size_t chunks = chunk_count();
    check_per_worker(lab::dot_per_worker_adjacent, n, workers, chunks, false);
}

TEST_CASE("task 4: per-worker sums in padded slots", "[lab02][task4]") {
    const std::size_t n = GENERATE(as<std::size_t>{}, 0, 1, 1001, large);
    const std::size_t workers = GENERATE(as<std::size_t>{}, 1, 2, 3, 8);
    const std::size_t chunks = chunk_count();
    check_per_worker(lab::dot_per_worker_padded, n, workers, chunks, true);
}

TEST_CASE("task 1: vectors of different lengths are refused", "[lab02][task1]") {
    const std::vector<double> x(10, 1.0), y(9, 1.0);
    parlab::thread_pool pool(2);
    lab::counting_mutex lock;
    CHECK_THROWS_AS(lab::dot_lock_per_element(x, y, pool, 4, lock), std::invalid_argument);
}
