// You do not need to modify this file: the frozen part of lab 02.

#include <cstdint>
#include <vector>

#include "dot.hpp"

namespace parlab::lab02 {

namespace {

// SplitMix64: a small generator whose output is fixed by its definition, unlike the
// distributions of <random>, whose results differ between standard libraries.
class splitmix64 {
public:
    explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
    std::uint64_t operator()() noexcept {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t state_;
};

}  // namespace

std::vector<double> random_vector(std::size_t n, std::uint64_t seed) {
    splitmix64 next(seed);
    std::vector<double> values(n);
    // The top 53 bits scaled by 2^-53: every value is exact and lies in [0, 1).
    for (double& v : values) v = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return values;
}

void counting_mutex::lock() {
    if (mutex_.try_lock()) {
        ++acquisitions_;
        return;
    }
    mutex_.lock();
    ++acquisitions_;
    ++contended_;
}

bool counting_mutex::try_lock() {
    if (!mutex_.try_lock()) return false;
    ++acquisitions_;
    return true;
}

void counting_mutex::unlock() { mutex_.unlock(); }

}  // namespace parlab::lab02
