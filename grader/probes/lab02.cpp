// The grader's probe for lab 02: the student's dot products on vectors drawn from the seed, with
// the lock's counts; and timed runs of version 2, version 3 and a plain serial loop.

#include "dot.hpp"
#include "inputs.hpp"
#include "probe.hpp"

namespace {

namespace lab02 = parlab::lab02;
using parlab::probe::arguments;

nlohmann::json locked(const arguments& args, bool per_element) {
    const auto in = parlab::grader::seeded_dot_input(args.number("seed"));
    parlab::thread_pool pool(in.workers);
    lab02::counting_mutex lock;
    const double value = per_element ? lab02::dot_lock_per_element(in.x, in.y, pool, in.chunks, lock)
                                     : lab02::dot_lock_per_chunk(in.x, in.y, pool, in.chunks, lock);
    return {{"value", value}, {"acquisitions", lock.acquisitions()}, {"contended", lock.contended()}};
}

nlohmann::json per_worker(const arguments& args, bool padded) {
    const auto in = parlab::grader::seeded_dot_input(args.number("seed"));
    parlab::thread_pool pool(in.workers);
    const auto result = padded ? lab02::dot_per_worker_padded(in.x, in.y, pool, in.chunks)
                               : lab02::dot_per_worker_adjacent(in.x, in.y, pool, in.chunks);
    return {{"value", result.value}, {"slots", result.slots}};
}

// Timed runs on n elements (default 1,000,000) and 64 chunks, with --workers threads.
std::function<void()> timed(const arguments& args, int version) {
    const auto n = static_cast<std::size_t>(args.number("n", 1000000));
    auto in = std::make_shared<parlab::grader::dot_input>(parlab::grader::seeded_dot_input(args.number("seed"), n));
    auto pool = std::make_shared<parlab::thread_pool>(args.number("workers", 2));
    auto lock = std::make_shared<lab02::counting_mutex>();
    auto sink = std::make_shared<volatile double>(0.0);
    return [=] {
        switch (version) {
            case 2: *sink = lab02::dot_lock_per_element(in->x, in->y, *pool, 64, *lock); break;
            case 3: *sink = lab02::dot_lock_per_chunk(in->x, in->y, *pool, 64, *lock); break;
            default: {  // the plain serial loop
                double total = 0;
                for (std::size_t i = 0; i < in->x.size(); ++i) total += in->x[i] * in->y[i];
                *sink = total;
            }
        }
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
        return nlohmann::json{{"value", lab02::dot_atomic_per_chunk(in.x, in.y, pool, in.chunks)}};
    };
    table.checks["per-worker-adjacent"] = [](const arguments& a) { return per_worker(a, false); };
    table.checks["per-worker-padded"] = [](const arguments& a) { return per_worker(a, true); };
    table.timed["lock-per-element"] = [](const arguments& a) { return timed(a, 2); };
    table.timed["lock-per-chunk"] = [](const arguments& a) { return timed(a, 3); };
    table.timed["serial"] = [](const arguments& a) { return timed(a, 0); };
    return parlab::probe::run(argc, argv, table);
}
