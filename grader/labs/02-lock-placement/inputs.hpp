#pragma once
// Lab 02's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe, the
// grader's baseline and the verifier alike.

#include <cstddef>
#include <cstdint>
#include <vector>
#include <utility>

#include "seeded.hpp"

namespace parlab::grader {

/// Two vectors, a chunk count and a worker count.
struct dot_input {
    std::vector<double> x, y;
    std::size_t chunks, workers;
};
[[nodiscard]] inline dot_input seeded_dot_input(std::uint64_t seed, std::size_t n = 0) {
    seeded_numbers numbers(derive_seed(seed, 2));
    if (n == 0) n = static_cast<std::size_t>(numbers.between(100000, 300000));
    const auto chunks = static_cast<std::size_t>(numbers.between(5, 64));
    const auto workers = static_cast<std::size_t>(numbers.between(2, 3));
    return {seeded_doubles(derive_seed(seed, 3), n), seeded_doubles(derive_seed(seed, 4), n), chunks, workers};
}

/// The timed vector y for one nonce: the seed's y with a few of its numbers, at places drawn
/// from the nonce, replaced (timed_y). A new y for every nonce keeps a timed run from answering
/// from memory, and finding what changed means reading all of y, as the dot product does. Making
/// a whole new y took longer than version 3's dot product itself inside the timed run, and made
/// the check's speedups swing between 3x and 19x.
struct nonce_change {
    std::size_t index;
    double value;
};
inline constexpr std::size_t changes_per_nonce = 8;
[[nodiscard]] inline std::vector<nonce_change> nonce_changes(std::uint64_t seed, std::uint64_t nonce, std::size_t n) {
    std::vector<nonce_change> changes;
    if (n == 0) return changes;
    seeded_numbers numbers(timing_seed(seed, nonce));
    for (std::size_t i = 0; i < changes_per_nonce; ++i) {
        const auto index = static_cast<std::size_t>(numbers.next() % n);
        changes.push_back({index, numbers.unit()});
    }
    return changes;
}

/// Keeps a timed run's y: set-up makes the seed's y once, each nonce restores the places the
/// previous nonce changed and changes its own (a few writes, not a new vector).
class timed_y {
public:
    /// `base`: the seed's y (seeded_dot_input's), which the caller has made already.
    timed_y(std::uint64_t seed, std::vector<double> base) : seed_(seed), base_(std::move(base)), y_(base_) {}
    /// y for `nonce`.
    const std::vector<double>& for_nonce(std::uint64_t nonce) {
        for (const auto& change : last_) y_[change.index] = base_[change.index];
        last_ = nonce_changes(seed_, nonce, y_.size());
        for (const auto& change : last_) y_[change.index] = change.value;
        return y_;
    }

private:
    std::uint64_t seed_;
    std::vector<double> base_, y_;
    std::vector<nonce_change> last_;
};

/// The task 4 sweep: empty, one, odd, and one large size drawn from the seed.
[[nodiscard]] inline std::vector<std::size_t> sweep_sizes(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 11));
    return {0, 1, 1001, static_cast<std::size_t>(numbers.between(50000, 120000))};
}

}  // namespace parlab::grader
