// The kit's tuned edge filter (see tuned_filter.hpp): lab 04's filter_row, computed as fast as
// one core allows, with the bytes of the definition. Not a model answer: the model answer
// (solutions/04-edge-filter/filter.cpp) is the plain one a student could write. What this adds:
//  * Kernels whose weights are small fractions m / d over a power of two or an odd d (every
//    named kernel, a Gaussian blur in sixteenths, a mean of five) are summed in 16-bit
//    integers, the zero weights skipped, and rounded once by d: exact, as proved below.
//  * Everything else takes the double path of the definition, rounded without a library call
//    so that the rounding vectorises too.
//  * The hot loops are compiled twice, for SSE2 and for AVX2, and the processor picks the copy
//    it can run; the Sobel magnitude takes a single-precision square root, exact as proved below.

#include "tuned_filter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parlab::lab04::tuned {

namespace {

// The hot loops below are plain C++ that the compiler vectorises for the baseline of the target
// (SSE2 on x86-64: 16-byte registers). With GCC on x86-64 Linux they are also compiled a second
// time for AVX2 (32-byte registers, twice the lanes), and the program picks the copy the
// processor can run when it starts: the build flags stay the same for everyone. AVX2 only, not
// FMA: a fused multiply-add would round the double sums differently from filter.hpp. Sanitizer
// builds keep one copy, which they check.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define PARLAB_ALSO_AVX2 [[gnu::target_clones("avx2", "default")]]
#else
#define PARLAB_ALSO_AVX2
#endif

// ---- the double path: any kernel, computed as filter.hpp defines it ----------------------------

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

// `Count` scratch rows of n values for this thread, reused from row to row (a forked child gets
// its own copy). Each path asks only for what it uses, so a new worker thread allocates little.
template <class T, std::size_t Count>
std::array<T*, Count> scratch_rows(std::size_t n) {
    thread_local std::array<std::vector<T>, Count> rows;
    std::array<T*, Count> pointers{};
    for (std::size_t i = 0; i < Count; ++i) {
        if (rows[i].size() < n) rows[i].resize(n);
        pointers[i] = rows[i].data();
    }
    return pointers;
}

PARLAB_ALSO_AVX2 void to_doubles(std::span<const std::uint8_t> bytes, double* out) {
    const std::uint8_t* in = bytes.data();
    const std::size_t n = bytes.size();
    for (std::size_t i = 0; i < n; ++i) out[i] = in[i];
}

// sum[i] = the correlation of the double rows with w at byte i, where a pixel is `c` bytes wide,
// the nine terms in the order of filter.hpp. The interior (a neighbour on both sides) needs no
// clamping and vectorises; only the first and last pixel clamp their outer neighbour.
PARLAB_ALSO_AVX2 void correlate_fused(const double* up, const double* mid, const double* down, std::size_t n,
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

void double_row(const std::array<std::span<const std::uint8_t>, 3>& rows, std::size_t c,
                const filter_spec& f, std::uint8_t* out) {
    const std::size_t n = rows[0].size();
    const auto [up, mid, down, gx, gy] = scratch_rows<double, 5>(n);
    to_doubles(rows[0], up);
    to_doubles(rows[1], mid);
    to_doubles(rows[2], down);
    correlate_fused(up, mid, down, n, c, f.k, gx);
    if (!f.k2) {
        for (std::size_t i = 0; i < n; ++i) out[i] = to_byte(gx[i]);
        return;
    }
    correlate_fused(up, mid, down, n, c, *f.k2, gy);
    magnitude_to_bytes(gx, gy, n, up, out);
}

// ---- the exact path: kernels of small fractions, in 16-bit integers -------------------------------
//
// Most kernels people use are fractions m / d of small integers with a small common denominator:
// every named kernel (d = 1; 4 for diagonal; 9 for box), a Gaussian blur (d = 16), a mean of five
// (d = 5). For them the filter needs no floating point at all: the integer sum
//     P = m[0] * p(x-1, y-1) + ... + m[8] * p(x+1, y+1)
// (exact in any order), then one rounded division P / d give the bytes filter.hpp defines. Eight
// or sixteen 16-bit sums fit in one vector register, against two or four doubles.
//
// Why it is exact. Each weight w[i] is a double, and we take the path only when w[i] is the double
// nearest to m[i] / d (that is how 1.0 / 9.0 is stored), so w[i] = (m[i] / d) (1 + e), |e| <= 2^-53.
//  * The bound on the integer sum: we require |m[0]| + ... + |m[8]| <= 128, so every partial sum
//    is at most 128 * 255 = 32640 in size and fits in a 16-bit lane.
//  * d a power of two (1, 2, 4, ..., 64): m[i] / d is a double exactly, and so is every product
//    and every partial sum of the definition (multiples of 1 / d below 2^15 in size need far fewer
//    than 53 bits). The double sum s is exactly P / d, and rounding P / d half to even in integers
//    gives the same byte, ties included.
//  * d odd: s differs from P / d only by the rounding of the weights, the nine products and the
//    eight additions: at most ten roundings on the way to each term, so with u = 2^-53,
//    |s - P / d| <= 10u / (1 - 10u) * (|m[0]| p0 + ... + |m[8]| p8) / d <= 1.2e-15 * 32640 / d,
//    below 4e-11 / d.
//    P / d, however, is at least 1 / (2d) from every half-integer j + 1/2: P / d - (j + 1/2) =
//    (2P - d (2j + 1)) / 2d, and 2P - d (2j + 1) is an even number minus an odd one, at least 1 in
//    size. So s and P / d are on the same side of every half-integer and neither is one: both round
//    to the same integer (no tie to break), and saturate to the same byte.
//  * d even but not a power of two (6, 10, 12, ...): P / d can be exactly a half-integer while s,
//    made of rounded weights, lands a hair above or below it: P cannot tell which way s rounds.
//    Such kernels, and all others, take the double path.

constexpr int max_denominator = 64;
constexpr int max_numerator_total = 128;  // 128 * 255 = 32640 < 2^15

// The weights times d, when every weight is the double nearest to an integer over d and the
// integers are small enough (see above); std::nullopt otherwise.
std::optional<std::array<std::int16_t, 9>> numerators(const kernel& k, int d) {
    std::array<std::int16_t, 9> m{};
    int total = 0;
    for (std::size_t i = 0; i < 9; ++i) {
        const double scaled = std::nearbyint(k[i] * d);
        if (!(std::fabs(scaled) <= max_numerator_total) || scaled / d != k[i]) return std::nullopt;
        m[i] = static_cast<std::int16_t>(scaled);
        total += std::abs(m[i]);
    }
    if (total > max_numerator_total) return std::nullopt;
    return m;
}

bool is_power_of_two(int d) { return (d & (d - 1)) == 0; }

// How a row is computed, worked out once per kernel (plan_for keeps the last one per thread).
struct row_plan {
    filter_spec f;              // the filter this plan is for
    bool exact = false;         // the exact path; otherwise the double path
    int d = 1;                  // the common denominator
    std::array<std::int16_t, 9> mx{}, my{};  // f.k and *f.k2 times d
    int shift = 0;              // d = 2^shift, when d is a power of two
    int magic = 0, magic_shift = 0;  // dividing by 2d, when d is odd (see round_odd)
    std::optional<std::size_t> copy;  // the one weight, when the filter is a weight 1 and zeros
};

row_plan make_plan(const filter_spec& f) {
    row_plan plan;
    plan.f = f;
    // A gradient magnitude takes the exact path only for d = 1, 2 or 4 (see magnitude_exact).
    const int largest = f.k2 ? 4 : max_denominator;
    for (int d = 1; d <= largest; ++d) {
        if (d % 2 == 0 && !is_power_of_two(d)) continue;
        if (f.k2 && !is_power_of_two(d)) continue;
        const auto mx = numerators(f.k, d);
        const auto my = f.k2 ? numerators(*f.k2, d) : std::optional<std::array<std::int16_t, 9>>{mx};
        if (!mx || !my) continue;
        plan.exact = true;
        plan.d = d;
        plan.mx = *mx;
        plan.my = *my;
        while ((1 << plan.shift) < d) ++plan.shift;  // d = 2^shift, or 2^shift > d when d is odd
        const auto ones = std::count(plan.mx.begin(), plan.mx.end(), 1);
        const auto zeros = std::count(plan.mx.begin(), plan.mx.end(), 0);
        if (!f.k2 && d == 1 && ones == 1 && zeros == 8)
            plan.copy = static_cast<std::size_t>(std::find(plan.mx.begin(), plan.mx.end(), 1) - plan.mx.begin());
        if (d % 2 == 1) {
            plan.magic_shift = plan.shift + 1;  // 2^magic_shift >= 2d
            plan.magic = ((1 << (15 + plan.magic_shift)) + 2 * d - 1) / (2 * d);
        }
        return plan;
    }
    return plan;
}

const row_plan& plan_for(const filter_spec& f) {
    thread_local std::optional<row_plan> last;
    if (!last || !(last->f == f)) last = make_plan(f);
    return *last;
}

// Calls body(j) for j = 0, 1, ..., length - 1: in blocks of a fixed size first, which GCC
// vectorises even at -O2 (its cheap cost model there wants loops whose length it knows), then
// the few indices left. Always inlined, so that it is compiled for the AVX2 copy of its caller.
template <class Body>
[[gnu::always_inline]] inline void for_each_index(std::size_t length, Body body) {
    constexpr std::size_t block = 32;
    std::size_t j = 0;
    for (; j + block <= length; j += block)
        for (std::size_t k = 0; k < block; ++k) body(j + k);
    for (; j < length; ++j) body(j);
}

// The nonzero weights of a kernel and where each one reads, for one stretch of a row.
struct tap_list {
    std::size_t count = 0;
    std::array<const std::uint8_t*, 9> from{};
    std::array<std::int16_t, 9> weight{};
};

// sum[j] = weight[0] * from[0][j] + ... + weight[n-1] * from[n-1][j] for the weights T = 0, 1,
// ..., n - 1 of the list. The fold expression writes the n terms out, so the loop over j is all
// there is to vectorise, in 16-bit lanes (the sum fits, see above).
template <std::size_t... T>
PARLAB_ALSO_AVX2 void sum_taps(const tap_list& taps, std::size_t length, std::int16_t* __restrict sum) {
    const std::array<const std::uint8_t*, sizeof...(T)> from = {taps.from[T]...};
    const std::array<int, sizeof...(T)> weight = {taps.weight[T]...};
    for_each_index(length, [&](std::size_t j) {
        sum[j] = static_cast<std::int16_t>((0 + ... + (weight[T] * from[T][j])));
    });
}

// &sum_taps<0, 1, ..., n - 1>, for the first n weights of a list.
template <std::size_t... T>
constexpr auto sum_taps_of(std::index_sequence<T...>) {
    return &sum_taps<T...>;
}

// The table {&sum_taps<>, &sum_taps<0>, &sum_taps<0, 1>, ...}: entry n handles n nonzero weights.
template <std::size_t... N>
constexpr auto sum_functions(std::index_sequence<N...>) {
    return std::array{sum_taps_of(std::make_index_sequence<N>{})...};
}

// Calls stretch(first, last, clamp_left, clamp_right) for the bytes of a row of n bytes in
// pixels of c bytes: the first pixel (its left neighbour is itself), the interior (neighbours
// on both sides, no clamping at all) and the last pixel (its right neighbour is itself).
template <class Stretch>
void for_each_stretch(std::size_t n, std::size_t c, Stretch stretch) {
    if (n <= c) {  // one pixel wide
        stretch(0, n, true, true);
        return;
    }
    stretch(0, c, true, false);
    stretch(c, n - c, false, false);
    stretch(n - c, n, false, true);
}

// Where weight i (row by row, as in kernel) reads for byte `first` of a stretch.
const std::uint8_t* tap_source(const std::array<const std::uint8_t*, 3>& rows, std::size_t i, std::size_t first,
                               std::size_t c, bool clamp_left, bool clamp_right) {
    const std::size_t column = i % 3;  // 0: left neighbour, 1: the pixel, 2: right
    const bool itself = column == 1 || (column == 0 && clamp_left) || (column == 2 && clamp_right);
    return rows[i / 3] + (itself ? first : column == 0 ? first - c : first + c);
}

// sum[i] = P at byte i of the row: the integer correlation of the three rows with m. A zero
// weight costs nothing.
void integer_correlate(const std::array<const std::uint8_t*, 3>& rows, std::size_t n, std::size_t c,
                       const std::array<std::int16_t, 9>& m, std::int16_t* sum) {
    static constexpr auto by_count = sum_functions(std::make_index_sequence<10>{});
    for_each_stretch(n, c, [&](std::size_t first, std::size_t last, bool clamp_left, bool clamp_right) {
        tap_list taps;
        for (std::size_t i = 0; i < 9; ++i) {
            if (m[i] == 0) continue;
            taps.from[taps.count] = tap_source(rows, i, first, c, clamp_left, clamp_right);
            taps.weight[taps.count] = m[i];
            ++taps.count;
        }
        by_count[taps.count](taps, last - first, sum + first);
    });
}

// A kernel whose only weight is 1 (identity, or a shift by one pixel) copies bytes.
void copy_row(const std::array<const std::uint8_t*, 3>& rows, std::size_t n, std::size_t c, std::size_t i,
              std::uint8_t* out) {
    for_each_stretch(n, c, [&](std::size_t first, std::size_t last, bool clamp_left, bool clamp_right) {
        std::memcpy(out + first, tap_source(rows, i, first, c, clamp_left, clamp_right), last - first);
    });
}

// out[i] = P / 2^k rounded half to even, saturated. With P = q 2^k + r (0 <= r < 2^k), adding
// 2^(k-1) - 1, plus 1 when q is odd, carries into q exactly when r is above half, or at half with
// q odd; the arithmetic shift then floors.
PARLAB_ALSO_AVX2 void round_power_of_two(const std::int16_t* sum, std::size_t n, int k,
                                         std::uint8_t* __restrict out) {
    const int bias = k == 0 ? 0 : (1 << (k - 1)) - 1;
    const int odd = k == 0 ? 0 : 1;
    for_each_index(n, [&](std::size_t i) {
        const int p = sum[i];
        const int q = (p + bias + ((p >> k) & odd)) >> k;
        out[i] = static_cast<std::uint8_t>(std::clamp(q, 0, 255));
    });
}

// out[i] = P / d rounded and saturated, d odd (no ties). Clamping P to [0, 256d] keeps the byte
// (below 0 it is 0, from 256d up it is 255). Then the rounded quotient is floor(N / 2d) with
// N = 2P + d <= 513 * 63 < 2^15, and the division is a multiplication: with 2^(s-1) < 2d <= 2^s
// and magic = ceil(2^(15+s) / 2d) < 2^16, N * magic / 2^(15+s) exceeds N / 2d by less than
// N 2^s / (2d 2^(15+s)) < 1 / 2d, too little to reach the next integer, so
// (N * magic) >> (15 + s) = floor(N / 2d). The compiler turns ">> 16" of the product into the
// "multiply high" vector instruction: the parameters are 16-bit and the function is never inlined
// (GCC 12 would mix it with its caller's int arithmetic), so the loop stays in 16-bit lanes.
[[gnu::noinline]] PARLAB_ALSO_AVX2 void round_odd(const std::int16_t* sum, std::size_t n, std::int16_t d,
                                                  std::uint16_t magic, int s_minus_one, std::uint8_t* __restrict out) {
    const auto top = static_cast<std::int16_t>(256 * d);
    for_each_index(n, [&](std::size_t i) {
        const std::int16_t p = std::clamp(sum[i], std::int16_t{0}, top);
        const auto big = static_cast<std::uint16_t>(2 * p + d);
        const auto high = static_cast<std::uint16_t>((static_cast<std::uint32_t>(big) * magic) >> 16);
        const auto q = static_cast<std::uint16_t>(high >> s_minus_one);  // >> (15 + s) in all
        out[i] = static_cast<std::uint8_t>(q > 255 ? 255 : q);
    });
}

#if defined(__x86_64__) && defined(__GNUC__)
// The rounded magnitude of eight lanes of sums of squares (the default rounding mode rounds
// half to even). The square root is the slow step, one result per cycle or so: AVX2 takes
// eight at a time, SSE2 four.
[[gnu::target("avx2")]] __m256i rounded_roots(__m256i squares, __m256 cap, __m256 scale) {
    const __m256 v = _mm256_min_ps(_mm256_cvtepi32_ps(squares), cap);
    return _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_sqrt_ps(v), scale));
}

