#pragma once
// Lab 06's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction. High-passed
// images travel as raw files of floats (native byte order, row after row) in the run folder.

#include <cstddef>
#include <string>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab06 {

/// highpass-map: the raw file each task wrote (one per image case, in task order), what map
/// returned (each task's process id), and the caller's process id.
struct highpass_answer {
    std::vector<std::string> files;
    std::vector<double> values;
    long caller_pid = 0;
};
PARLAB_JSON_FIELDS(highpass_answer, files, values, caller_pid)

/// map-order and chunks: what map returned; chunks adds each task's process id (a second map).
struct values_answer {
    std::vector<double> values;
    std::vector<double> pids;
    long caller_pid = 0;
};
PARLAB_JSON_FIELDS(values_answer, values, pids, caller_pid)

/// One task_outcome as on_result saw it.
struct outcome_record {
    std::size_t task = 0;
    bool ok = false;
    double value = 0;
    std::string error;
};
PARLAB_JSON_FIELDS(outcome_record, task, ok, value, error)

/// task-failure: map_unordered's outcomes in the order reported, then what map threw; then a
/// pool whose worker was killed while idle, given work again: how that ended ("returned",
/// "threw: ...", "crashed: killed by signal SIGPIPE ...", "timed out").
struct failure_answer {
    std::vector<outcome_record> outcomes;
    bool map_threw = false;
    std::size_t map_task = 0;
    std::string map_message;
    std::string idle_death;
};
PARLAB_JSON_FIELDS(failure_answer, outcomes, map_threw, map_task, map_message, idle_death)

/// completion-order: the outcomes of the uneven tasks and of the slow-first batch, as reported.
struct completion_answer {
    std::vector<outcome_record> uneven;
    std::vector<outcome_record> slow_first;
};
PARLAB_JSON_FIELDS(completion_answer, uneven, slow_first)

/// amdahl-fit: fit_serial_fraction on the seeded points, and whether it refused a set of points
/// with one worker only.
struct amdahl_answer {
    double fraction = 0;
    bool refused_one_worker = false;
};
PARLAB_JSON_FIELDS(amdahl_answer, fraction, refused_one_worker)

}  // namespace parlab::grader::lab06
