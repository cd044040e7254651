#pragma once
// Measuring time: a stopwatch and repeat-and-summarise. (The grader times a student's run against
// its reference in alternating pairs of processes: grader/src/checks.cpp.)

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

}  // namespace parlab
