#pragma once
// Lab 05's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction. Arrays travel
// as raw files of doubles (native byte order, row after row) in the run folder.

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab05 {

/// One array the student's code returned: the raw file holding it and the shape it had; for the
/// row splits, the process id that last ran the probe's kernel on each input row (0: never run)
/// and how many times the kernel ran on it.
struct result_file {
    std::string file;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<long> row_pids;
    std::vector<long> row_calls;
};
PARLAB_JSON_FIELDS(result_file, file, rows, cols, row_pids, row_calls)

/// split-rows: one result per case (split-rows: per case and output mode, in order), the
/// process id of the caller (the probe), and whether all the workers of one split were running
/// at once (the first row of each block waited for every worker to start, meeting_seconds at most).
struct results_answer {
    std::vector<result_file> results;
    long caller_pid = 0;
    bool workers_met = false;
    bool met_in_caller = false;  ///< the meeting's kernel ran in the caller's process (not met)
};
PARLAB_JSON_FIELDS(results_answer, results, caller_pid, workers_met, met_in_caller)

/// How long a probe kernel waits for another worker before it gives up (at once when it runs in
/// the caller's process: no worker can start while the caller computes a row itself).
inline constexpr double meeting_seconds = 10;

/// halo: smooth_split_columns on each halo case with the number of fork() calls it made, and
/// smooth_column_block on each block case (inputs.hpp).
struct halo_answer {
    std::vector<result_file> splits;
    std::vector<long> forks;
    std::vector<result_file> blocks;
};
PARLAB_JSON_FIELDS(halo_answer, splits, forks, blocks)

/// What the caller of a split saw when a worker's kernel threw.
struct failure_report {
    bool thrown = false;   ///< an exception reached the caller
    std::string message;   ///< its what()
};
PARLAB_JSON_FIELDS(failure_report, thrown, message)

/// worker-failure: one report per failure case (inputs.hpp, failure_cases), and whether, when
/// worker 0 failed at once, worker 1 was still allowed to finish its slower rows.
struct failures_answer {
    std::vector<failure_report> failures;
    bool others_finished = false;
};
PARLAB_JSON_FIELDS(failures_answer, failures, others_finished)

/// pipe-gather: one result per case (split_cases then big_pipe_case, unless that one did not
/// return within meeting_seconds: big_case_hung), the first failure case run through
/// split_rows_pipe, and whether the caller read worker 1's pipe while worker 0 was still running
/// (worker 0 waited, meeting_seconds at most, for worker 1 to get past a row longer than a pipe
/// holds; false too when that run did not end within twice meeting_seconds).
struct pipe_answer {
    std::vector<result_file> results;
    long caller_pid = 0;
    failure_report failure;
    bool read_while_running = false;
    bool read_in_caller = false;  ///< that run's kernel ran in the caller's process
    bool big_case_hung = false;
};
PARLAB_JSON_FIELDS(pipe_answer, results, caller_pid, failure, read_while_running, read_in_caller, big_case_hung)

/// Writes n doubles to a raw file; throws std::runtime_error when it cannot.
inline void write_doubles(const std::string& file, const double* data, std::size_t n) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (n > 0) out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n * sizeof(double)));
    if (!out) throw std::runtime_error("cannot write " + file);
}

/// Reads a raw file of doubles; throws std::runtime_error when it cannot or its size is not a
/// whole number of doubles.
inline std::vector<double> read_doubles(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw std::runtime_error("cannot read " + path.filename().string());
    const auto bytes = static_cast<std::size_t>(in.tellg());
    if (bytes % sizeof(double) != 0) throw std::runtime_error(path.filename().string() + " is not a file of doubles");
    std::vector<double> values(bytes / sizeof(double));
    in.seekg(0);
    if (bytes > 0) in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(bytes));
    if (!in) throw std::runtime_error("cannot read " + path.filename().string());
    return values;
}

}  // namespace parlab::grader::lab05
