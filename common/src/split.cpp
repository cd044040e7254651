#include "parlab/split.hpp"

#include <stdexcept>

namespace parlab {

std::vector<block> even_split(std::size_t n, std::size_t k) {
    if (k == 0) throw std::invalid_argument("even_split: cannot split into 0 parts");
    std::vector<block> blocks;
    blocks.reserve(k);
    const std::size_t base = n / k;
    const std::size_t extra = n % k;
    std::size_t first = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t size = base + (i < extra ? 1 : 0);
        blocks.push_back({first, first + size});
        first += size;
    }
    return blocks;
}

std::vector<std::size_t> strided_indices(std::size_t n, std::size_t k, std::size_t part) {
    if (k == 0) throw std::invalid_argument("strided_indices: cannot split into 0 parts");
    if (part >= k) throw std::invalid_argument("strided_indices: part must be less than the number of parts");
    std::vector<std::size_t> indices;
    if (part < n) indices.reserve((n - part + k - 1) / k);
    for (std::size_t i = part; i < n; i += k) indices.push_back(i);
    return indices;
}

}  // namespace parlab
