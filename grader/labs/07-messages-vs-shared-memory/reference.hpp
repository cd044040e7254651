#pragma once
// Lab 07's reference, written from the specification in labs/07-messages-vs-shared-memory/
// messages.hpp and never linked to the lab's code: the bytes of a message, the sum in storage
// order (so a right answer agrees to the last bit), and the judgement of a pipeline run from
// what the probe's consumers recorded, against the items the grader itself makes from the seed.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace parlab::grader::lab07_reference {

/// The message of a rows x cols array: two native 64-bit unsigned integers, then the numbers.
[[nodiscard]] inline std::vector<char> message(const std::vector<double>& values, std::uint64_t rows, std::uint64_t cols) {
    std::vector<char> bytes;
    for (const std::uint64_t word : {rows, cols})
        for (std::size_t i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(reinterpret_cast<const unsigned char*>(&word)[i]));
    const auto* numbers = reinterpret_cast<const char*>(values.data());
    bytes.insert(bytes.end(), numbers, numbers + values.size() * sizeof(double));
    return bytes;
}

/// The numbers added one after another from 0.0.
[[nodiscard]] inline double sum(const double* values, std::size_t n) {
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) total += values[i];
    return total;
}

/// Bitwise equality of two doubles (a right sum is exact; -0.0 and 0.0 are both the sum of nothing).
[[nodiscard]] inline bool same(double a, double b) { return a == b || (a != a && b != b); }

/// Where two byte strings first differ, in words a student can act on; empty when equal.
[[nodiscard]] inline std::string first_difference(const std::vector<char>& expected, const std::vector<char>& got) {
    const std::size_t n = std::min(expected.size(), got.size());
    for (std::size_t i = 0; i < n; ++i)
        if (expected[i] != got[i])
            return fmt::format("byte {} differs ({} of the message: {})", i, i < 16 ? "in the header" : "in the numbers",
                               i < 8 ? "rows" : i < 16 ? "cols" : fmt::format("number {}", (i - 16) / 8));
    if (expected.size() != got.size())
        return fmt::format("{} bytes arrived, the message has {}", got.size(), expected.size());
    return {};
}

/// One item as a consumer recorded it.
struct item {
    std::uint32_t producer = 0;
    std::uint32_t sequence = 0;
    std::uint64_t value = 0;
};

/// What is wrong with what the consumers took (empty when nothing is): every item of every
/// producer exactly once, with the value `value_of(p, k)` the grader expects, and within each
/// consumer each producer's items in increasing order.
template <class ValueOf>
[[nodiscard]] std::string judge_taken(const std::vector<std::vector<item>>& taken, std::size_t producers,
                                      std::size_t items_per_producer, ValueOf value_of) {
    std::vector<std::vector<unsigned char>> seen(producers, std::vector<unsigned char>(items_per_producer, 0));
    for (std::size_t c = 0; c < taken.size(); ++c) {
        std::vector<long> last(producers, -1);
        for (const item& it : taken[c]) {
            if (it.producer >= producers || it.sequence >= items_per_producer)
                return fmt::format("consumer {} took an item nobody made (producer {}, item {}): a slot read before it "
                                   "was written?", c, it.producer, it.sequence);
            if (it.value != value_of(it.producer, it.sequence))
                return fmt::format("consumer {} took item {} of producer {} with a changed payload: a slot overwritten "
                                   "while it was read?", c, it.sequence, it.producer);
            if (seen[it.producer][it.sequence] != 0)
                return fmt::format("item {} of producer {} was taken twice (again by consumer {}): two consumers read "
                                   "one slot?", it.sequence, it.producer, c);
            seen[it.producer][it.sequence] = 1;
            if (static_cast<long>(it.sequence) <= last[it.producer])
                return fmt::format("consumer {} took item {} of producer {} after its item {}: out of order", c,
                                   it.sequence, it.producer, last[it.producer]);
            last[it.producer] = static_cast<long>(it.sequence);
        }
    }
    std::size_t missing = 0;
    std::string first;
    for (std::size_t p = 0; p < producers; ++p)
        for (std::size_t k = 0; k < items_per_producer; ++k)
            if (seen[p][k] == 0 && missing++ == 0) first = fmt::format("item {} of producer {}", k, p);
    if (missing > 0) return fmt::format("{} items were never taken, the first {}", missing, first);
    return {};
}

}  // namespace parlab::grader::lab07_reference
