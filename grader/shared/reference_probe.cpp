// The grader's own side of timing checks: the baselines a student's code is timed against, in a
// program that links no student code (so nothing the student writes can slow it down). It speaks
// the probe protocol of probe.hpp, in "time" mode only. Each lab's baselines are in its grading
// folder (grader/labs/NN-name/baseline.cpp, named "lab-name/probe"); CMake generates
// add_all_baselines, which adds them all.

#include "probe.hpp"

namespace parlab::grader {
void add_all_baselines(parlab::probe::probe_table& table);
}  // namespace parlab::grader

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    parlab::grader::add_all_baselines(table);
    return parlab::probe::run(argc, argv, table);
}
