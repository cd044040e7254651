#pragma once
// Lab 04's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe, the
// grader's baseline and the verifier alike.

#include <array>
#include <cstdint>
#include <cstring>

#include "seeded.hpp"

namespace parlab::grader {

namespace detail {
/// A 3x3 kernel whose weights add up to 1: each neighbour's a whole number in [-range, range]
/// divided by `denominator`, drawn from the seed for `purpose`; the centre's the rest.
[[nodiscard]] inline std::array<double, 9> balanced_kernel(std::uint64_t seed, std::uint64_t purpose, long range,
                                                          double denominator) {
    seeded_numbers numbers(derive_seed(seed, purpose));
    std::array<double, 9> k{};
    double neighbours = 0;
    for (std::size_t i = 0; i < k.size(); ++i) {
        if (i == 4) continue;
        k[i] = static_cast<double>(numbers.between(-range, range)) / denominator;
        neighbours += k[i];
    }
    k[4] = 1.0 - neighbours;
    return k;
}
}  // namespace detail

/// The custom kernel of the image checks: neighbours in [-3/16, 3/16] in steps of 1/16 (exact in
/// binary). Its output stays near the input's level, so few bytes saturate at 0 or 255 and a
/// mistake anywhere (a border row taken from the wrong side, a flipped kernel) changes bytes the
/// grader compares.
[[nodiscard]] inline std::array<double, 9> seeded_kernel(std::uint64_t seed) {
    return detail::balanced_kernel(seed, 7, 3, 16.0);
}

/// filter-row's second custom kernel: neighbours in tenths in [-0.4, 0.4], which binary doubles
/// cannot hold exactly. Products of tenths round, so the order in which the nine products are
/// added decides the last bit of many sums, and the rounding to a byte of some: on the hidden
/// images only the specified order (left to right, row by row) gets every byte right.
/// (seeded_kernel, in sixteenths, adds exactly in any order.)
[[nodiscard]] inline std::array<double, 9> order_kernel(std::uint64_t seed) {
    return detail::balanced_kernel(seed, 8, 4, 10.0);
}

/// Fills a timed image with the bytes of a nonce: eight bytes per random number, since this runs
/// inside the timed run and must be cheap.
inline void fill_timing_image(image& img, std::uint64_t seed, std::uint64_t nonce) {
    seeded_numbers numbers(timing_seed(seed, nonce));
    const auto bytes = img.bytes();
    std::size_t i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        const std::uint64_t word = numbers.next();
        std::memcpy(bytes.data() + i, &word, 8);
    }
    for (; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(numbers.next());
}

/// The timed image: 1280x1080 RGB, the size of the lab's timing table, new for every nonce.
[[nodiscard]] inline image timing_image(std::uint64_t seed, std::uint64_t nonce) {
    image img(1280, 1080, 3);
    fill_timing_image(img, seed, nonce);
    return img;
}

}  // namespace parlab::grader
