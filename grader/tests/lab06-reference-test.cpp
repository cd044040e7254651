// Lab 06's grading pieces that need no probe: the grader's serial reference (which every
// high-pass is compared with) against figures printed by SciPy, and the Amdahl fit on exact data.

#include <vector>

#include "../labs/06-worker-pool/inputs.hpp"
#include "../labs/06-worker-pool/reference.hpp"
#include "parlab/testing.hpp"

namespace ref = parlab::grader::lab06_reference;
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
        const std::vector<float> got = ref::highpass(a, 3, 4, sizes[i]);
        for (std::size_t p = 0; p < a.size(); ++p) {
            INFO("size " << sizes[i] << ", pixel " << p);
            CHECK(got[p] == a[p] - medians[i][p]);
        }
    }
    CHECK(ref::highpass({7.5F}, 1, 1, 5) == std::vector<float>{0.0F});
}

TEST_CASE("lab 06 reference: the least-squares serial fraction of exact Amdahl speedups", "[grader][lab06]") {
    std::vector<lab06::speedup_sample> points;
    for (std::size_t p = 1; p <= 8; ++p) points.push_back({p, 1.0 / (0.2 + 0.8 / static_cast<double>(p))});
    CHECK(ref::serial_fraction(std::span<const lab06::speedup_sample>(points)) == parlab::testing::Approx(0.2));
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
