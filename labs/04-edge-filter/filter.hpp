#pragma once
// You do not need to modify this file.
//
// Lab 04, edge filter: a 3x3 filter applied to every channel of an 8-bit image, rows shared out
// among workers that write into one output image.
//
// The filter, exactly (the grader compares bytes):
//   * Correlation, the kernel is not flipped: with weights k[3 * r + c] (row r = 0 above the
//     pixel, column c = 0 to its left), output (x, y, ch) comes from
//         s = k[0] * p(x-1, y-1) + k[1] * p(x, y-1) + k[2] * p(x+1, y-1)
//           + k[3] * p(x-1, y)   + k[4] * p(x, y)   + k[5] * p(x+1, y)
//           + k[6] * p(x-1, y+1) + k[7] * p(x, y+1) + k[8] * p(x+1, y+1)
//     all in channel ch, each product a double, added from left to right in this order (no
//     fused multiply-add), starting from k[0] * p(x-1, y-1).
//   * Replicate border: a coordinate outside the image is moved to the nearest edge pixel
//     (x = -1 reads x = 0, x = width reads width - 1; the same for y).
//   * The output byte is round_and_saturate(s).
//   * A gradient magnitude (filter_spec::k2 set) computes gx with k and gy with *k2 as above,
//     both unrounded, and outputs round_and_saturate(std::sqrt(gx * gx + gy * gy)).
// Any code that produces the same bytes is correct, however it computes them.

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "parlab/image.hpp"
#include "parlab/shared_memory.hpp"

namespace parlab::lab04 {

/// 3x3 weights row by row: k[3 * r + c], row 0 above the pixel, column 0 to its left.
using kernel = std::array<double, 9>;

/// What the filter computes at each pixel: one correlation with k, or, when k2 is set, the
/// gradient magnitude sqrt(gx^2 + gy^2) of the correlations with k (gx) and *k2 (gy).
struct filter_spec {
    kernel k{};
    std::optional<kernel> k2;
    friend bool operator==(const filter_spec&, const filter_spec&) = default;
};

/// The largest weight magnitude a filter may have; it keeps every sum finite.
inline constexpr double max_weight = 1e5;

/// Throws std::invalid_argument unless every weight of f is finite and at most max_weight in
/// magnitude.
void check_filter(const filter_spec& f);

/// The last step of the filter: rounds to nearest, ties to even (std::nearbyint in the default
/// rounding mode), then saturates to [0, 255]. value must not be NaN.
[[nodiscard]] inline std::uint8_t round_and_saturate(double value) noexcept {
    const double rounded = std::nearbyint(value);
    return static_cast<std::uint8_t>(rounded < 0 ? 0 : rounded > 255 ? 255 : rounded);
}

/// The names named_filter knows, in this order: identity, box, sharpen, diagonal, sobel-x,
/// sobel-y, prewitt-x, prewitt-y, laplacian-4, laplacian-8, sobel. Their weights are listed in
/// README.md. "diagonal" keeps the name it has in the lab's source material, but it is a
/// first-order horizontal difference (right column minus left, averaged over the rows above and
/// below): it responds to vertical edges, not to diagonal ones.
[[nodiscard]] std::span<const std::string_view> filter_names() noexcept;

/// Task 2: the named filter, or std::nullopt for a name not in filter_names().
[[nodiscard]] std::optional<filter_spec> named_filter(std::string_view name);

/// A filter from the command line: a name ("sobel-x") or nine numbers separated by commas
/// ("0,-1,0,-1,5,-1,0,-1,0", row by row). Throws std::invalid_argument with a message that
/// quotes the text for an unknown name, a count other than nine, a word that is not a number,
/// or a weight check_filter refuses.
[[nodiscard]] filter_spec parse_filter(std::string_view text);

/// Task 1: computes row y of the filtered image into `out`, which holds source.row_bytes()
/// bytes. 0 <= y < source.height. Reads only source; writes only out.
void filter_row(const_image_view source, const filter_spec& f, int y, std::span<std::uint8_t> out);

/// The lock that guards the output image. It records which thread or process holds it, so a
/// test can tell whether work is done while it is held. Works between threads, and between
/// processes when it lives in shared memory (e.g. parlab::shared_value<output_lock>).
class output_lock {
public:
    output_lock() = default;
    output_lock(const output_lock&) = delete;
    output_lock& operator=(const output_lock&) = delete;

    void lock();
    [[nodiscard]] bool try_lock();
    void unlock();
    /// True when the calling thread (of this process) holds the lock.
    [[nodiscard]] bool held_by_caller() const noexcept;
    /// How many times the lock was taken.
    [[nodiscard]] std::size_t acquisitions() const noexcept;

private:
    process_mutex mutex_;
    std::atomic<pid_t> holder_{0};  // kernel thread id of the holder, 0 when free
    std::atomic<std::size_t> acquisitions_{0};
    static_assert(std::atomic<pid_t>::is_always_lock_free);
};

/// Computes row y of an image into `row` (target.row_bytes() bytes).
using row_function = std::function<void(int y, std::span<std::uint8_t> row)>;

/// Task 3: calls compute_row once for each row y of target, on `workers` threads (no more
/// threads than rows), so that afterwards row y of target holds what compute_row wrote for y.
/// `lock` guards target; compute_row never runs while the caller holds it. It replaces
///     for (int y = 0; y < target.height; ++y) compute_row(y, target.row(y));
/// Throws std::invalid_argument when workers is 0.
void run_rows_threads(image_view target, std::size_t workers, output_lock& lock,
                      const row_function& compute_row);

/// Task 4: the same with `workers` forked processes (no more than rows). The caller puts
/// target and lock in shared memory. Throws std::invalid_argument when workers is 0 and
/// parlab::process_error when a worker fails.
void run_rows_processes(image_view target, std::size_t workers, output_lock& lock,
                        const row_function& compute_row);

/// Task 3: filters source into target (same width, height and channels) with `workers`
/// threads. Throws std::invalid_argument for 0 workers, a shape mismatch or a bad filter.
void filter_threads(const_image_view source, image_view target, const filter_spec& f,
                    std::size_t workers);

/// Task 4: the same with `workers` forked processes; target may be ordinary memory.
/// Throws like filter_threads, and parlab::process_error when a worker fails.
void filter_processes(const_image_view source, image_view target, const filter_spec& f,
                      std::size_t workers);

/// Throws std::invalid_argument unless target has the width, height and channels of source.
void check_same_shape(const_image_view source, const_image_view target);

/// The filter program: args are the arguments after the program name,
///     INPUT OUTPUT --kernel NAME|k1,...,k9 [--workers N]
/// Filters INPUT with filter_threads and saves OUTPUT (format from its extension). Returns 0
/// on success; on a mistake writes one line to err and returns 2 for a usage error (unknown
/// option, missing argument, bad kernel, bad worker count) or 1 for a file that cannot be
/// read or written.
[[nodiscard]] int run_filter_cli(std::span<const std::string> args, std::ostream& err);

}  // namespace parlab::lab04
