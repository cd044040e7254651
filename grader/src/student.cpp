#include "student.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace parlab::grader {
namespace {

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \n\t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \n\t") - first + 1);
}

// How a task stands after the last grade run: every check passed; none failed but some were not
// run here (a timing check on a busy machine, say); or one failed.
enum class task_mark { passes, waits, not_yet };

std::map<int, task_mark> task_marks(const lab_info& lab, const grade_report& last_grade) {
    std::map<int, task_mark> marks;
    const lab_result* graded = last_grade.lab(lab.folder);
    if (graded == nullptr) return marks;
    for (const auto& check : graded->checks) {
        const task_mark mark = check.status == check_status::passed    ? task_mark::passes
                               : check.status == check_status::skipped ? task_mark::waits
                                                                       : task_mark::not_yet;
        const auto [it, first] = marks.emplace(check.task, mark);
        if (!first) it->second = std::max(it->second, mark);  // the worst of its checks
    }
    return marks;
}

}  // namespace

std::map<int, std::vector<hint>> parse_hints(const std::string& markdown) {
    static const std::regex task_heading(R"(^##\s+Task\s+(\d+))");
    static const std::regex hint_heading(R"(^###\s+Hint\b)");
    std::map<int, std::vector<hint>> hints;
    std::istringstream lines(markdown);
    std::string line, current;
    int task = 0;
    bool in_hint = false, on_hangs = false;
    const auto flush = [&] {
        if (task > 0 && in_hint && !trim(current).empty()) hints[task].push_back({trim(current), on_hangs});
        current.clear();
    };
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, m, task_heading)) {
            flush();
            task = std::stoi(m[1]);
            in_hint = false;
        } else if (std::regex_search(line, hint_heading)) {
            flush();
            in_hint = true;
            on_hangs = line.find("(if it hangs)") != std::string::npos;
        } else if (line.rfind("## ", 0) == 0 || line.rfind("# ", 0) == 0) {
            flush();
            task = 0;
            in_hint = false;
        } else if (in_hint) {
            current += line + "\n";
        }
    }
    flush();
    return hints;
}

std::map<int, int> hang_hints(const std::map<int, std::vector<hint>>& hints) {
    std::map<int, int> numbers;
    for (const auto& [task, list] : hints)
        for (std::size_t i = 0; i < list.size(); ++i)
            if (list[i].on_hangs) {
                numbers.emplace(task, static_cast<int>(i) + 1);
                break;
            }
    return numbers;
}

std::string list_labs(const std::vector<lab_info>& labs, const std::optional<grade_report>& last_grade, bool colour) {
    const std::string green = colour ? "\x1b[32m" : "", red = colour ? "\x1b[31m" : "", dim = colour ? "\x1b[2m" : "",
                      bold = colour ? "\x1b[1m" : "", reset = colour ? "\x1b[0m" : "";
    std::string out;
    for (const auto& lab : labs) {
        out += fmt::format("{}{}{}  {} ({}{}{})\n", bold, lab.folder, reset, lab.title, dim, lab.name, reset);
        const auto marks = last_grade ? task_marks(lab, *last_grade) : std::map<int, task_mark>{};
        for (const auto& task : lab.tasks) {
            std::string mark = fmt::format("{}not graded{}", dim, reset);
            if (const auto it = marks.find(task.id); it != marks.end())
                mark = it->second == task_mark::passes ? fmt::format("{}passes{}", green, reset)
                       : it->second == task_mark::waits
                           ? fmt::format("{}not all run here (see the grade){}", dim, reset)
                           : fmt::format("{}not yet{}", red, reset);
            out += fmt::format("  task {}  {:<62} {}\n", task.id, task.title, mark);
        }
    }
    if (!last_grade) out += "\nRun ./parlab grade to see which tasks pass.\n";
    return out;
}

