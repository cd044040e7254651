// The grader's verifiers for lab 07. Every verdict rests on data the grader makes itself from
// the seed: the bytes a message must have, its numbers, their sum (in storage order, so a right
// answer is exact), the payload of every item of the pipeline, and the number of workers the
// limit lets in. What the probe recorded is compared with that; a run the probe's time limit cut
// off is explained from what the probe's own make and take functions counted.

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"
#include "reference.hpp"

namespace parlab::grader {
namespace lab07_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

namespace ref = lab07_reference;
using lab07::array_case;

std::string describe(const array_case& c) { return fmt::format("{} x {} ({})", c.rows, c.cols, c.about); }

// The bytes of a file the probe wrote, read only when it has the expected size.
std::string check_file(const std::string& file, const std::vector<char>& expected, const verify_context& context) {
    if (file.empty() || file.find('/') != std::string::npos || file.front() == '.')
        return fmt::format("the probe's answer names no proper file ('{}')", file);
    std::error_code error;
    const auto bytes = std::filesystem::file_size(context.run_dir / file, error);
    if (error) return "the probe wrote no result file";
    if (bytes != expected.size())
        return fmt::format("{} bytes arrived, the message has {}", bytes, expected.size());
    return ref::first_difference(expected, lab07::read_file(context.run_dir / file));
}

std::string failed_call(const lab07::call_end& end, const std::string& call) {
    if (end.ok) return {};
    return fmt::format("{} threw: {}", call, end.error);
}

// A tally of the parts of a check: how many were right, and the first wrong one described.
// A gate is a part that an untouched skeleton already gets right (an empty array, no items, a
// given function): it earns nothing when right and counts against the check when wrong, so the
// points come only from the student's work.
struct tally {
    std::size_t right = 0;
    std::size_t total = 0;
    std::string first;
    void add(const std::string& problem, const std::string& where) {
        ++total;
        if (problem.empty()) ++right;
        else note(problem, where);
    }
    void gate(const std::string& problem, const std::string& where) {
        if (problem.empty()) return;
        ++total;
        note(problem, where);
    }
    void note(const std::string& problem, const std::string& where) {
        if (first.empty()) first = where.empty() ? problem : where + ": " + problem;
    }
    [[nodiscard]] probe_verdict verdict(const std::string& all_right) const {
        if (right == total) return passed(all_right);
        return failed(fmt::format("{} of {} right; {}", right, total, first),
                      total == 0 ? 0.0 : static_cast<double>(right) / static_cast<double>(total));
    }
};

// The verdict on a check that runs each case once: the probe must answer one run per case, and
// `judge(case, run, tally)` adds each run's parts to the tally.
template <class Case, class Run, class Judge>
probe_verdict verdict_of_runs(const std::vector<Case>& cases, const std::vector<Run>& runs, const Judge& judge,
                              const std::string& all_right) {
    if (runs.size() != cases.size())
        return failed(fmt::format("the probe answered {} runs, expected {}", runs.size(), cases.size()));
    tally t;
    for (std::size_t i = 0; i < cases.size(); ++i) judge(cases[i], runs[i], t);
    return t.verdict(all_right);
}

std::string check_sum(const lab07::call_end& end, double got, long forks, const std::vector<double>& values,
                      const std::string& call) {
    if (std::string problem = failed_call(end, call); !problem.empty()) return problem;
    const double expected = ref::sum(values.data(), values.size());
    if (!ref::same(got, expected))
        return fmt::format("{} returned {:.17g}, the sum of the array is {:.17g}", call, got, expected);
    if (forks < 1) return fmt::format("{} forked no child: the array must come from a child process", call);
    return {};
}

probe_verdict message_verdict(const check_spec&, const lab07::message_answer& answer, const verify_context& context) {
    const auto cases = lab07::array_cases(context.seed);
    if (answer.arrays.size() != cases.size() || answer.cut_short.size() != 4)
        return failed(fmt::format("the probe answered {} arrays and {} cut-short streams, expected {} and 4",
                                  answer.arrays.size(), answer.cut_short.size(), cases.size()));
    tally t;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::vector<double> values = lab07::case_values(cases[i]);
        const lab07::message_result& r = answer.arrays[i];
        const std::vector<char> message = ref::message(values, cases[i].rows, cases[i].cols);
        // The probe interrupts the writer while the pipe is full: a message that fits in the pipe
        // goes in one write() even from the skeleton's write_all (a gate), a bigger one needs the
        // loop. The arrays a skeleton's single read() gets right are gates too.
        const bool skeleton_right = cases[i].rows * cases[i].cols <= 1;
        const bool fits_in_pipe = 16 + cases[i].rows * cases[i].cols * sizeof(double) <= 65536;
        std::string sent = failed_call(r.sent, "send_array");
        if (sent.empty()) sent = check_file(r.sent_file, message, context);
        const std::string sent_where = "send_array to a reader that interrupts it with signals, " + describe(cases[i]);
        (fits_in_pipe ? t.gate(sent, sent_where) : t.add(sent, sent_where));
        std::string received = failed_call(r.received, "receive_array");
        if (received.empty() && (r.rows != cases[i].rows || r.cols != cases[i].cols))
            received = fmt::format("it returned a {} x {} array", r.rows, r.cols);
        if (received.empty()) {
            std::vector<char> numbers(message.begin() + 16, message.end());
            received = check_file(r.received_file, numbers, context);
        }
        const std::string where = "receive_array from a writer that sends the message in pieces and interrupts the "
                                  "reader with signals, " + describe(cases[i]);
        (skeleton_right ? t.gate(received, where) : t.add(received, where));
        // sum_through_pipe is given and its writer is not interrupted: a message that fits in the
        // pipe's buffer arrives whole even to one read()
        const std::string summed = check_sum(r.summed, r.sum, r.forks, values, "sum_through_pipe");
        (fits_in_pipe ? t.gate(summed, describe(cases[i])) : t.add(summed, describe(cases[i])));
    }
    for (const lab07::call_end& cut : answer.cut_short) t.add(cut.error, "");
    return t.verdict("every message went through whole, from pieces and through signals, and every cut-short stream "
                     "was refused");
}

