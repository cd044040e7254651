#pragma once
// Measuring time: a stopwatch, repeat-and-summarise and an alternating A/B comparison.

#include <chrono>
#include <cstddef>
#include <vector>

namespace parlab {

/// Elapsed wall time on the steady clock, started at construction.
class stopwatch {
public:
    stopwatch() noexcept : start_(clock::now()) {}
    void restart() noexcept { start_ = clock::now(); }
    /// Seconds since construction or the last restart().
    [[nodiscard]] double seconds() const noexcept {
        return std::chrono::duration<double>(clock::now() - start_).count();
    }

private:
    using clock = std::chrono::steady_clock;
    clock::time_point start_;
};

/// Summary of a set of timings in seconds.
struct time_summary {
    std::vector<double> samples;
    double min = 0;
    double median = 0;
    double mean = 0;
};

/// Summarises samples (min, median, mean). Throws std::invalid_argument when empty.
[[nodiscard]] time_summary summarize(std::vector<double> samples);

/// Median of a non-empty set of values. Throws std::invalid_argument when empty.
[[nodiscard]] double median(std::vector<double> values);

/// Runs `body` `warmup` times untimed, then `repetitions` times timed, and summarises.
template <class Body>
[[nodiscard]] time_summary time_repeated(Body&& body, std::size_t repetitions,
                                         std::size_t warmup = 1) {
    for (std::size_t i = 0; i < warmup; ++i) body();
    std::vector<double> samples;
    for (std::size_t i = 0; i < repetitions; ++i) {
        stopwatch watch;
        body();
        samples.push_back(watch.seconds());
    }
    return summarize(std::move(samples));
}

/// Result of timing A and B alternately; ratios[i] = b_time[i] / a_time[i] for pair i, so a
/// ratio above 1 means B was slower than A in that pair.
struct ab_comparison {
    time_summary a;
    time_summary b;
    std::vector<double> ratios;
    double median_ratio = 0;
};

/// Times A then B, `pairs` times (after one untimed warm-up of each), so that a change in the
/// machine's load hits both sides of a pair alike; compares them pair by pair.
template <class BodyA, class BodyB>
[[nodiscard]] ab_comparison compare_alternating(BodyA&& body_a, BodyB&& body_b, std::size_t pairs) {
    body_a();
    body_b();
    std::vector<double> a, b, ratios;
    for (std::size_t i = 0; i < pairs; ++i) {
        stopwatch watch;
        body_a();
        a.push_back(watch.seconds());
        watch.restart();
        body_b();
        b.push_back(watch.seconds());
        ratios.push_back(b.back() / (a.back() > 0 ? a.back() : 1e-12));
    }
    ab_comparison result{summarize(std::move(a)), summarize(std::move(b)), ratios, 0};
    result.median_ratio = median(std::move(ratios));
    return result;
}

}  // namespace parlab
