// Lab 04: model solution. Each "Solution (task N)" comment explains the idea of that task.

#include "filter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>
#include <vector>

#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/split.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parlab::lab04 {

std::optional<filter_spec> named_filter(std::string_view name) {
    // Solution (task 2): the weights row by row, exactly as README.md lists them.
    constexpr double ninth = 1.0 / 9.0;
    constexpr kernel sobel_x = {-1, 0, 1, -2, 0, 2, -1, 0, 1};
    constexpr kernel sobel_y = {-1, -2, -1, 0, 0, 0, 1, 2, 1};
    if (name == "identity") return filter_spec{{0, 0, 0, 0, 1, 0, 0, 0, 0}, {}};
    if (name == "box") return filter_spec{{ninth, ninth, ninth, ninth, ninth, ninth, ninth, ninth, ninth}, {}};
    if (name == "sharpen") return filter_spec{{0, -1, 0, -1, 5, -1, 0, -1, 0}, {}};
    if (name == "diagonal") return filter_spec{{-0.25, 0, 0.25, 0, 0, 0, -0.25, 0, 0.25}, {}};
    if (name == "sobel-x") return filter_spec{sobel_x, {}};
    if (name == "sobel-y") return filter_spec{sobel_y, {}};
    if (name == "prewitt-x") return filter_spec{{-1, 0, 1, -1, 0, 1, -1, 0, 1}, {}};
    if (name == "prewitt-y") return filter_spec{{-1, -1, -1, 0, 0, 0, 1, 1, 1}, {}};
    if (name == "laplacian-4") return filter_spec{{0, 1, 0, 1, -4, 1, 0, 1, 0}, {}};
    if (name == "laplacian-8") return filter_spec{{1, 1, 1, 1, -8, 1, 1, 1, 1}, {}};
    if (name == "sobel") return filter_spec{sobel_x, sobel_y};
    return std::nullopt;
}

