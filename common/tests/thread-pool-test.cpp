#include "parlab/thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <numeric>
#include <set>
#include <stdexcept>

#include "parlab/testing.hpp"

TEST_CASE("map returns results in input order", "[common][threads]") {
    parlab::thread_pool pool(3);
    std::vector<int> items(100);
    std::iota(items.begin(), items.end(), 0);
    const auto squares = pool.map(std::span<int>(items), [](int x) { return x * x; });
    REQUIRE(squares.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(squares[static_cast<std::size_t>(i)] == i * i);
}

TEST_CASE("map_unordered returns results in completion order", "[common][threads]") {
    parlab::thread_pool pool(2);
    // The first item sleeps, so with two threads the others finish before it.
    std::vector<int> items{0, 1, 2, 3};
    const auto done = pool.map_unordered(std::span<int>(items), [](int x) {
        if (x == 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return x;
    });
    REQUIRE(done.size() == 4);
    CHECK(std::set<int>(done.begin(), done.end()) == std::set<int>{0, 1, 2, 3});
    CHECK(done.back() == 0);
}

TEST_CASE("parallel_for visits every index exactly once, nothing outside", "[common][threads]") {
    const std::size_t n = GENERATE(0u, 1u, 7u, 1000u);
    const std::size_t blocks = GENERATE(1u, 3u, 64u);
    parlab::thread_pool pool(GENERATE(1u, 2u, 4u));
    const std::size_t first = 5;
    std::vector<std::atomic<int>> hits(n + 10);
    pool.parallel_for(first, first + n, [&](std::size_t i) { hits[i].fetch_add(1); }, blocks);
    for (std::size_t i = 0; i < hits.size(); ++i) CHECK(hits[i].load() == ((i >= first && i < first + n) ? 1 : 0));
}

TEST_CASE("exceptions in tasks reach the caller", "[common][threads]") {
    parlab::thread_pool pool(2);
    auto future = pool.submit([]() -> int { throw std::runtime_error("task failed"); });
    CHECK_THROWS_WITH(future.get(), "task failed");
    CHECK_THROWS_WITH(pool.parallel_for(0, 10, [](std::size_t i) {
        if (i == 7) throw std::runtime_error("index 7");
    }), "index 7");
    CHECK(pool.submit([] { return 42; }).get() == 42);  // the pool still works
}
