#include "student.hpp"

#include <fmt/format.h>

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

// Per task of the lab: true when every check of that task passed in the last grade run.
std::map<int, bool> task_passes(const lab_info& lab, const nlohmann::json& last_grade) {
    std::map<int, bool> passes;
    for (const auto& graded : last_grade.value("labs", nlohmann::json::array())) {
        if (graded.value("folder", "") != lab.folder) continue;
        for (const auto& check : graded.value("checks", nlohmann::json::array())) {
            const int task = check.value("task", 0);
            const std::string status = check.value("status", "");
            const bool ok = status == "passed" || status == "skipped";
            passes[task] = passes.count(task) == 0 ? ok : passes[task] && ok;
        }
    }
    return passes;
}

}  // namespace

std::map<int, std::vector<std::string>> parse_hints(const std::string& markdown) {
    static const std::regex task_heading(R"(^##\s+Task\s+(\d+))");
    static const std::regex hint_heading(R"(^###\s+Hint\b)");
    std::map<int, std::vector<std::string>> hints;
    std::istringstream lines(markdown);
    std::string line, current;
    int task = 0;
    bool in_hint = false;
    const auto flush = [&] {
        if (task > 0 && in_hint && !trim(current).empty()) hints[task].push_back(trim(current));
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

std::string list_labs(const std::vector<lab_info>& labs, const std::optional<nlohmann::json>& last_grade, bool colour) {
    const std::string green = colour ? "\x1b[32m" : "", red = colour ? "\x1b[31m" : "", dim = colour ? "\x1b[2m" : "",
                      bold = colour ? "\x1b[1m" : "", reset = colour ? "\x1b[0m" : "";
    std::string out;
    for (const auto& lab : labs) {
        out += fmt::format("{}{}{}  {} ({}{}{})\n", bold, lab.folder, reset, lab.title, dim, lab.name, reset);
        const auto passes = last_grade ? task_passes(lab, *last_grade) : std::map<int, bool>{};
        for (const auto& task : lab.tasks) {
            std::string mark = fmt::format("{}not graded{}", dim, reset);
            if (const auto it = passes.find(task.id); it != passes.end())
                mark = it->second ? fmt::format("{}passes{}", green, reset) : fmt::format("{}not yet{}", red, reset);
            out += fmt::format("  task {}  {:<62} {}\n", task.id, task.title, mark);
        }
    }
    if (!last_grade) out += "\nRun ./parlab grade to see which tasks pass.\n";
    return out;
}

hint_answer next_hint(const lab_info& lab, const std::map<int, std::vector<std::string>>& hints, int task,
                      const std::optional<nlohmann::json>& last_grade, nlohmann::json& state) {
    if (task == 0) {
        const auto passes = last_grade ? task_passes(lab, *last_grade) : std::map<int, bool>{};
        task = lab.tasks.empty() ? 1 : lab.tasks.front().id;
        for (const auto& t : lab.tasks)
            if (const auto it = passes.find(t.id); it != passes.end() && !it->second) {
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
    answer.text = found->second[static_cast<std::size_t>(shown)];
    state[key] = shown + 1;
    return answer;
}

}  // namespace parlab::grader
