// Lab 04's filter-row check must fail a filter that adds the nine products in another order
// than filter.hpp specifies (the lab's tests do). The order kernel is made for that: on the
// hidden images of any seed, some byte of the specified order differs from each common other
// order. Checked here on many seeds with the grader's own reference.

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

#include "../labs/04-edge-filter/inputs.hpp"
#include "../labs/04-edge-filter/reference.hpp"
#include "parlab/testing.hpp"

namespace {

using parlab::grader::reference::kernel;

// The nine neighbourhood values of (x, y, c), clamped at the border, row by row.
std::array<double, 9> neighbourhood(parlab::const_image_view img, int x, int y, int c) {
    std::array<double, 9> v{};
    for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx)
            v[static_cast<std::size_t>((dy + 1) * 3 + dx + 1)] =
                img.at(std::clamp(x + dx, 0, img.width - 1), std::clamp(y + dy, 0, img.height - 1), c);
    return v;
}

// How many bytes of the seed's hidden images `sum` rounds to another byte than the reference.
int bytes_changed(std::uint64_t seed, const std::function<double(const kernel&, const std::array<double, 9>&)>& sum) {
    const kernel k = parlab::grader::order_kernel(seed);
    const parlab::grader::reference::filter f{k, std::nullopt};
    int changed = 0;
    for (const auto& c : parlab::grader::seeded_image_cases(seed)) {
        const auto view = c.picture.view();
        const parlab::image expected = parlab::grader::reference::apply_filter(view, f);
        for (int y = 0; y < view.height; ++y)
            for (int x = 0; x < view.width; ++x)
                for (int ch = 0; ch < view.channels; ++ch)
                    if (parlab::grader::reference::to_byte(sum(k, neighbourhood(view, x, y, ch))) != expected.at(x, y, ch))
                        ++changed;
    }
    return changed;
}

}  // namespace

TEST_CASE("lab 04 order kernel: the hidden images tell the specified order from others", "[grader][lab04]") {
    const auto rows_apart = [](const kernel& k, const std::array<double, 9>& v) {
        return (k[0] * v[0] + k[1] * v[1] + k[2] * v[2]) + (k[3] * v[3] + k[4] * v[4] + k[5] * v[5]) +
               (k[6] * v[6] + k[7] * v[7] + k[8] * v[8]);
    };
    const auto columns_first = [](const kernel& k, const std::array<double, 9>& v) {
        double s = 0;
        for (std::size_t col = 0; col < 3; ++col)
            for (std::size_t row = 0; row < 3; ++row) s += k[row * 3 + col] * v[row * 3 + col];
        return s;
    };
    const auto fused = [](const kernel& k, const std::array<double, 9>& v) {
        double s = k[0] * v[0];
        for (std::size_t i = 1; i < 9; ++i) s = std::fma(k[i], v[i], s);
        return s;
    };
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        INFO("seed " << seed);
        CHECK(bytes_changed(seed, rows_apart) > 0);
        CHECK(bytes_changed(seed, columns_first) > 0);
        CHECK(bytes_changed(seed, fused) > 0);
    }
}