hint_answer next_hint(const lab_info& lab, const std::map<int, std::vector<hint>>& hints, int task,
                      const std::optional<grade_report>& last_grade, nlohmann::json& state) {
    if (task == 0) {
        const auto marks = last_grade ? task_marks(lab, *last_grade) : std::map<int, task_mark>{};
        task = lab.tasks.empty() ? 1 : lab.tasks.front().id;
        for (const auto& t : lab.tasks)
            if (const auto it = marks.find(t.id); it != marks.end() && it->second == task_mark::not_yet) {
                task = t.id;
                break;
            }
    }
    const auto found = hints.find(task);
    if (found == hints.end() || found->second.empty()) {
        std::string known;
        for (const auto& [id, list] : hints) known += (known.empty() ? "" : ", ") + std::to_string(id);
        throw std::invalid_argument(fmt::format("{} has no hints for task {} (tasks with hints: {})", lab.name, task, known));
    }
    const std::string key = fmt::format("{}/{}", lab.name, task);
    const int shown = state.value(key, 0);
    hint_answer answer;
    answer.task = task;
    answer.count = static_cast<int>(found->second.size());
    if (shown >= answer.count) {
        answer.number = answer.count;
        answer.text = fmt::format("That was the last hint for task {}. Read them all again with --all, or start over "
                                  "with --reset; the lab's README.md explains the background.",
                                  task);
        return answer;
    }
    answer.number = shown + 1;
    answer.text = found->second[static_cast<std::size_t>(shown)].text;
    state[key] = shown + 1;
    return answer;
}

test_run read_test_output(const std::string& output, int max_failures) {
    // "test cases: 3 | 1 passed | 2 failed", or "test cases: 2 | 2 failed" when none passed
    static const std::regex cases_line(R"(test cases:\s*(\d+)(?:\s*\|\s*\d+ passed)?(?:\s*\|\s*(\d+) failed)?)");
    static const std::regex assertions_line(R"(assertions:\s*\d+(?:\s*\|\s*\d+ passed)?\s*\|\s*(\d+) failed)");
    static const std::regex all_passed(R"(All tests passed \(\d+ assertions? in (\d+) test cases?\))");
    static const std::regex banner(R"(^(~+|.* is a Catch2? v[0-9.]+ host application\.|Run with -\? for options|Filters: .*|Randomness seeded to: .*)$)");
    test_run run;
    std::istringstream lines(output);
    std::vector<std::string> kept;
    int failures = 0, hidden = 0;
    bool hiding = false;
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, cases_line)) {
            run.summary_seen = true;
            run.cases = std::stoi(m[1]);
            run.failed_cases = m[2].matched ? std::stoi(m[2]) : 0;
        } else if (std::regex_search(line, m, all_passed)) {
            run.summary_seen = true;
            run.cases = std::stoi(m[1]);
        } else if (std::regex_search(line, m, assertions_line)) {
            run.failed_assertions = std::stoi(m[1]);
        }
        if (std::regex_match(line, banner)) continue;
        // A failed assertion starts "file:line: FAILED:"; a new test case or the summary starts
        // with a rule, which ends the hiding of the failures past the first few.
        if (line.find(": FAILED:") != std::string::npos) {
            ++failures;
            hiding = max_failures > 0 && failures > max_failures;
            if (hiding) ++hidden;
        } else if (line.rfind("-----", 0) == 0 || line.rfind("=====", 0) == 0) {
            if (hiding && line.rfind("=====", 0) == 0) {
                kept.push_back(fmt::format("... and {} more failed assertion{} not shown", hidden, hidden == 1 ? "" : "s"));
                kept.emplace_back();
            }
            hiding = hiding && line.rfind("=====", 0) != 0;
        }
        if (!hiding) kept.push_back(line);
    }
    while (!kept.empty() && trim(kept.front()).empty()) kept.erase(kept.begin());
    while (!kept.empty() && trim(kept.back()).empty()) kept.pop_back();
    for (const auto& line : kept) run.shown += line + "\n";
    return run;
}

}  // namespace parlab::grader