namespace {

// 1.5 * 2^52: for |s| < 2^51, (s + magic) - magic is s rounded to the nearest integer, ties to
// even, like std::nearbyint, but in plain additions the compiler can vectorise.
constexpr double round_magic = 6755399441055744.0;

// round_and_saturate without a library call or a branch on doubles, so the loop vectorises.
// check_filter bounds every sum by 9 * 255 * max_weight, well inside the range of int.
inline std::uint8_t to_byte(double s) {
    const int rounded = static_cast<int>((s + round_magic) - round_magic);
    const int low = rounded < 0 ? 0 : rounded;
    return static_cast<std::uint8_t>(low > 255 ? 255 : low);
}

// Per-thread scratch rows, reused from row to row (a forked child gets its own copy).
struct scratch {
    std::vector<double> up, mid, down, gx, gy;
    std::vector<std::int16_t> ix, iy;
};
scratch& scratch_for(std::size_t n) {
    thread_local scratch s;
    for (auto* v : {&s.up, &s.mid, &s.down, &s.gx, &s.gy})
        if (v->size() < n) v->resize(n);
    for (auto* v : {&s.ix, &s.iy})
        if (v->size() < n) v->resize(n);
    return s;
}

void to_doubles(std::span<const std::uint8_t> bytes, double* out) {
    const std::uint8_t* in = bytes.data();
    const std::size_t n = bytes.size();
    for (std::size_t i = 0; i < n; ++i) out[i] = in[i];
}

// sum[i] = correlation of the weights w with the three rows at byte i, where a pixel is `c`
// bytes wide. One pass over the row per non-zero weight (the terms keep the order filter.hpp
// prescribes; a zero term adds nothing). In each pass the interior (a neighbour on both sides)
// needs no clamping and vectorises; only the first and last pixel of the row clamp their
// outer neighbour to themselves.
template <class In, class Weight, class Sum>
void correlate(const std::array<const In*, 3>& rows, std::size_t n, std::size_t c,
               const std::array<Weight, 9>& w, Sum* sum) {
    std::fill(sum, sum + n, Sum{0});
    for (std::size_t tap = 0; tap < 9; ++tap) {
        const Weight k = w[tap];
        if (k == Weight{0}) continue;
        const In* row = rows[tap / 3];
        const std::size_t column = tap % 3;  // 0: left neighbour, 1: the pixel, 2: right
        if (n <= c || column == 1) {          // no neighbour to clamp, or a one-pixel-wide row
            for (std::size_t i = 0; i < n; ++i) sum[i] = static_cast<Sum>(sum[i] + k * row[i]);
        } else if (column == 0) {
            for (std::size_t i = 0; i < c; ++i) sum[i] = static_cast<Sum>(sum[i] + k * row[i]);
            for (std::size_t i = c; i < n; ++i) sum[i] = static_cast<Sum>(sum[i] + k * row[i - c]);
        } else {
            for (std::size_t i = 0; i < n - c; ++i) sum[i] = static_cast<Sum>(sum[i] + k * row[i + c]);
            for (std::size_t i = n - c; i < n; ++i) sum[i] = static_cast<Sum>(sum[i] + k * row[i]);
        }
    }
}

// The same for double rows, in one fused pass: with doubles, a sum kept in registers beats one
// pass per weight through a buffer.
void correlate_fused(const double* up, const double* mid, const double* down, std::size_t n,
                     std::size_t c, const kernel& w, double* sum) {
    const double k0 = w[0], k1 = w[1], k2 = w[2], k3 = w[3], k4 = w[4], k5 = w[5], k6 = w[6],
                 k7 = w[7], k8 = w[8];
    auto at = [&](std::size_t left, std::size_t i, std::size_t right) {
        return k0 * up[left] + k1 * up[i] + k2 * up[right] + k3 * mid[left] + k4 * mid[i] +
               k5 * mid[right] + k6 * down[left] + k7 * down[i] + k8 * down[right];
    };
    if (n <= c) {  // one pixel wide: both neighbours are the pixel itself
        for (std::size_t i = 0; i < n; ++i) sum[i] = at(i, i, i);
        return;
    }
    for (std::size_t i = 0; i < c; ++i) sum[i] = at(i, i, i + c);
    for (std::size_t i = c; i < n - c; ++i)
        sum[i] = k0 * up[i - c] + k1 * up[i] + k2 * up[i + c] + k3 * mid[i - c] + k4 * mid[i] +
                 k5 * mid[i + c] + k6 * down[i - c] + k7 * down[i] + k8 * down[i + c];
    for (std::size_t i = n - c; i < n; ++i) sum[i] = at(i - c, i, i);
}

// A kernel whose weights are small integers divided by 2^shift (every named kernel but box).
// For it the double sum of filter.hpp is exact: it equals S / 2^shift, where S is the same
// sum in integers, which fits in 16 bits. Computing S in 16-bit lanes gives the same bytes
// as the double definition, several times faster.
struct dyadic_kernel {
    std::array<std::int16_t, 9> m{};
    int shift = 0;
};

std::optional<dyadic_kernel> as_dyadic(const kernel& k) {
    for (int shift = 0; shift <= 6; ++shift) {
        dyadic_kernel d{{}, shift};
        int magnitude = 0;
        bool exact = true;
        for (std::size_t i = 0; i < 9 && exact; ++i) {
            const double scaled = std::ldexp(k[i], shift);  // exact: a power-of-two scale
            exact = scaled == std::nearbyint(scaled) && std::fabs(scaled) <= 128;
            if (exact) {
                d.m[i] = static_cast<std::int16_t>(scaled);
                magnitude += std::abs(d.m[i]);
            }
        }
        if (exact && magnitude * 255 <= 32767) return d;
    }
    return std::nullopt;
}

// S / 2^shift rounded to nearest, ties to even, then saturated, in 16-bit integers. With
// S = q * 2^shift + r: adding half - 1, plus 1 when q is odd, carries into q exactly when r is
// above half, or equal to half with q odd.
void dyadic_to_bytes(const std::int16_t* sum, std::size_t n, int shift, std::uint8_t* out) {
    const int bias = shift == 0 ? 0 : (1 << (shift - 1)) - 1;
    const int odd = shift == 0 ? 0 : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const int v = sum[i];
        const auto rounded = static_cast<std::int16_t>((v + bias + ((v >> shift) & odd)) >> shift);
        out[i] = static_cast<std::uint8_t>(rounded < 0 ? 0 : rounded > 255 ? 255 : rounded);
    }
}

