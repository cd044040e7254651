#include "parlab/timing.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace parlab {

double median(std::vector<double> values) {
    if (values.empty()) throw std::invalid_argument("median of no values");
    const std::size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
    const double upper = values[mid];
    if (values.size() % 2 == 1) return upper;
    const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
    return (lower + upper) / 2;
}

time_summary summarize(std::vector<double> samples) {
    if (samples.empty()) throw std::invalid_argument("cannot summarise zero timings");
    time_summary s;
    s.min = *std::min_element(samples.begin(), samples.end());
    s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
    s.median = median(samples);
    s.samples = std::move(samples);
    return s;
}

}  // namespace parlab
