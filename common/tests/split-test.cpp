#include "parlab/split.hpp"

#include <numeric>
#include <stdexcept>

#include "parlab/testing.hpp"

TEST_CASE("even_split covers [0, n) with blocks differing by at most one", "[common][split]") {
    const std::size_t n = GENERATE(0u, 1u, 7u, 64u, 1000u, 1001u);
    const std::size_t k = GENERATE(1u, 2u, 3u, 4u, 16u, 64u);
    const auto blocks = parlab::even_split(n, k);
    REQUIRE(blocks.size() == k);
    std::size_t expected_first = 0, smallest = n, largest = 0;
    for (const auto& b : blocks) {
        CHECK(b.first == expected_first);
        expected_first = b.last;
        smallest = std::min(smallest, b.size());
        largest = std::max(largest, b.size());
    }
    CHECK(expected_first == n);
    CHECK(largest - smallest <= 1);
    // the remainder goes to the first blocks, like numpy.array_split
    for (std::size_t i = 1; i < blocks.size(); ++i) CHECK(blocks[i - 1].size() >= blocks[i].size());
}

TEST_CASE("even_split matches numpy.array_split(range(10), 3)", "[common][split]") {
    const auto blocks = parlab::even_split(10, 3);
    CHECK(blocks == std::vector<parlab::block>{{0, 4}, {4, 7}, {7, 10}});
    CHECK_THROWS_AS(parlab::even_split(10, 0), std::invalid_argument);
}

TEST_CASE("strided_indices takes every k-th item like items[i::k]", "[common][split]") {
    CHECK(parlab::strided_indices(10, 3, 0) == std::vector<std::size_t>{0, 3, 6, 9});
    CHECK(parlab::strided_indices(10, 3, 2) == std::vector<std::size_t>{2, 5, 8});
    CHECK(parlab::strided_indices(2, 4, 3).empty());
    CHECK_THROWS_AS(parlab::strided_indices(10, 0, 0), std::invalid_argument);
    CHECK_THROWS_AS(parlab::strided_indices(10, 3, 3), std::invalid_argument);

    // every index exactly once over all parts
    const std::size_t n = GENERATE(0u, 1u, 17u, 100u);
    const std::size_t k = GENERATE(1u, 3u, 8u);
    std::vector<int> seen(n, 0);
    for (std::size_t part = 0; part < k; ++part)
        for (std::size_t i : parlab::strided_indices(n, k, part)) ++seen.at(i);
    CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
}

TEST_CASE("split_span cuts a span into even parts", "[common][split]") {
    std::vector<int> items(11);
    std::iota(items.begin(), items.end(), 0);
    const auto parts = parlab::split_span(std::span<int>(items), 4);
    REQUIRE(parts.size() == 4);
    CHECK(parts[0].size() == 3);
    CHECK(parts[3].size() == 2);
    CHECK(parts[3].back() == 10);
}