// magnitude_exact for the first bytes, 16 at a time; returns how many it did.
[[gnu::target("avx2")]] std::size_t magnitude_avx2(const std::int16_t* px, const std::int16_t* py, std::size_t n,
                                                   int k, std::uint8_t* out) {
    const __m256 cap = _mm256_set1_ps(static_cast<float>(1 << (16 + 2 * k)));
    const __m256 scale = _mm256_set1_ps(1.0F / static_cast<float>(1 << k));
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(px + i));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(py + i));
        // Interleaved pairs (x, y), and madd: x * x + y * y in 32 bits, for each 128-bit half.
        const __m256i low = _mm256_unpacklo_epi16(x, y);
        const __m256i high = _mm256_unpackhi_epi16(x, y);
        const __m256i r = _mm256_packs_epi32(rounded_roots(_mm256_madd_epi16(low, low), cap, scale),
                                             rounded_roots(_mm256_madd_epi16(high, high), cap, scale));
        const __m256i bytes = _mm256_permute4x64_epi64(_mm256_packus_epi16(r, r), 0b1000);  // halves together
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm256_castsi256_si128(bytes));
    }
    return i;
}
#endif

// out[i] = round_and_saturate(sqrt(gx^2 + gy^2)) with gx = px / 2^k, gy = py / 2^k, k <= 2, in
// single precision. Exact: n = px^2 + py^2 is an integer, and the definition's double
// sqrt(gx^2 + gy^2) is sqrt(n) / 2^k correctly rounded (gx, gy and their squares are exact).
//  * From n >= 2^(16 + 2k) on, both give 256 or more: 255. Below, n < 2^22 is a float exactly.
//  * A tie t = sqrt(n) / 2^k = j + 1/2 makes n = (2j + 1)^2 4^(k-1) a perfect square, whose root
//    both float and double give exactly: both round the same tie to even.
//  * Otherwise sqrt(n) is at least 1 / (8 * 257 * 2^k) from every (j + 1/2) 2^k (n is an integer,
//    a quarter at least from the square of one), while the float root is off by at most
//    2^-24 * 256 * 2^k: for k <= 2 the error is the smaller one, so both round to the same integer.
void magnitude_exact(const std::int16_t* px, const std::int16_t* py, std::size_t n, int k, std::uint8_t* out) {
    std::size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2")) i = magnitude_avx2(px, py, n, k, out);
#endif
#if defined(__SSE2__)
    const __m128 cap = _mm_set1_ps(static_cast<float>(1 << (16 + 2 * k)));
    const __m128 scale = _mm_set1_ps(1.0F / static_cast<float>(1 << k));
    const auto root = [&](__m128i squares) {  // the rounded magnitude of four lanes
        const __m128 v = _mm_min_ps(_mm_cvtepi32_ps(squares), cap);
        return _mm_cvtps_epi32(_mm_mul_ps(_mm_sqrt_ps(v), scale));
    };
    for (; i + 8 <= n; i += 8) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(px + i));
        const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(py + i));
        const __m128i low = _mm_unpacklo_epi16(x, y);
        const __m128i high = _mm_unpackhi_epi16(x, y);
        const __m128i r = _mm_packs_epi32(root(_mm_madd_epi16(low, low)), root(_mm_madd_epi16(high, high)));
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm_packus_epi16(r, r));
    }
