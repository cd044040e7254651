// Lab 08's part of the grader's reference program (grader/shared/reference_probe.cpp): the serial
// smoothing the student's ranks are timed against, on lab 05's timed input.

#include <memory>
#include <vector>

#include "../05-array-splitting/inputs.hpp"
#include "../05-array-splitting/reference.hpp"
#include "probe.hpp"

namespace parlab::grader {
namespace {

namespace ref = lab05_reference;

// One row: where the whole window lies inside the row the weights run straight over it; near the
// ends, through the reflect border. The same sum in the same order as the definition, and about as
// fast as the lab's given smooth_row, which the student's ranks call.
void smooth_row_serial(const double* in, double* out, std::size_t n, const ref::kernel& g) {
    const std::size_t r = g.radius;
    for (std::size_t i = 0; i < n; ++i) {
        if (i < r || i + r >= n) {
            out[i] = ref::smooth_at(in, n, g, i);
            continue;
        }
        const double* window = in + (i - r);
        double sum = 0;
        for (std::size_t t = 0; t < g.weights.size(); ++t) sum += g.weights[t] * window[t];
        out[i] = sum;
    }
}

}  // namespace

void add_baselines_08_distributed_memory(parlab::probe::probe_table& table) {
    // Like the ranks' timed run, it makes its arrays once and then pays for new input, the
    // smoothing and the digest.
    table.timed["distributed-memory/smooth"] = [](const parlab::probe::arguments& args) -> parlab::probe::timed_body {
        const auto seed = args.number("seed");
        const std::size_t rows = lab05::timing_rows, cols = lab05::timing_cols;
        auto input = std::make_shared<std::vector<double>>(rows * cols);
        auto output = std::make_shared<std::vector<double>>(rows * cols);
        auto g = std::make_shared<ref::kernel>(ref::gaussian(lab05::timing_sigma));
        return [seed, rows, cols, input, output, g](std::uint64_t nonce) {
            lab05::fill_timing_input(*input, seed, nonce);
            for (std::size_t y = 0; y < rows; ++y) smooth_row_serial(&(*input)[y * cols], &(*output)[y * cols], cols, *g);
            return lab05::timing_digest(*output, seed, nonce);
        };
    };
}

}  // namespace parlab::grader
