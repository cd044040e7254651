// Lab 06's grading pieces that need no probe: the grader's serial reference (which every
// high-pass is compared with) against figures printed by SciPy, and the check of the Amdahl fit
// (judge_fit) with right fits and with the wrong formulas it must refuse.

#include <cmath>
#include <limits>
#include <vector>

#include "../labs/06-worker-pool/inputs.hpp"
#include "../labs/06-worker-pool/reference.hpp"
#include "parlab/testing.hpp"

namespace lab06_ref = parlab::grader::lab06_reference;
namespace lab06 = parlab::grader::lab06;

TEST_CASE("lab 06 reference: the high-pass is frame - scipy.ndimage.median_filter", "[grader][lab06]") {
    // a = [[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]] (float32); the medians SciPy 1.10 printed
    // for sizes 2, 3, 4 and 7 (larger than the image).
    const std::vector<float> a = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
    const std::vector<std::vector<float>> medians = {{3, 3, 4, 4, 5, 5, 4, 4, 5, 5, 5, 6},
                                                     {3, 3, 2, 2, 5, 4, 4, 5, 5, 5, 5, 6},
                                                     {5, 4, 4, 4, 3, 4, 4, 4, 5, 5, 5, 5},
                                                     {5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4}};
    const std::size_t sizes[] = {2, 3, 4, 7};
    for (std::size_t i = 0; i < 4; ++i) {
        const std::vector<float> got = lab06_ref::highpass(a, 3, 4, sizes[i]);
        for (std::size_t p = 0; p < a.size(); ++p) {
            INFO("size " << sizes[i] << ", pixel " << p);
            CHECK(got[p] == a[p] - medians[i][p]);
        }
    }
    CHECK(lab06_ref::highpass({7.5F}, 1, 1, 5) == std::vector<float>{0.0F});
}

namespace {

using points_t = std::vector<lab06::speedup_sample>;

bool least(const points_t& points, double f) {
    return lab06_ref::judge_fit(std::span<const lab06::speedup_sample>(points), f).least;
}

// Speedups whose least-squares fit on 1/S is f by construction, with no formula for the fit: off
// Amdahl's curve by residuals r with sum((1 - 1/p) r) = 0 (pairs of points that cancel, and
// anything at p = 1, where 1 - 1/p = 0), so no other f lowers the squared error.
points_t known_fit(double f, double noise) {
    points_t points;
    const auto add = [&](std::size_t p, double r) {
        const double w = static_cast<double>(p);
        points.push_back({p, 1.0 / (f + (1 - f) / w + r)});
    };
    add(1, 3 * noise);
    for (std::size_t p = 2; p + 1 <= 7; p += 2) {
        const double a = 1 - 1.0 / static_cast<double>(p), b = 1 - 1.0 / static_cast<double>(p + 1);
        add(p, noise * b);
        add(p + 1, -noise * a);
        noise = -noise / 2;
    }
    add(8, 0);
    return points;
}

// Wrong fit 1: least squares on S itself, sum of (S - 1 / (f + (1 - f) / p))^2, minimised over
// [0, 1] by narrowing in on it.
double fit_on_speedup(const points_t& points) {
    const auto error = [&](double f) {
        double sum = 0;
        for (const auto& point : points) {
            const double d = point.speedup - 1 / (f + (1 - f) / static_cast<double>(point.workers));
            sum += d * d;
        }
        return sum;
    };
    double low = 0, high = 1;
    for (int i = 0; i < 200; ++i) {
        const double m1 = low + (high - low) / 3, m2 = high - (high - low) / 3;
        if (error(m1) < error(m2)) {
            high = m2;
        } else {
            low = m1;
        }
    }
    return (low + high) / 2;
}

// Wrong fit 2: each point's own f (Amdahl's law solved for f), averaged without weights.
double mean_of_each_point(const points_t& points) {
    double sum = 0;
    std::size_t count = 0;
    for (const auto& point : points) {
        if (point.workers < 2) continue;
        const double p = static_cast<double>(point.workers);
        sum += (1 / point.speedup - 1 / p) / (1 - 1 / p);
        ++count;
    }
    return sum / static_cast<double>(count);
}

}  // namespace

TEST_CASE("lab 06 reference: judge_fit accepts the least-squares serial fraction", "[grader][lab06]") {
    for (const double f : {0.0, 0.02, 0.2, 0.5, 0.97}) {
        for (const double noise : {0.0, 0.01, 0.05}) {
            const points_t points = known_fit(f, noise);
            INFO("f " << f << ", noise " << noise);
            CHECK(least(points, f));
            // the same fit as a float, or a few roundings away: rounding must not fail it
            CHECK(least(points, static_cast<double>(static_cast<float>(f))));
            CHECK(least(points, f + 64 * std::numeric_limits<double>::epsilon()));
            // but a fit off by a hundred thousandth is not the fit
            CHECK_FALSE(least(points, f + 1e-5));
            CHECK_FALSE(least(points, f - 1e-5));
        }
    }
    CHECK_FALSE(least(known_fit(0.2, 0.01), std::nan("")));
    CHECK_FALSE(least(known_fit(0.2, 0.01), HUGE_VAL));
}

TEST_CASE("lab 06 reference: judge_fit refuses a fit on S and an average of each point's f", "[grader][lab06]") {
    // the grader's own hidden points (noisy, as amdahl-fit draws them) and the constructed ones
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        const auto drawn = lab06::amdahl_points(seed);
        const points_t points(drawn.begin(), drawn.end());
        INFO("seed " << seed);
        CHECK_FALSE(least(points, fit_on_speedup(points)));
        CHECK_FALSE(least(points, mean_of_each_point(points)));
    }
    const points_t made = known_fit(0.2, 0.05);
    CHECK_FALSE(least(made, fit_on_speedup(made)));
    CHECK_FALSE(least(made, mean_of_each_point(made)));
}

TEST_CASE("lab 06 inputs: the hidden images have exact pixels and the odd shapes", "[grader][lab06]") {
    const auto cases = lab06::image_cases(12345);
    REQUIRE(cases.size() == 7);
    CHECK(cases[0].rows * cases[0].cols == 1);
    CHECK(cases[1].size > 1);
    CHECK(cases[4].rows < cases[4].size);
    CHECK(cases[5].size % 2 == 0);
    CHECK(cases[6].size % 2 == 1);
    for (const float p : lab06::case_pixels(cases[6])) CHECK(p * 8 == static_cast<float>(static_cast<long>(p * 8)));
}
