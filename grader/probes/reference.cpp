// The grader's own side of timing checks: the baselines a student's code is timed against, in a
// program that links no student code (so nothing the student writes can slow it down). It speaks
// the probe protocol of probe.hpp, in "time" mode only.

#include <memory>
#include <mutex>

#include "inputs.hpp"
#include "parlab/split.hpp"
#include "parlab/thread_pool.hpp"
#include "probe.hpp"
#include "reference.hpp"

namespace {

namespace grader = parlab::grader;
using parlab::probe::arguments;

// Lab 02's version 2 as the lab states it: 64 chunks over --workers threads, one lock taken
// around every element's update.
parlab::probe::timed_body lock_per_element(const arguments& args) {
    const auto n = static_cast<std::size_t>(args.number("n", 1000000));
    const auto seed = args.number("seed");
    auto in = std::make_shared<grader::dot_input>(grader::seeded_dot_input(seed, n));
    auto pool = std::make_shared<parlab::thread_pool>(args.number("workers", 2));
    return [=](std::uint64_t nonce) {
        in->y = grader::timing_doubles(seed, nonce, n);
        const auto parts = parlab::even_split(n, 64);
        std::mutex lock;
        double total = 0;
        pool->parallel_for(0, parts.size(), [&](std::size_t c) {
            for (std::size_t i = parts[c].first; i < parts[c].last; ++i) {
                const std::lock_guard guard(lock);
                total += in->x[i] * in->y[i];
            }
        }, parts.size());
        return grader::digest_double(total);
    };
}

// Lab 04's serial reference filter (sobel-x) on the timing image.
parlab::probe::timed_body reference_filter(const arguments& args) {
    const auto seed = args.number("seed");
    return [seed](std::uint64_t nonce) {
        const parlab::image picture = grader::timing_image(seed, nonce);
        const parlab::image out = grader::reference::apply_filter(picture.view(), grader::reference::named_filters().at("sobel-x"));
        return grader::digest_bytes(out.bytes());
    };
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.timed["lock-placement/lock-per-element"] = lock_per_element;
    table.timed["edge-filter/filter"] = reference_filter;
    return parlab::probe::run(argc, argv, table);
}
