#pragma once
// Lab 03's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction.

#include <cstddef>
#include <string>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab03 {

/// processes, threads: one copy of each seeded image (seeded_image_cases), as a raw file in the
/// run folder; the split alternates blocks, interleaved.
struct copy_case {
    std::string file;
    std::size_t workers = 0;
    std::string split;   ///< "blocks" | "interleaved"
    bool shared = false; ///< the output is in shared memory
};
PARLAB_JSON_FIELDS(copy_case, file, workers, split, shared)

struct copies_answer {
    std::vector<copy_case> cases;
};
PARLAB_JSON_FIELDS(copies_answer, cases)

/// rows: the rows each worker gets for one height, worker count and split.
struct rows_case {
    int height = 0;
    int workers = 0;
    std::string split;
    std::vector<std::vector<int>> rows;  ///< by worker
};
PARLAB_JSON_FIELDS(rows_case, height, workers, split, rows)

struct rows_answer {
    std::vector<rows_case> cases;
};
PARLAB_JSON_FIELDS(rows_answer, cases)

/// time-copies: the student's median times (seconds) of one split.
struct time_case {
    std::string split;
    double memcpy = 0;
    double processes = 0;
    double threads = 0;
};
PARLAB_JSON_FIELDS(time_case, split, memcpy, processes, threads)

struct time_copies_answer {
    std::size_t bytes = 0;        ///< of the image timed
    std::size_t repetitions = 0;  ///< of each copy
    std::vector<time_case> cases;
    bool refuses_zero_workers = false;
    bool refuses_zero_repetitions = false;
};
PARLAB_JSON_FIELDS(time_copies_answer, bytes, repetitions, cases, refuses_zero_workers,
                                   refuses_zero_repetitions)

}  // namespace parlab::grader::lab03
