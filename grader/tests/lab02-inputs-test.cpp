// Lab 02's timed input: every nonce sees the seed's y with its own few numbers changed, whatever
// nonces came before it (the probe and the grader's baseline keep one y and change it in place).

#include <cstddef>
#include <vector>

#include "../labs/02-lock-placement/inputs.hpp"
#include "parlab/testing.hpp"

namespace grading = parlab::grader;

TEST_CASE("lab 02 timed y: a nonce's y does not depend on the nonces before it", "[grader][lab02]") {
    const std::uint64_t seed = 42;
    const std::size_t n = 5000;
    grading::timed_y kept(seed, grading::seeded_dot_input(seed, n).y);
    for (const std::uint64_t nonce : {7u, 3u, 7u, 11u}) {
        const std::vector<double> fresh = grading::timed_y(seed, grading::seeded_dot_input(seed, n).y).for_nonce(nonce);
        CHECK(kept.for_nonce(nonce) == fresh);
    }
}

TEST_CASE("lab 02 timed y: each nonce changes a few numbers of the seed's y, and different ones", "[grader][lab02]") {
    const std::uint64_t seed = 42;
    const std::size_t n = 5000;
    const std::vector<double> base = grading::seeded_dot_input(seed, n).y;
    const auto differences = [&](const std::vector<double>& y) {
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i) count += y[i] != base[i] ? 1 : 0;
        return count;
    };
    grading::timed_y timed(seed, base);
    const std::vector<double> first = timed.for_nonce(1);
    const std::vector<double> second = timed.for_nonce(2);
    CHECK(differences(first) >= 1);
    CHECK(differences(first) <= grading::changes_per_nonce);
    CHECK(differences(second) >= 1);
    CHECK(first != second);
    CHECK(grading::nonce_changes(seed, 5, 0).empty());
}
