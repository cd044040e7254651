#include "model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace parlab::grader {

const char* to_string(check_status status) noexcept {
    switch (status) {
        case check_status::passed: return "passed";
        case check_status::failed: return "failed";
        case check_status::timeout: return "timeout";
        case check_status::crashed: return "crashed";
        case check_status::error: return "error";
        case check_status::inconclusive: return "inconclusive";
        case check_status::skipped: return "skipped";
    }
    return "error";
}

std::string lab_info::tag() const { return fmt::format("[lab{:02}]", number); }
std::string lab_info::target_prefix() const { return fmt::format("parlab_lab{:02}", number); }

double lab_result::score() const {
    return std::accumulate(checks.begin(), checks.end(), 0.0, [](double s, const check_result& c) { return s + c.score; });
}
double lab_result::max_score() const {
    return std::accumulate(checks.begin(), checks.end(), 0.0,
                           [](double s, const check_result& c) { return s + c.max_score; });
}
double grade_report::score() const {
    return std::accumulate(labs.begin(), labs.end(), 0.0, [](double s, const lab_result& l) { return s + l.score(); });
}
double grade_report::max_score() const {
    return std::accumulate(labs.begin(), labs.end(), 0.0, [](double s, const lab_result& l) { return s + l.max_score(); });
}
bool grade_report::all_passed() const {
    return std::all_of(labs.begin(), labs.end(), [](const lab_result& l) {
        return std::all_of(l.checks.begin(), l.checks.end(), [](const check_result& c) {
            return c.status == check_status::passed || c.status == check_status::skipped;
        });
    });
}

namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(fmt::format("cannot read {}", path.string()));
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& error) {
        throw std::runtime_error(fmt::format("{} is not valid JSON: {}", path.string(), error.what()));
    }
}

}  // namespace

std::vector<lab_info> load_labs(const std::filesystem::path& labs_dir, const std::filesystem::path& rubrics_dir) {
    std::vector<lab_info> labs;
    if (!std::filesystem::is_directory(labs_dir)) throw std::runtime_error(fmt::format("no lab folder {}", labs_dir.string()));
    for (const auto& entry : std::filesystem::directory_iterator(labs_dir)) {
        const auto meta = entry.path() / "lab.json";
        if (!entry.is_directory() || !std::filesystem::exists(meta)) continue;
        const auto json = read_json(meta);
        lab_info lab;
        try {
            lab.folder = entry.path().filename().string();
            lab.number = json.at("number").get<int>();
            lab.name = json.at("name").get<std::string>();
            lab.title = json.value("title", lab.name);
            lab.sources = json.at("sources").get<std::vector<std::string>>();
            for (const auto& t : json.at("tasks"))
                lab.tasks.push_back({t.at("id").get<int>(), t.value("title", ""), t.value("points", 0.0)});
        } catch (const nlohmann::json::exception& error) {
            throw std::runtime_error(fmt::format("{}: {}", meta.string(), error.what()));
        }
        // Every check of a lab is in its rubric: the grader gives points only for what it verifies
        // itself (a probe against its reference), never for the lab's own tests passing.
        const auto rubric_path = rubrics_dir / (lab.folder + ".json");
        if (!std::filesystem::exists(rubric_path))
            throw std::runtime_error(fmt::format("lab {} has no rubric: add {}", lab.folder, rubric_path.string()));
        const auto rubric = read_json(rubric_path);
        try {
            for (const auto& c : rubric.at("checks")) {
                check_spec spec;
                spec.name = c.at("name").get<std::string>();
                spec.task = c.value("task", 0);
                spec.points = c.at("points").get<double>();
                spec.type = c.at("type").get<std::string>();
                spec.description = c.value("description", "");
                spec.params = c;
                if (spec.type != "probe" && spec.type != "race" && spec.type != "timing")
                    throw std::runtime_error(fmt::format("{}: check '{}' has type '{}'; the types are probe, race and timing",
                                                         rubric_path.string(), spec.name, spec.type));
                if (const std::string policy = c.value("when_not_run", "defer");
                    policy != "defer" && policy != "award" && policy != "exclude")
                    throw std::runtime_error(fmt::format("{}: check '{}' has when_not_run '{}'; it is defer, award or exclude",
                                                         rubric_path.string(), spec.name, policy));
                if (spec.type == "race" && !c.contains("probe"))
                    throw std::runtime_error(fmt::format("{}: race check '{}' needs \"probe\": the probe check it runs",
                                                         rubric_path.string(), spec.name));
                lab.checks.push_back(std::move(spec));
            }
        } catch (const nlohmann::json::exception& error) {
            throw std::runtime_error(fmt::format("{}: {}", rubric_path.string(), error.what()));
        }
        labs.push_back(std::move(lab));
    }
    std::sort(labs.begin(), labs.end(), [](const lab_info& a, const lab_info& b) { return a.number < b.number; });
    return labs;
}

const lab_info* find_lab(const std::vector<lab_info>& labs, const std::string& name) {
    for (const auto& lab : labs) {
        if (lab.folder == name || lab.name == name || std::to_string(lab.number) == name ||
            fmt::format("{:02}", lab.number) == name || "lab" + fmt::format("{:02}", lab.number) == name)
            return &lab;
    }
    return nullptr;
}

}  // namespace parlab::grader
