#pragma once
// Lab 04's inputs, made from the grade run's seed (grader/shared/seeded.hpp) by the probe, the
// grader's baseline and the verifier alike.

#include <array>
#include <cstdint>
#include <cstring>

#include "seeded.hpp"

namespace parlab::grader {

/// A custom 3x3 kernel with weights in [-2, 2] in steps of 1/8 (exact in binary).
[[nodiscard]] inline std::array<double, 9> seeded_kernel(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 7));
    std::array<double, 9> k{};
    for (double& w : k) w = static_cast<double>(numbers.between(-16, 16)) / 8.0;
    return k;
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