// What the probe saw of the reused slot added to `problem`: whether the child wrote the header
// into the slot, posted ready once, and the parent took that post.
std::string with_ready_checked(std::string problem, const lab07::sum_result& r) {
    if (!r.summed.ok) return problem;
    if (!problem.empty())
        return problem + (r.header_written ? " (the header was in the slot, so the parent summed before the child "
                                             "had written every number: post ready only after the last one)"
                                           : " (the slot's header was never written: did the child write into private "
                                             "memory?)");
    if (r.ready_posts == 0)
        return "the child never posted slot.ready(): the parent must wait on it, not on the child's end (the two could "
               "be programs that keep running)";
    if (r.ready_posts > 1) return fmt::format("slot.ready() was posted {} times for one array, not once", r.ready_posts);
    if (r.ready_left > 0) return "slot.ready() was left posted: the parent never took the child's post with a wait";
    return {};
}

probe_verdict shared_sum_verdict(const check_spec&, const lab07::sum_answer& answer, const verify_context& context) {
    const auto cases = lab07::array_cases(context.seed);
    if (answer.sums.size() != 2 * cases.size())
        return failed(fmt::format("the probe answered {} sums, expected {}", answer.sums.size(), 2 * cases.size()));
    tally t;
    for (std::size_t i = 0; i < answer.sums.size(); ++i) {
        const array_case& c = cases[i / 2];
        const auto& r = answer.sums[i];
        const bool reused = i % 2 == 1;
        std::string problem = check_sum(r.summed, r.sum, r.forks, lab07::case_values(c), "sum_through_shared_memory");
        if (reused) problem = with_ready_checked(std::move(problem), r);
        else if (!problem.empty() && r.summed.ok && r.sum == 0.0 && c.rows > 0 && c.cols > 0)
            problem += " (the parent summed zeros: did the child write into private memory?)";
        const std::string where = describe(c) + (reused ? ", a slot every case reuses" : ", a new slot");
        if (c.rows * c.cols == 0) t.gate(problem, where);  // a slot's zeros sum to its right answer
        else t.add(problem, where);
    }
    // the skeleton joins its child before it sums, so it reports a dead child too
    t.gate(answer.dead_child.error, "a child that died before posting ready");
    return t.verdict("every sum through shared memory is exact, each array written by a forked child, in a new slot "
                     "and in a reused one, and a child that died before its post reported");
}

// Each consumer's items, from the raw files the probe wrote (sizes checked before reading).
std::vector<std::vector<ref::item>> read_taken(const lab07::pipeline_result& r, std::size_t total,
                                               const verify_context& context, std::string& problem) {
    std::vector<std::vector<ref::item>> taken;
    for (const std::string& file : r.taken_files) {
        std::error_code error;
        const auto bytes = std::filesystem::file_size(context.run_dir / file, error);
        if (file.empty() || file.find('/') != std::string::npos || file.front() == '.' || error ||
            bytes % sizeof(lab07::taken_item) != 0 || bytes > (total + 1) * sizeof(lab07::taken_item)) {
            problem = "the probe's record of what a consumer took is missing or malformed";
            return {};
        }
        const std::vector<char> raw = lab07::read_file(context.run_dir / file);
        taken.emplace_back();
        for (std::size_t at = 0; at + sizeof(lab07::taken_item) <= raw.size(); at += sizeof(lab07::taken_item)) {
            lab07::taken_item it;
            std::memcpy(&it, raw.data() + at, sizeof it);
            taken.back().push_back({it.producer, it.sequence, it.value});
        }
    }
    return taken;
}

