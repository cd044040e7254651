#pragma once
// The student's daily loop: `./parlab list` and `./parlab hint`.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace parlab::grader {

/// One step of a task's hints. A heading "### Hint K (if it hangs)" marks the hint that explains
/// the task's usual deadlock: a check whose run sat blocked points at it.
struct hint {
    std::string text;
    bool on_hangs = false;
};

/// The hints of a hints.md: "## Task N" sections holding "### Hint K" steps, in order.
[[nodiscard]] std::map<int, std::vector<hint>> parse_hints(const std::string& markdown);

/// For each task with a hint on hangs, its number (1-based).
[[nodiscard]] std::map<int, int> hang_hints(const std::map<int, std::vector<hint>>& hints);

/// Every lab with its tasks and, when `last_grade` (a report) is given, which tasks pass: a task
/// passes when all its checks passed (or were skipped).
[[nodiscard]] std::string list_labs(const std::vector<lab_info>& labs, const std::optional<grade_report>& last_grade,
                                    bool colour);

/// The outcome of asking for a hint.
struct hint_answer {
    int task = 0;
    int number = 0;   ///< 1-based number of the hint shown
    int count = 0;    ///< hints the task has
    std::string text; ///< the hint, or a message when there is none
};

/// Shows the next hint of `task` (the first task not passing in `last_grade` when task is 0),
/// and records in `state` (a JSON object kept between calls) that it was shown.
/// Throws std::invalid_argument for a task the lab does not have.
[[nodiscard]] hint_answer next_hint(const lab_info& lab, const std::map<int, std::vector<hint>>& hints, int task,
                                    const std::optional<grade_report>& last_grade, nlohmann::json& state);

/// What one run of a lab's Catch2 tests (one task's tag) said, for `./parlab watch`.
struct test_run {
    int cases = 0;          ///< test cases run
    int failed_cases = 0;
    int failed_assertions = 0;
    bool summary_seen = false;  ///< false when the run ended before Catch2's closing summary (a crash)
    std::string shown;      ///< the output worth reading, without Catch2's banner, cut to the first failures
};

/// Reads the console output of a Catch2 run; `shown` keeps the first `max_failures` failed
/// assertions (all of them when 0) and says how many more there were.
[[nodiscard]] test_run read_test_output(const std::string& output, int max_failures);

}  // namespace parlab::grader
