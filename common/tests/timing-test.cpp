#include "parlab/timing.hpp"

#include <stdexcept>

#include "parlab/testing.hpp"

using parlab::testing::Approx;

TEST_CASE("summarize gives min, median and mean", "[common][timing]") {
    const auto s = parlab::summarize({3.0, 1.0, 2.0, 10.0});
    CHECK(s.min == 1.0);
    CHECK(s.median == Approx(2.5));
    CHECK(s.mean == Approx(4.0));
    CHECK(s.samples.size() == 4);
    CHECK(parlab::median({5.0, 1.0, 3.0}) == 3.0);
    CHECK_THROWS_AS(parlab::summarize({}), std::invalid_argument);
}

TEST_CASE("time_repeated runs the warm-up and the repetitions", "[common][timing]") {
    int calls = 0;
    const auto s = parlab::time_repeated([&] { ++calls; }, 5, 2);
    CHECK(calls == 7);
    CHECK(s.samples.size() == 5);
    CHECK(s.min >= 0.0);
    CHECK(s.min <= s.median);
}

TEST_CASE("stopwatch measures elapsed time", "[common][timing]") {
    parlab::stopwatch watch;
    volatile double sink = 0;
    for (int i = 0; i < 100000; ++i) sink = sink + i;
    const double first = watch.seconds();
    CHECK(first > 0.0);
    CHECK(watch.seconds() >= first);
    watch.restart();
    CHECK(watch.seconds() <= first + 1.0);
}
