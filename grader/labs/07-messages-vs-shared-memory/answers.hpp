#pragma once
// Lab 07's probe answers: one struct per probe check, written by the probe (probe.cpp) and read
// by the verifier (verify.cpp), so the two agree on every field by construction. Large data
// (the bytes send_array wrote, the arrays receive_array returned) travel as raw files in the run
// folder; the verifier checks their sizes before it reads them.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "typed_json.hpp"

namespace parlab::grader::lab07 {

/// How one call of the student's code ended, as the probe saw it: "" when it returned, else the
/// exception's message (or what the probe's time limit saw).
struct call_end {
    bool ok = false;
    std::string error;
};
PARLAB_JSON_FIELDS(call_end, ok, error)

/// pipe-message, one per array case.
struct message_result {
    call_end sent;            ///< send_array into the probe's pipe
    std::string sent_file;    ///< every byte send_array wrote, as the probe read them
    call_end received;        ///< receive_array from the probe's slow, interrupting writer
    std::size_t rows = 0;     ///< the shape receive_array returned
    std::size_t cols = 0;
    std::string received_file;  ///< the numbers it returned
    call_end summed;          ///< sum_through_pipe
    double sum = 0;
    long forks = 0;           ///< processes forked during sum_through_pipe (counted by the probe)
};
PARLAB_JSON_FIELDS(message_result, sent, sent_file, received, rows, cols, received_file, summed, sum, forks)

/// pipe-message: the arrays, then receive_array on streams cut short (each must throw
/// message_error) and one whose header announces too many numbers.
struct message_answer {
    std::vector<message_result> arrays;
    std::vector<call_end> cut_short;  ///< ok == true: message_error was thrown, as it must be
};
PARLAB_JSON_FIELDS(message_answer, arrays, cut_short)

/// shared-sum, one per array case and slot. Through the reused slot the probe also notes how
/// often the call posted its ready semaphore, the count it was left with, and whether the slot's
/// header (zeroed before the call) held the array's shape afterwards; -1 and false otherwise.
struct sum_result {
    call_end summed;
    double sum = 0;
    long forks = 0;
    long ready_posts = -1;
    long ready_left = -1;
    bool header_written = false;
};
PARLAB_JSON_FIELDS(sum_result, summed, sum, forks, ready_posts, ready_left, header_written)

struct sum_answer {
    std::vector<sum_result> sums;
    call_end dead_child;  ///< ok == true: a child that died before its post gave process_error
};
PARLAB_JSON_FIELDS(sum_answer, sums, dead_child)

/// One item a consumer took, as the probe's take function recorded it; each consumer's items go
/// to a raw file of these, in the order taken (the answer itself must stay small).
struct taken_item {
    std::uint32_t producer = 0;
    std::uint32_t sequence = 0;
    std::uint64_t value = 0;
};
static_assert(sizeof(taken_item) == 16);

/// bounded-buffer, one per pipeline case.
struct pipeline_result {
    std::string end;  ///< returned, threw, timed_out or crashed
    std::string message;
    long caller_pid = 0;
    std::vector<long> producer_pids;                ///< where each producer's make() ran (0: never)
    std::vector<std::size_t> made;                  ///< how many items each producer made
    std::vector<long> consumer_pids;                ///< where each consumer's take() ran (0: never)
    std::vector<std::string> taken_files;           ///< each consumer's items (taken_item), in the order taken
    bool consumer_moved = false;                    ///< a consumer's take() ran in two processes
};
PARLAB_JSON_FIELDS(pipeline_result, end, message, caller_pid, producer_pids, made, consumer_pids, taken_files,
                                   consumer_moved)

struct pipeline_answer {
    std::vector<pipeline_result> runs;
};
PARLAB_JSON_FIELDS(pipeline_answer, runs)

/// at-most-k, one per limit case, from the probe's own meter.
struct limit_result {
    std::string end;
    std::string message;
    int most_inside = 0;
    std::vector<int> ran;     ///< how often each worker's step ran
    std::vector<long> pids;   ///< where each worker's step ran
    long caller_pid = 0;
};
PARLAB_JSON_FIELDS(limit_result, end, message, most_inside, ran, pids, caller_pid)

struct limit_answer {
    std::vector<limit_result> runs;
};
PARLAB_JSON_FIELDS(limit_answer, runs)

/// Writes bytes to a raw file; throws std::runtime_error when it cannot.
inline void write_file(const std::string& file, const void* data, std::size_t bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (bytes > 0) out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    if (!out) throw std::runtime_error("cannot write " + file);
}

/// The bytes of a raw file; throws std::runtime_error when it cannot read them.
inline std::vector<char> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.filename().string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace parlab::grader::lab07
