#pragma once
// The grader's knowledge of each lab's probe: how to call it and how to judge its answer
// against the grader's own reference (grader/reference/).

#include <map>
#include <string>

#include "checks.hpp"

namespace parlab::grader {

/// Adds every lab's verifiers, under "lab-name/probe-name".
void register_lab_verifiers(std::map<std::string, probe_verifier>& probes, std::map<std::string, timing_verifier>& timing);

}  // namespace parlab::grader
