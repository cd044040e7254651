// The grader's verifiers for lab 03: the copies compared byte for byte with the seeded images,
// each worker's rows against the reference, and the student's timings against what the grader
// measured.

#include <fmt/format.h>

#include <cmath>

#include "answers.hpp"
#include "lab_api.hpp"
#include "reference.hpp"
#include "seeded.hpp"

namespace parlab::grader {
namespace lab03_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

probe_verdict copies(const lab03::copies_answer& answer, const verify_context& context, const std::string& kind) {
    std::vector<std::string> files;
    for (const auto& c : answer.cases) files.push_back(c.file);
    std::vector<image> expected;
    for (auto& c : seeded_image_cases(context.seed)) expected.push_back(std::move(c.picture));
    return compare_images(files, expected, context, "shared-image-copy-" + kind,
                          kind == "processes" ? "the parent sees a blank image: the workers wrote into private "
                                                "memory, which fork() copied (task 1: allocate the output in shared memory)"
                                              : "nothing was copied");
}

// "0, 2, 4, ... (50 rows)": the first rows of a list, enough to see the pattern.
std::string row_list(const std::vector<int>& rows) {
    if (rows.empty()) return "none";
    std::string text;
    for (std::size_t i = 0; i < rows.size() && i < 5; ++i) text += (i > 0 ? ", " : "") + std::to_string(rows[i]);
    if (rows.size() > 5) text += fmt::format(", ... ({} rows)", rows.size());
    return text;
}

probe_verdict rows(const check_spec&, const lab03::rows_answer& answer, const verify_context&) {
    for (const auto& c : answer.cases) {
        const bool interleaved = c.split == "interleaved";
        for (int w = 0; w < c.workers; ++w) {
            const auto expected = reference::rows_of_worker(c.height, c.workers, w, interleaved);
            const auto& got = c.rows.at(static_cast<std::size_t>(w));
            if (got != expected)
                return failed(fmt::format("{} split of {} rows over {} workers: worker {} got rows {}; expected {}", c.split,
                                          c.height, c.workers, w, row_list(got), row_list(expected)));
        }
    }
    return passed("every worker gets the right rows, for blocks and interleaved");
}

probe_verdict time_copies(const check_spec&, const lab03::time_copies_answer& answer, const verify_context& context) {
    if (!answer.refuses_zero_workers || !answer.refuses_zero_repetitions)
        return failed("time_copies must throw std::invalid_argument for 0 workers or 0 repetitions");
    // What a copy of these bytes can cost at the very least on any machine (100 GB/s).
    const double floor = static_cast<double>(answer.bytes) / 100e9;
    double medians = 0;
    for (const auto& c : answer.cases)
        for (const auto& [kind, t] : {std::pair<const char*, double>{"memcpy", c.memcpy},
                                      {"processes", c.processes},
                                      {"threads", c.threads}}) {
            if (!std::isfinite(t) || t < floor)
                return failed(fmt::format("the {} time of the {} split is {:.3g} s: no copy of {} bytes is that fast; "
                                          "time the copy itself, with a steady clock",
                                          kind, c.split, t, answer.bytes));
            medians += t;
        }
    // Half the repetitions took at least the median: together they fit in the grader's clock.
    if (medians * std::ceil(static_cast<double>(answer.repetitions) / 2) > context.wall_seconds)
        return failed(fmt::format("the times add up to more than the {:.3f} s the grader measured around the "
                                  "whole run: are they in seconds, and medians of single copies?",
                                  context.wall_seconds));
    return passed("every copy timed, within what the grader measured around the run");
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    for (const std::string kind : {"processes", "threads"})
        lab.probes[kind] = typed_verifier<lab03::copies_answer>(
            [kind](const check_spec&, const lab03::copies_answer& answer, const verify_context& context) {
                return copies(answer, context, kind);
            });
    lab.probes["rows"] = typed_verifier<lab03::rows_answer>(rows);
    lab.probes["time-copies"] = typed_verifier<lab03::time_copies_answer>(time_copies);
}

}  // namespace lab03_checks
}  // namespace parlab::grader
