#pragma once
// The grader's serial reference for lab 04: the 3x3 filter, stated as plainly as possible. It is
// the grader's own and independent of solutions/, which are parallel model answers.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "parlab/image.hpp"

namespace parlab::grader::reference {

using kernel = std::array<double, 9>;

/// One 3x3 filter: a kernel, or two for a gradient magnitude.
struct filter {
    kernel k{};
    std::optional<kernel> k2;
};

/// The named filters of lab 04, weights row by row (row 0 above the pixel, column 0 left).
[[nodiscard]] inline const std::map<std::string, filter>& named_filters() {
    static const std::map<std::string, filter> filters{
        {"identity", {{0, 0, 0, 0, 1, 0, 0, 0, 0}, {}}},
        {"box", {{1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0, 1 / 9.0}, {}}},
        {"sharpen", {{0, -1, 0, -1, 5, -1, 0, -1, 0}, {}}},
        {"diagonal", {{-0.25, 0, 0.25, 0, 0, 0, -0.25, 0, 0.25}, {}}},
        {"sobel-x", {{-1, 0, 1, -2, 0, 2, -1, 0, 1}, {}}},
        {"sobel-y", {{-1, -2, -1, 0, 0, 0, 1, 2, 1}, {}}},
        {"prewitt-x", {{-1, 0, 1, -1, 0, 1, -1, 0, 1}, {}}},
        {"prewitt-y", {{-1, -1, -1, 0, 0, 0, 1, 1, 1}, {}}},
        {"laplacian-4", {{0, 1, 0, 1, -4, 1, 0, 1, 0}, {}}},
        {"laplacian-8", {{1, 1, 1, 1, -8, 1, 1, 1, 1}, {}}},
        {"sobel", {{-1, 0, 1, -2, 0, 2, -1, 0, 1}, kernel{-1, -2, -1, 0, 0, 0, 1, 2, 1}}},
    };
    return filters;
}

/// Rounds to nearest, ties to even, and saturates to [0, 255].
[[nodiscard]] inline std::uint8_t to_byte(double value) {
    const double r = std::nearbyint(value);
    return static_cast<std::uint8_t>(r < 0 ? 0 : r > 255 ? 255 : r);
}

/// The filter as the lab states it: correlation, replicate border (every access clamped), the
/// nine products added left to right in double, then to_byte. `out` has the shape of `source`.
inline void apply_filter(const_image_view source, const filter& f, image_view out) {
    const auto at = [&](int x, int y, int c) -> double {
        x = std::clamp(x, 0, source.width - 1);
        y = std::clamp(y, 0, source.height - 1);
        return source.at(x, y, c);
    };
    const auto correlate = [&](const kernel& k, int x, int y, int c) {
        double s = k[0] * at(x - 1, y - 1, c);
        s = s + k[1] * at(x, y - 1, c);
        s = s + k[2] * at(x + 1, y - 1, c);
        s = s + k[3] * at(x - 1, y, c);
        s = s + k[4] * at(x, y, c);
        s = s + k[5] * at(x + 1, y, c);
        s = s + k[6] * at(x - 1, y + 1, c);
        s = s + k[7] * at(x, y + 1, c);
        s = s + k[8] * at(x + 1, y + 1, c);
        return s;
    };
    for (int y = 0; y < source.height; ++y)
        for (int x = 0; x < source.width; ++x)
            for (int c = 0; c < source.channels; ++c) {
                const double gx = correlate(f.k, x, y, c);
                const double gy = f.k2 ? correlate(*f.k2, x, y, c) : 0.0;
                out.at(x, y, c) = f.k2 ? to_byte(std::sqrt(gx * gx + gy * gy)) : to_byte(gx);
            }
}

/// The same, into an image of its own.
[[nodiscard]] inline image apply_filter(const_image_view source, const filter& f) {
    image out(source.width, source.height, source.channels);
    apply_filter(source, f, out.view());
    return out;
}

}  // namespace parlab::grader::reference
