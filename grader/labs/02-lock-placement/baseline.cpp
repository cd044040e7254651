// Lab 02's part of the grader's reference program (grader/shared/reference_probe.cpp): the
// baseline the student's version 3 is timed against, with no student code in the program.

#include <memory>
#include <mutex>

#include "inputs.hpp"
#include "parlab/split.hpp"
#include "parlab/thread_pool.hpp"
#include "probe.hpp"

namespace parlab::grader {
namespace {

using parlab::probe::arguments;

// Version 2 as the lab states it: 64 chunks over --workers threads, one lock taken around every
// element's update.
parlab::probe::timed_body lock_per_element(const arguments& args) {
    const auto n = static_cast<std::size_t>(args.number("n", 1000000));
    const auto seed = args.number("seed");
    dot_input in = seeded_dot_input(seed, n);
    auto x = std::make_shared<const std::vector<double>>(std::move(in.x));
    auto timed = std::make_shared<timed_y>(seed, std::move(in.y));
    auto pool = std::make_shared<parlab::thread_pool>(args.number("workers", 2));
    return [=](std::uint64_t nonce) {
        const std::vector<double>& y = timed->for_nonce(nonce);
        const auto parts = parlab::even_split(n, 64);
        std::mutex lock;
        double total = 0;
        pool->parallel_for(0, parts.size(), [&](std::size_t c) {
            for (std::size_t i = parts[c].first; i < parts[c].last; ++i) {
                const std::lock_guard guard(lock);
                total += (*x)[i] * y[i];
            }
        }, parts.size());
        return digest_double(total);
    };
}

}  // namespace

void add_baselines_02_lock_placement(parlab::probe::probe_table& table) {
    table.timed["lock-placement/lock-per-element"] = lock_per_element;
}

}  // namespace parlab::grader