// out[i] = to_byte(sqrt(gx^2 + gy^2)). std::sqrt may set errno, which keeps the compiler from
// vectorising it; the SSE2 square root is the same correctly rounded operation.
void magnitude_to_bytes(const double* gx, const double* gy, std::size_t n, double* tmp, std::uint8_t* out) {
    std::size_t i = 0;
#if defined(__SSE2__)
    for (; i + 2 <= n; i += 2) {
        const __m128d a = _mm_loadu_pd(gx + i);
        const __m128d b = _mm_loadu_pd(gy + i);
        _mm_storeu_pd(tmp + i, _mm_sqrt_pd(_mm_add_pd(_mm_mul_pd(a, a), _mm_mul_pd(b, b))));
    }
#endif
    for (; i < n; ++i) tmp[i] = std::sqrt(gx[i] * gx[i] + gy[i] * gy[i]);
    for (i = 0; i < n; ++i) out[i] = to_byte(tmp[i]);
}

}  // namespace

void filter_row(const_image_view source, const filter_spec& f, int y, std::span<std::uint8_t> out) {
    // Solution (task 1): the replicate border only matters for the first and last row (which
    // rows are read) and the first and last pixel of a row (which bytes are read). Everything
    // else is one straight loop over the bytes of the row: each channel's neighbours are
    // `channels` bytes away, so all channels are handled by the same loop, which the compiler
    // vectorises. Kernels of small binary fractions (all named ones but box) run in exact
    // 16-bit integer arithmetic; any other kernel in double, as filter.hpp defines it.
    const std::size_t n = source.row_bytes();
    const auto c = static_cast<std::size_t>(source.channels);
    const std::span<const std::uint8_t> above = source.row(std::max(y - 1, 0));
    const std::span<const std::uint8_t> here = source.row(y);
    const std::span<const std::uint8_t> below = source.row(std::min(y + 1, source.height - 1));
    scratch& s = scratch_for(n);
    std::uint8_t* o = out.data();

    const std::optional<dyadic_kernel> dx = as_dyadic(f.k);
    const std::optional<dyadic_kernel> dy = f.k2 ? as_dyadic(*f.k2) : std::nullopt;
    if (dx && (!f.k2 || (dy && dy->shift == dx->shift))) {
        const std::array<const std::uint8_t*, 3> rows = {above.data(), here.data(), below.data()};
        correlate(rows, n, c, dx->m, s.ix.data());
        if (!f.k2) {
            dyadic_to_bytes(s.ix.data(), n, dx->shift, o);
            return;
        }
        correlate(rows, n, c, dy->m, s.iy.data());
        const double scale = std::ldexp(1.0, -dx->shift);  // exact
        double* gx = s.gx.data();
        double* gy = s.gy.data();
        const std::int16_t* ix = s.ix.data();
        const std::int16_t* iy = s.iy.data();
        for (std::size_t i = 0; i < n; ++i) {
            gx[i] = ix[i] * scale;
            gy[i] = iy[i] * scale;
        }
        magnitude_to_bytes(gx, gy, n, s.up.data(), o);
        return;
    }

    to_doubles(above, s.up.data());
    to_doubles(here, s.mid.data());
    to_doubles(below, s.down.data());
    const double* gx = s.gx.data();
    correlate_fused(s.up.data(), s.mid.data(), s.down.data(), n, c, f.k, s.gx.data());
    if (!f.k2) {
        for (std::size_t i = 0; i < n; ++i) o[i] = to_byte(gx[i]);
        return;
    }
    correlate_fused(s.up.data(), s.mid.data(), s.down.data(), n, c, *f.k2, s.gy.data());
    magnitude_to_bytes(s.gx.data(), s.gy.data(), n, s.up.data(), o);
}

