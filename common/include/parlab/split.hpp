#pragma once
// Splitting work into parts: contiguous blocks (like numpy.array_split) and strided parts
// (like items[i::k]).

#include <cstddef>
#include <span>
#include <vector>

namespace parlab {

/// A half-open range of indices [first, last).
struct block {
    std::size_t first = 0;
    std::size_t last = 0;
    [[nodiscard]] std::size_t size() const noexcept { return last - first; }
    [[nodiscard]] bool empty() const noexcept { return first == last; }
    friend bool operator==(const block&, const block&) = default;
};

/// Splits [0, n) into k contiguous blocks in order; sizes differ by at most one and the
/// first n % k blocks get the extra item. When k > n the last blocks are empty.
/// Throws std::invalid_argument when k is 0.
[[nodiscard]] std::vector<block> even_split(std::size_t n, std::size_t k);

/// The indices of part `part` of k strided parts of [0, n): part, part + k, part + 2k, ...
/// Throws std::invalid_argument when k is 0 or part >= k.
[[nodiscard]] std::vector<std::size_t> strided_indices(std::size_t n, std::size_t k,
                                                       std::size_t part);

/// `items` cut into k contiguous spans following even_split.
template <class T>
[[nodiscard]] std::vector<std::span<T>> split_span(std::span<T> items, std::size_t k) {
    std::vector<std::span<T>> parts;
    for (const block& b : even_split(items.size(), k))
        parts.push_back(items.subspan(b.first, b.size()));
    return parts;
}

}  // namespace parlab
