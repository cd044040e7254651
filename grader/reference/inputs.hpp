#pragma once
// Inputs made from a seed, the same in the grader and in the probes, on every machine: the
// grader draws a seed, the probe rebuilds the inputs from it, and only the grader computes what
// the answer should be.

#include <cstddef>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "parlab/image.hpp"

namespace parlab::grader {

/// splitmix64: small, fast, and fully specified, unlike the distributions of <random>.
class seeded_numbers {
public:
    explicit seeded_numbers(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1), 53 bits.
    double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [lo, hi].
    long between(long lo, long hi) noexcept {
        return lo + static_cast<long>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }

private:
    std::uint64_t state_;
};

/// A seed for one use of the grade run's seed, so different checks get different inputs.
[[nodiscard]] inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t purpose) noexcept {
    return seeded_numbers(seed * 1000003ULL + purpose).next();
}

/// n numbers uniform in [0, 1).
[[nodiscard]] inline std::vector<double> seeded_doubles(std::uint64_t seed, std::size_t n) {
    seeded_numbers numbers(seed);
    std::vector<double> values(n);
    for (double& v : values) v = numbers.unit();
    return values;
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

}  // namespace parlab::grader

namespace parlab::grader {

/// Lab 01: one run of the bank: the initial balance and how many deposits and withdrawals.
struct balance_run {
    long initial;
    std::size_t deposits, withdrawals;
    [[nodiscard]] long expected() const noexcept {
        return initial + static_cast<long>(deposits) - static_cast<long>(withdrawals);
    }
};
[[nodiscard]] inline std::vector<balance_run> seeded_balance_runs(std::uint64_t seed, std::size_t count) {
    seeded_numbers numbers(derive_seed(seed, 1));
    std::vector<balance_run> runs;
    for (std::size_t i = 0; i < count; ++i) {
        const long initial = numbers.between(0, 1000);
        const auto deposits = static_cast<std::size_t>(numbers.between(20000, 50000));
        runs.push_back({initial, deposits, static_cast<std::size_t>(numbers.between(20000, 50000))});
    }
    return runs;
}

/// Lab 02: two vectors, a chunk count and a worker count.
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

/// Lab 04: a custom 3x3 kernel with weights in [-2, 2] in steps of 1/8 (exact in binary).
[[nodiscard]] inline std::array<double, 9> seeded_kernel(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 7));
    std::array<double, 9> k{};
    for (double& w : k) w = static_cast<double>(numbers.between(-16, 16)) / 8.0;
    return k;
}

}  // namespace parlab::grader

namespace parlab::grader {

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

/// Lab 04's timed image: 1280x1080 RGB, the size of the lab's timing table, new for every nonce.
[[nodiscard]] inline image timing_image(std::uint64_t seed, std::uint64_t nonce) {
    image img(1280, 1080, 3);
    fill_timing_image(img, seed, nonce);
    return img;
}

}  // namespace parlab::grader

namespace parlab::grader {

/// Lab 02's timed vector y: n numbers in [0, 1), new for every nonce. Two numbers of 32 random
/// bits each per random draw: it is made inside the timed run, so it must be cheap.
[[nodiscard]] inline std::vector<double> timing_doubles(std::uint64_t seed, std::uint64_t nonce, std::size_t n) {
    std::vector<double> values(n);
    seeded_numbers numbers(timing_seed(seed, nonce));
    for (std::size_t i = 0; i < n; i += 2) {
        const std::uint64_t z = numbers.next();
        values[i] = static_cast<double>(z >> 32) * 0x1.0p-32;
        if (i + 1 < n) values[i + 1] = static_cast<double>(z & 0xffffffffULL) * 0x1.0p-32;
    }
    return values;
}

/// A double as a timed run's answer: all 17 significant digits.
[[nodiscard]] inline std::string digest_double(double value) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

/// Lab 02's task 4 sweep: empty, one, odd, and one large size drawn from the seed.
[[nodiscard]] inline std::vector<std::size_t> sweep_sizes(std::uint64_t seed) {
    seeded_numbers numbers(derive_seed(seed, 11));
    return {0, 1, 1001, static_cast<std::size_t>(numbers.between(50000, 120000))};
}

}  // namespace parlab::grader