namespace {

void check_workers(std::size_t workers, const char* what) {
    if (workers == 0) throw std::invalid_argument(std::string(what) + ": workers must be at least 1");
}

// The block of rows each worker computes: contiguous, so a worker reads its rows in order.
std::vector<block> row_blocks(const_image_view target, std::size_t workers) {
    const auto rows = static_cast<std::size_t>(std::max(target.height, 0));
    return even_split(rows, std::max<std::size_t>(1, std::min(workers, rows)));
}

}  // namespace

void run_rows_threads(image_view target, std::size_t workers, output_lock& lock,
                      const row_function& compute_row) {
    check_workers(workers, "run_rows_threads");
    // Solution (task 3): rows are disjoint, so each worker computes its rows straight into
    // the output with no lock at all. Holding the lock while computing (as the given code did)
    // lets only one worker compute at a time: correct, but no faster than one worker. If the
    // output did need a lock, it would be taken only around the final copy of a finished row.
    (void)lock;
    const std::vector<block> blocks = row_blocks(target, workers);
    std::vector<std::exception_ptr> errors(blocks.size());
    {
        std::vector<std::jthread> threads;
        for (std::size_t w = 0; w < blocks.size(); ++w) {
            threads.emplace_back([&, w] {
                try {
                    for (std::size_t y = blocks[w].first; y < blocks[w].last; ++y)
                        compute_row(static_cast<int>(y), target.row(static_cast<int>(y)));
                } catch (...) {
                    errors[w] = std::current_exception();
                }
            });
        }
    }  // the jthreads join here
    for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
}

void run_rows_processes(image_view target, std::size_t workers, output_lock& lock,
                        const row_function& compute_row) {
    check_workers(workers, "run_rows_processes");
    // Solution (task 4): the same plan as with threads. The children's writes reach the parent
    // because the caller put target in shared memory; no lock is needed for disjoint rows.
    (void)lock;
    const std::vector<block> blocks = row_blocks(target, workers);
    std::vector<process> children;
    for (const block& rows : blocks) {
        children.push_back(process::start([&compute_row, target, rows] {
            for (std::size_t y = rows.first; y < rows.last; ++y)
                compute_row(static_cast<int>(y), target.row(static_cast<int>(y)));
        }));
    }
    std::exception_ptr first_error;
    for (process& child : children) {
        try {
            child.join_or_throw();
        } catch (...) {
            if (!first_error) first_error = std::current_exception();
        }
    }
    if (first_error) std::rethrow_exception(first_error);
}

void filter_threads(const_image_view source, image_view target, const filter_spec& f,
                    std::size_t workers) {
    check_same_shape(source, target);
    check_filter(f);
    output_lock lock;
    run_rows_threads(target, workers, lock, [&](int y, std::span<std::uint8_t> row) {
        filter_row(source, f, y, row);
    });
}

void filter_processes(const_image_view source, image_view target, const filter_spec& f,
                      std::size_t workers) {
    check_same_shape(source, target);
    check_filter(f);
    // Solution (task 4): the children write into a shared segment made before the fork (and
    // the lock, if anyone took it, lives there too); the parent then copies the finished image
    // into the caller's target, which may be private memory.
    shared_array<std::uint8_t> pixels(target.row_bytes() * static_cast<std::size_t>(target.height));
    shared_value<output_lock> lock;
    const image_view shared{pixels.data(), target.width, target.height, target.channels, target.row_bytes()};
    run_rows_processes(shared, workers, *lock, [&](int y, std::span<std::uint8_t> row) {
        filter_row(source, f, y, row);
    });
    for (int y = 0; y < target.height; ++y)
        std::memcpy(target.row(y).data(), shared.row(y).data(), target.row_bytes());
}

}  // namespace parlab::lab04
