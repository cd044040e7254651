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

/// The hints of a hints.md: "## Task N" sections holding "### Hint K" steps, in order.
[[nodiscard]] std::map<int, std::vector<std::string>> parse_hints(const std::string& markdown);

/// Every lab with its tasks and, when `last_grade` (a JSON report) is given, which tasks pass:
/// a task passes when all its checks passed (or were skipped).
[[nodiscard]] std::string list_labs(const std::vector<lab_info>& labs, const std::optional<nlohmann::json>& last_grade,
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
[[nodiscard]] hint_answer next_hint(const lab_info& lab, const std::map<int, std::vector<std::string>>& hints, int task,
                                    const std::optional<nlohmann::json>& last_grade, nlohmann::json& state);

}  // namespace parlab::grader
