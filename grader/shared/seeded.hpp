#pragma once
// Inputs made from a seed, the same in the grader and in the probes, on every machine: the
// grader draws a seed, the probe rebuilds the inputs from it, and only the grader computes what
// the answer should be. This header holds what every lab uses (the generator, images, digests);
// each lab's own inputs are in grader/labs/NN-name/inputs.hpp.

#include <cstddef>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "parlab/image.hpp"
#include "parlab/splitmix.hpp"

namespace parlab::grader {

/// The grader's generator: parlab::splitmix64, plus whole numbers in a range.
class seeded_numbers : public parlab::splitmix64 {
public:
    using splitmix64::splitmix64;
    /// Uniform in [lo, hi].
    long between(long lo, long hi) noexcept {
        return lo + static_cast<long>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
};

/// A seed for one use of the grade run's seed, so different checks get different inputs.
[[nodiscard]] inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t purpose) noexcept {
    return seeded_numbers(seed * 1000003ULL + purpose).next();
}

/// n numbers uniform in [0, 1).
[[nodiscard]] inline std::vector<double> seeded_doubles(std::uint64_t seed, std::size_t n) {
    return parlab::uniform_values(n, seed, 0.0, 1.0);
}

/// A width x height image with random bytes.
[[nodiscard]] inline image seeded_image(std::uint64_t seed, int width, int height, int channels) {
    image img(width, height, channels);
    seeded_numbers numbers(seed);
    for (auto& b : img.bytes()) b = static_cast<std::uint8_t>(numbers.next() >> 56);
    return img;
}

/// The shapes every image check covers: tiny and odd ones first, then one drawn from the seed.
struct image_shape {
    int width, height, channels;
};
[[nodiscard]] inline std::vector<image_shape> seeded_shapes(std::uint64_t seed) {
    seeded_numbers numbers(seed);
    std::vector<image_shape> shapes{{1, 1, 1}, {1, 7, 3}, {9, 1, 4}, {2, 2, 3}, {31, 17, 1}};
    for (int i = 0; i < 3; ++i)
        shapes.push_back({static_cast<int>(numbers.between(3, 400)), static_cast<int>(numbers.between(3, 300)),
                          static_cast<int>(std::vector<long>{1, 3, 4}[numbers.next() % 3])});
    return shapes;
}

/// Labs 03 and 04: images of the seeded shapes, each with a worker count.
struct image_case {
    image picture;
    std::size_t workers;
};
[[nodiscard]] inline std::vector<image_case> seeded_image_cases(std::uint64_t seed) {
    std::vector<image_case> cases;
    seeded_numbers numbers(derive_seed(seed, 5));
    std::uint64_t purpose = 100;
    for (const image_shape& s : seeded_shapes(derive_seed(seed, 6)))
        cases.push_back({seeded_image(derive_seed(seed, purpose++), s.width, s.height, s.channels),
                         static_cast<std::size_t>(numbers.between(1, 5))});
    return cases;
}

/// Timed runs: every "go" brings a nonce the grader draws at random, and the run's input is made
/// from it, so no run can be answered from an earlier one or prepared before the clock starts.
[[nodiscard]] inline std::uint64_t timing_seed(std::uint64_t seed, std::uint64_t nonce) noexcept {
    return derive_seed(seed ^ (nonce * 0x9e3779b97f4a7c15ULL), 9);
}

/// A digest of bytes (64-bit, FNV-style over 8-byte words), as 16 hex digits: what a timed run
/// answers so the grader can check it computed the right thing.
[[nodiscard]] inline std::string digest_bytes(std::span<const std::uint8_t> bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL ^ bytes.size();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes.data() + i, 8);
        h = (h ^ word) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < bytes.size(); ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
    static constexpr char hex[] = "0123456789abcdef";
    std::string text(16, '0');
    for (int d = 15; d >= 0; --d, h >>= 4) text[static_cast<std::size_t>(d)] = hex[h & 15];
    return text;
}

/// A double as a timed run's answer: all 17 significant digits.
[[nodiscard]] inline std::string digest_double(double value) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

}  // namespace parlab::grader