#endif
    // The rest (and everything without SSE2): the definition itself.
    const double scale_d = std::ldexp(1.0, -k);
    for (; i < n; ++i) {
        const double gx = px[i] * scale_d;
        const double gy = py[i] * scale_d;
        out[i] = round_and_saturate(std::sqrt(gx * gx + gy * gy));
    }
}

void exact_row(const std::array<std::span<const std::uint8_t>, 3>& rows, std::size_t c,
               const row_plan& plan, std::uint8_t* out) {
    const std::size_t n = rows[0].size();
    const std::array<const std::uint8_t*, 3> from = {rows[0].data(), rows[1].data(), rows[2].data()};
    if (plan.copy) {
        copy_row(from, n, c, *plan.copy, out);
        return;
    }
    const auto [px, py] = scratch_rows<std::int16_t, 2>(n);
    integer_correlate(from, n, c, plan.mx, px);
    if (plan.f.k2) {
        integer_correlate(from, n, c, plan.my, py);
        magnitude_exact(px, py, n, plan.shift, out);
    } else if (plan.d % 2 == 1 && plan.d > 1) {
        round_odd(px, n, static_cast<std::int16_t>(plan.d), static_cast<std::uint16_t>(plan.magic),
                  plan.magic_shift - 1, out);
    } else {
        round_power_of_two(px, n, plan.shift, out);
    }
}

}  // namespace

void filter_row(const_image_view source, const filter_spec& f, int y, std::span<std::uint8_t> out) {
    // The rows above and below are picked once (replicate border); the first and last pixel of
    // the row are handled apart by each path, the interior of the row is one straight loop.
    const auto c = static_cast<std::size_t>(source.channels);
    const std::span<const std::uint8_t> above = source.row(std::max(y - 1, 0));
    const std::span<const std::uint8_t> here = source.row(y);
    const std::span<const std::uint8_t> below = source.row(std::min(y + 1, source.height - 1));
    const std::array<std::span<const std::uint8_t>, 3> rows = {above, here, below};
    const row_plan& plan = plan_for(f);
    if (plan.exact) exact_row(rows, c, plan, out.data());
    else double_row(rows, c, f, out.data());
}

}  // namespace parlab::lab04::tuned
