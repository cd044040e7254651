// Lab 05's grading pieces that need no probe: the grader's serial reference (which every answer
// is compared with) against values worked out by hand, and the timed runs' answer format.

#include <cmath>
#include <numeric>
#include <vector>

#include "../labs/05-array-splitting/inputs.hpp"
#include "../labs/05-array-splitting/reference.hpp"
#include "parlab/testing.hpp"

namespace ref = parlab::grader::lab05_reference;
namespace lab05 = parlab::grader::lab05;
using parlab::testing::Approx;  // Catch2 3 has no global Approx

TEST_CASE("lab 05 reference: reflect mirrors about both ends, with period 2n", "[grader][lab05]") {
    // row a b c d: ... b a | a b c d | d c b a | a b ...
    CHECK(ref::reflect(-1, 4) == 0);
    CHECK(ref::reflect(-2, 4) == 1);
    CHECK(ref::reflect(-5, 4) == 3);
    CHECK(ref::reflect(4, 4) == 3);
    CHECK(ref::reflect(5, 4) == 2);
    CHECK(ref::reflect(8, 4) == 0);
    CHECK(ref::reflect(9, 4) == 1);
    for (long i = -7; i <= 7; ++i) CHECK(ref::reflect(i, 1) == 0);
}

TEST_CASE("lab 05 reference: the Gaussian weights", "[grader][lab05]") {
    const ref::kernel g = ref::gaussian(1.0);
    REQUIRE(g.radius == 4);
    REQUIRE(g.weights.size() == 9);
    CHECK(std::accumulate(g.weights.begin(), g.weights.end(), 0.0) == Approx(1.0).epsilon(1e-15));
    for (std::size_t k = 0; k < 4; ++k) CHECK(g.weights[k] == g.weights[8 - k]);
    CHECK(g.weights[4] == Approx(0.39894).epsilon(1e-4));  // about 1 / sqrt(2 pi)
    CHECK(ref::gaussian(0.1).radius == 0);
    CHECK(ref::gaussian(40).radius == 160);
    CHECK_THROWS(ref::gaussian(0));
}

TEST_CASE("lab 05 reference: smoothing keeps constants, one sample, and the carried weights", "[grader][lab05]") {
    const std::vector<double> constant(7, 2.5);
    for (const double v : ref::smooth_rows(constant, 1, 7, 3.0)) CHECK(v == Approx(2.5).epsilon(1e-15));
    CHECK(ref::smooth_rows(std::vector<double>{4.0}, 1, 1, 5.0)[0] == Approx(4.0).epsilon(1e-15));
    // 0 0 4 0 0 with sigma 1: the middle keeps 4 w[0], the row is symmetric
    const auto peak = ref::smooth_rows(std::vector<double>{0, 0, 4, 0, 0}, 1, 5, 1.0);
    CHECK(peak[2] == 4 * ref::gaussian(1.0).weights[4]);  // only k = 0 reads the 4
    CHECK(peak[0] == Approx(peak[4]).epsilon(1e-15));
    // the sum of a smoothed row is the row weighted by weight_per_sample (the timing check's sum)
    const std::vector<double> row = parlab::grader::seeded_doubles(17, 300);
    const auto smoothed = ref::smooth_rows(row, 1, row.size(), 12.5);
    const auto carried = ref::weight_per_sample(row.size(), 12.5);
    CHECK(std::inner_product(row.begin(), row.end(), carried.begin(), 0.0) ==
          Approx(std::accumulate(smoothed.begin(), smoothed.end(), 0.0)).epsilon(1e-12));
    CHECK(std::accumulate(carried.begin(), carried.end(), 0.0) == Approx(300.0).epsilon(1e-12));
}

TEST_CASE("lab 05 reference: the first wrong element is named by row and column", "[grader][lab05]") {
    const std::vector<double> expected{1, 2, 3, 4, 5, 6};
    std::vector<double> got = expected;
    CHECK(ref::first_wrong(expected, got, 3, 1e-12).empty());
    got[5] = std::nan("");
    got[4] = 5.5;
    CHECK(ref::first_wrong(expected, got, 3, 1e-12) == "row 1, column 1: expected 5, got 5.5");
    got[4] = 5;
    CHECK(ref::first_wrong(expected, got, 3, 1e-12).rfind("row 1, column 2: expected 6, got ", 0) == 0);
}

TEST_CASE("lab 05 timed answers: written and read back, anything else refused", "[grader][lab05]") {
    std::vector<double> samples(lab05::timing_samples, 0.1);
    samples[3] = 1.0 / 3.0;
    std::vector<double> back;
    double sum = 0;
    REQUIRE(lab05::read_timing_answer(lab05::timing_answer(samples, 12345.678), back, sum));
    CHECK(back == samples);
    CHECK(sum == 12345.678);
    CHECK_FALSE(lab05::read_timing_answer("the result has the wrong shape", back, sum));
    CHECK_FALSE(lab05::read_timing_answer("1 2 3", back, sum));
    CHECK_FALSE(lab05::read_timing_answer(lab05::timing_answer(samples, NAN), back, sum));
}
