#pragma once
// Lab 02's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab02 {

/// lock-per-element, lock-per-chunk: the dot product and how often the lock was taken.
struct locked_answer {
    double value = 0;
    std::uint64_t acquisitions = 0;
    std::uint64_t contended = 0;
};
PARLAB_JSON_FIELDS(locked_answer, value, acquisitions, contended)

/// atomic-per-chunk: the dot product.
struct atomic_answer {
    double value = 0;
};
PARLAB_JSON_FIELDS(atomic_answer, value)

/// per-worker-adjacent, per-worker-padded: the dot product and the address of each worker's slot.
struct per_worker_answer {
    double value = 0;
    std::vector<std::uintptr_t> slots;
};
PARLAB_JSON_FIELDS(per_worker_answer, value, slots)

/// per-worker-sweep: one case per input size, worker count and slot layout.
struct sweep_case {
    std::size_t n = 0;
    std::size_t workers = 0;
    bool padded = false;
    double value = 0;
    std::vector<std::uintptr_t> slots;
};
PARLAB_JSON_FIELDS(sweep_case, n, workers, padded, value, slots)

struct sweep_answer {
    std::vector<sweep_case> cases;
};
PARLAB_JSON_FIELDS(sweep_answer, cases)

}  // namespace parlab::grader::lab02