// Which side was left waiting when a pipeline run was cut off, from the probe's own counts.
std::string who_waited(const lab07::pipeline_result& r, const std::vector<std::vector<ref::item>>& items, std::size_t total) {
    const std::size_t made = std::accumulate(r.made.begin(), r.made.end(), std::size_t{0});
    // A producer pushes what make() gave it before it makes the next: all but each producer's
    // latest item are surely in the buffer (the latest may be waiting for its push).
    std::size_t pushed = 0;
    for (const std::size_t m : r.made) pushed += m > 0 ? m - 1 : 0;
    std::size_t taken = 0;
    for (const auto& one : items) taken += one.size();
    if (pushed > 0 && taken == 0)
        return fmt::format("consumers took nothing although at least {} item{} pushed: a missing post of "
                           "filled_slots, or a producer that waits for a free slot while it holds the lock (the "
                           "consumers then wait for the lock)?",
                           pushed, pushed == 1 ? " was" : "s were");
    if (made > 0 && taken == 0)
        return "consumers took nothing, and every producer is still pushing its first item: a producer stuck in push "
               "(waiting on the lock or a free slot), or consumers that never wait on filled_slots?";
    if (made < total && pushed > taken)
        return fmt::format("{} of {} items made, {} taken, and at least {} sat in the buffer untaken while the producers "
                           "waited for free slots: consumers waiting for the lock, which a producer holds while it "
                           "waits for a free slot (wait on free_slots before taking the lock: README question 5), or "
                           "consumers that stopped early?",
                           made, total, taken, pushed - taken);
    if (made < total)
        return fmt::format("producers still waiting on free slots ({} of {} items made, {} taken): a consumer that "
                           "stopped early, or a missing post of free_slots?", made, total, taken);
    if (taken < total)
        return fmt::format("every item was made but only {} of {} taken: consumers still waiting on filled slots (a "
                           "missing post?), or consumers that stopped early while the caller waits to push its "
                           "end-of-stream markers", taken, total);
    return "every item was taken, but run_pipeline did not return: a consumer that never gets its end-of-stream marker, "
           "or the caller waiting to push one?";
}

std::string check_pipeline(const lab07::pipeline_case& c, const lab07::pipeline_result& r, std::uint64_t seed,
                           const verify_context& context) {
    const std::size_t total = c.producers * c.items_per_producer;
    if (r.end == "skipped") return "not run: an earlier run timed out";
    if (r.made.size() != c.producers || r.producer_pids.size() != c.producers || r.taken_files.size() != c.consumers ||
        r.consumer_pids.size() != c.consumers)
        return "the probe's record has the wrong size";
    std::string unreadable;
    const std::vector<std::vector<ref::item>> taken = read_taken(r, total, context, unreadable);
    if (!unreadable.empty()) return unreadable;
    if (r.end == "timed_out") return "timed out: " + who_waited(r, taken, total);
    if (r.end != "returned") return fmt::format("run_pipeline {}: {}", r.end == "threw" ? "threw" : "crashed", r.message);
    const std::string problem = ref::judge_taken(taken, c.producers, c.items_per_producer,
                                                 [seed](std::size_t p, std::size_t k) { return lab07::item_value(seed, p, k); });
    if (!problem.empty() && problem.find("never taken") != std::string::npos)
        return problem + ": did run_pipeline return before every consumer had finished? Join the consumers before "
                         "returning (a process object that goes out of scope unjoined kills its child)";
    if (!problem.empty()) return problem;
    if (r.caller_pid == 0) return "the probe did not record the caller";
    std::set<long> producer_processes;
    for (std::size_t p = 0; p < c.producers && total > 0; ++p) {
        if (r.producer_pids[p] == 0 || r.producer_pids[p] == r.caller_pid)
            return fmt::format("producer {} made its items in the caller's process: producers are forked processes", p);
        producer_processes.insert(r.producer_pids[p]);
    }
    if (total > 0 && producer_processes.size() != c.producers) return "two producers ran in one process";
    std::set<long> consumer_processes;
    for (std::size_t k = 0; k < c.consumers; ++k) {
        const long pid = r.consumer_pids[k];
        if (pid == 0) continue;  // took nothing (the others were quicker)
        if (pid == r.caller_pid)
            return fmt::format("consumer {} took its items in the caller's process: consumers are forked processes", k);
        if (producer_processes.count(pid) != 0)
            return fmt::format("consumer {} took its items in a producer's process: items must go through the buffer "
                               "to consumer processes of their own", k);
        if (!consumer_processes.insert(pid).second) return "two consumers ran in one process";
    }
    if (r.consumer_moved) return "one consumer's items were taken in two processes";
    return {};
}

