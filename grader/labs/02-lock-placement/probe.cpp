// The grader's probe for lab 02: the student's dot products on vectors drawn from the seed, with
// the lock's counts; and timed runs of versions 2 and 3.

#include <memory>

#include "answers.hpp"
#include "dot.hpp"
#include "inputs.hpp"
#include "probe.hpp"

namespace {

namespace lab02 = parlab::lab02;
namespace answers = parlab::grader::lab02;
using parlab::probe::arguments;

nlohmann::json locked(const arguments& args, bool per_element) {
    const auto in = parlab::grader::seeded_dot_input(args.number("seed"));
    parlab::thread_pool pool(in.workers);
    lab02::counting_mutex lock;
    const double value = per_element ? lab02::dot_lock_per_element(in.x, in.y, pool, in.chunks, lock)
                                     : lab02::dot_lock_per_chunk(in.x, in.y, pool, in.chunks, lock);
    return answers::locked_answer{value, lock.acquisitions(), lock.contended()};
}

nlohmann::json per_worker(const arguments& args, bool padded) {
    const auto in = parlab::grader::seeded_dot_input(args.number("seed"));
    parlab::thread_pool pool(in.workers);
    const auto result = padded ? lab02::dot_per_worker_padded(in.x, in.y, pool, in.chunks)
                               : lab02::dot_per_worker_adjacent(in.x, in.y, pool, in.chunks);
    return answers::per_worker_answer{result.value, result.slots};
}

// A sweep like the lab's own task 4 tests: empty, one, odd and large inputs over 1 to 8
// workers, with hidden values.
nlohmann::json per_worker_sweep(const arguments& args) {
    answers::sweep_answer answer;
    for (const std::size_t n : parlab::grader::sweep_sizes(args.number("seed")))
        for (const std::size_t workers : {1u, 2u, 3u, 8u}) {
            const auto x = parlab::grader::seeded_doubles(parlab::grader::derive_seed(args.number("seed"), 20 + n), n);
            const auto y = parlab::grader::seeded_doubles(parlab::grader::derive_seed(args.number("seed"), 40 + n), n);
            parlab::thread_pool pool(workers);
            for (const bool padded : {false, true}) {
                const auto result = padded ? lab02::dot_per_worker_padded(x, y, pool, 16)
                                           : lab02::dot_per_worker_adjacent(x, y, pool, 16);
                answer.cases.push_back({n, workers, padded, result.value, result.slots});
            }
        }
    return answer;
}

// Version 3 timed on n elements (default 1,000,000) and 64 chunks, with --workers threads; y
// changes with every nonce (inputs.hpp's timed_y), and the answer is the dot product, which the
// grader checks. The timing check's other side is the grader's own version 2 (baseline.cpp),
// never the student's.
parlab::probe::timed_body timed_lock_per_chunk(const arguments& args) {
    const auto n = static_cast<std::size_t>(args.number("n", 1000000));
    const auto seed = args.number("seed");
    auto in = parlab::grader::seeded_dot_input(seed, n);
    auto x = std::make_shared<const std::vector<double>>(std::move(in.x));
    auto y = std::make_shared<parlab::grader::timed_y>(seed, std::move(in.y));
    auto pool = std::make_shared<parlab::thread_pool>(args.number("workers", 2));
    auto lock = std::make_shared<lab02::counting_mutex>();
    return [=](std::uint64_t nonce) {
        return parlab::grader::digest_double(lab02::dot_lock_per_chunk(*x, y->for_nonce(nonce), *pool, 64, *lock));
    };
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["lock-per-element"] = [](const arguments& a) { return locked(a, true); };
    table.checks["lock-per-chunk"] = [](const arguments& a) { return locked(a, false); };
    table.checks["atomic-per-chunk"] = [](const arguments& a) {
        const auto in = parlab::grader::seeded_dot_input(a.number("seed"));
        parlab::thread_pool pool(in.workers);
        return nlohmann::json(answers::atomic_answer{lab02::dot_atomic_per_chunk(in.x, in.y, pool, in.chunks)});
    };
    table.checks["per-worker-adjacent"] = [](const arguments& a) { return per_worker(a, false); };
    table.checks["per-worker-padded"] = [](const arguments& a) { return per_worker(a, true); };
    table.timed["lock-per-chunk"] = timed_lock_per_chunk;
    table.checks["per-worker-sweep"] = per_worker_sweep;
    return parlab::probe::run(argc, argv, table);
}
