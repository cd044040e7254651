#pragma once
// Lab 08's probe answers, written by the probe (probe.cpp) and read by the verifier
// (verify.cpp). The numbers themselves travel as raw files of doubles in the run folder
// (inputs.hpp names them); the answer says how each run of the ranks ended.

#include <string>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab08 {

/// One run of the student's code on `ranks` ranks: empty `error` when every rank ended well;
/// else what went wrong (stopped at the time limit, and where each rank was waiting; a rank that
/// failed, with what it printed).
struct ranks_run {
    int ranks = 0;
    std::string error;
};
PARLAB_JSON_FIELDS(ranks_run, ranks, error)

/// Every run of one check, from 1 rank up; a run that failed ends the list.
struct runs_answer {
    std::vector<ranks_run> runs;
};
PARLAB_JSON_FIELDS(runs_answer, runs)

}  // namespace parlab::grader::lab08