probe_verdict pipeline_verdict(const check_spec&, const lab07::pipeline_answer& answer, const verify_context& context) {
    const auto judge = [&](const lab07::pipeline_case& c, const lab07::pipeline_result& r, tally& t) {
        const std::string problem = check_pipeline(c, r, context.seed, context);
        const std::string where = fmt::format("{} producer{}, {} consumer{}, capacity {}, {} items each{}", c.producers,
                                              c.producers == 1 ? "" : "s", c.consumers, c.consumers == 1 ? "" : "s",
                                              c.capacity, c.items_per_producer,
                                              c.take_microseconds > 0
                                                  ? fmt::format(", consumers taking {} ms per item and {} ms over the last",
                                                                c.take_microseconds / 1000.0, c.last_take_milliseconds)
                                                  : "");
        // no items at all: nothing to hand over, the skeleton's serial loop gets it right
        if (c.items_per_producer == 0) t.gate(problem, where);
        else t.add(problem, where);
    };
    return verdict_of_runs(lab07::pipeline_cases(context.seed), answer.runs, judge,
                           "every item was taken exactly once with its payload, each producer's in order, and every run "
                           "stopped cleanly");
}

std::string check_limit(const lab07::limit_case& c, const lab07::limit_result& r) {
    if (r.end == "timed_out") return "timed out: workers still waiting on the semaphore (a unit never given back?)";
    if (r.end != "returned") return fmt::format("run_limited {}: {}", r.end, r.message);
    if (r.ran.size() != c.workers || r.pids.size() != c.workers) return "the probe's record has the wrong size";
    for (std::size_t w = 0; w < c.workers; ++w) {
        if (r.ran[w] != 1) return fmt::format("worker {}'s step ran {} times, expected once", w, r.ran[w]);
        if (r.pids[w] == r.caller_pid) return fmt::format("worker {}'s step ran in the caller: workers are forked processes", w);
    }
    const int expected = static_cast<int>(std::min(c.workers, c.limit));
    if (r.most_inside > expected)
        return fmt::format("{} workers were inside at once, the limit is {}: is the semaphore in shared memory, and "
                           "initialised to the limit?", r.most_inside, c.limit);
    if (r.most_inside < expected)
        return fmt::format("at most {} worker{} inside at once, but {} may be: {}", r.most_inside,
                           r.most_inside == 1 ? " was" : "s were", expected,
                           r.most_inside == 1 ? "a lock lets in one, a semaphore of K lets in K" : "the limit wastes slots");
    return {};
}

probe_verdict limit_verdict(const check_spec&, const lab07::limit_answer& answer, const verify_context& context) {
    const auto judge = [](const lab07::limit_case& c, const lab07::limit_result& r, tally& t) {
        t.add(check_limit(c, r), fmt::format("{} workers, limit {}", c.workers, c.limit));
    };
    return verdict_of_runs(lab07::limit_cases(context.seed), answer.runs, judge,
                           "exactly min(K, N) workers were inside at once, never more, and every worker ran once");
}

// Timed transfers answer the sum of the seed's 500 x 9111 array with the nonce's changes.
timing_verifier timed_sum() {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>&, std::uint64_t seed, std::uint64_t nonce) {
        static std::mutex guard;
        static std::uint64_t made_for = 0;
        static std::vector<double> base, values;
        const std::lock_guard<std::mutex> hold(guard);
        if (base.empty() || made_for != seed) {
            base = lab07::timing_base(seed);
            values = base;
            made_for = seed;
        }
        const std::vector<std::size_t> places = lab07::apply_nonce(values, seed, nonce);
        const double sum = ref::sum(values.data(), values.size());
        for (const std::size_t at : places) values[at] = base[at];
        return digest_double(sum);
    };
    return v;
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    lab.timing["pipe-sum"] = timed_sum();
    lab.timing["shared-sum"] = timed_sum();
    lab.probes["pipe-message"] = typed_verifier<lab07::message_answer>(message_verdict);
    lab.probes["shared-sum"] = typed_verifier<lab07::sum_answer>(shared_sum_verdict);
    lab.probes["bounded-buffer"] = typed_verifier<lab07::pipeline_answer>(pipeline_verdict);
    lab.probes["at-most-k"] = typed_verifier<lab07::limit_answer>(limit_verdict);
}

}  // namespace lab07_checks
}  // namespace parlab::grader
