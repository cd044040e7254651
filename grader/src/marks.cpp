#include "marks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "csv.hpp"
#include "report.hpp"

namespace parlab::grader {
namespace {

// The manual check a marks row names: by name, or the lab's only one when the name is empty.
const check_spec& marked_check(const lab_info& lab, const std::string& name, const std::string& where) {
    const auto manual = manual_checks(lab);
    if (manual.empty())
        throw std::invalid_argument(fmt::format("{}: lab {} has no manual check (add one to its rubric: \"type\": \"manual\")",
                                                where, lab.folder));
    if (name.empty()) {
        if (manual.size() == 1) return *manual.front();
        throw std::invalid_argument(fmt::format("{}: lab {} has {} manual checks; say which in the check column", where,
                                                lab.folder, manual.size()));
    }
    const auto spec = std::find_if(lab.checks.begin(), lab.checks.end(), [&](const check_spec& c) { return c.name == name; });
    if (spec == lab.checks.end())
        throw std::invalid_argument(fmt::format("{}: lab {} has no check '{}'", where, lab.folder, name));
    if (spec->as<manual_kind>() == nullptr)
        throw std::invalid_argument(fmt::format("{}: check '{}' of {} is a {} check, graded by running code, not marked by hand",
                                                where, name, lab.folder, spec->type()));
    return *spec;
}

double marked_points(const std::string& text, const check_spec& spec, const std::string& where) {
    std::size_t used = 0;
    double points = 0;
    try {
        points = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !std::isfinite(points))
        throw std::invalid_argument(fmt::format("{}: points '{}' is not a number", where, text));
    if (points < 0 || points > spec.points)
        throw std::invalid_argument(fmt::format("{}: {} points for '{}', which is worth 0 to {}", where, text, spec.name,
                                                format_points(spec.points)));
    return points;
}

}  // namespace

std::vector<const check_spec*> manual_checks(const lab_info& lab) {
    std::vector<const check_spec*> found;
    for (const auto& spec : lab.checks)
        if (spec.as<manual_kind>() != nullptr) found.push_back(&spec);
    return found;
}

hand_marks parse_marks(const std::string& text, const std::string& source, const std::vector<lab_info>& labs) {
    hand_marks marks;
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> given;  // where each mark was given
    for (const csv_record& row : read_csv_table(text, source, {"student", "lab", "check", "points", "comment"})) {
        const std::string where = fmt::format("{} line {}", source, row.line);
        if (row["student"].empty()) throw std::invalid_argument(where + ": the student is empty");
        const lab_info* lab = find_lab(labs, row["lab"]);
        if (lab == nullptr) throw std::invalid_argument(fmt::format("{}: no lab '{}' in this batch", where, row["lab"]));
        const check_spec& spec = marked_check(*lab, row["check"], where);
        const auto key = std::tuple{row["student"], lab->folder, spec.name};
        if (const auto before = given.find(key); before != given.end())
            throw std::invalid_argument(fmt::format("{}: {} of {} for {} is on line {} already", where, spec.name, lab->folder,
                                                    row["student"], before->second));
        given[key] = row.line;
        if (row["points"].empty()) continue;  // not marked yet
        marks[key] = {marked_points(row["points"], spec, where), row["comment"]};
    }
    return marks;
}

std::string marks_template(const std::vector<lab_info>& labs, const std::vector<std::string>& students) {
    std::string text = std::string(marks_columns) + "\n";
    for (const auto& student : students)
        for (const auto& lab : labs)
            for (const check_spec* spec : manual_checks(lab))
                text += fmt::format("{},{},{},,\n", csv_field(student), lab.folder, spec->name);
    return text;
}

check_result manual_result(const lab_info& lab, const check_spec& spec, const hand_mark* mark) {
    check_result r = start_result(lab, spec);
    if (mark == nullptr) {
        r.status = check_status::skipped;
        r.message = fmt::format("marked by hand by your instructor ({}); not marked yet",
                                spec.description.empty() ? fmt::format("task {} of {}", spec.task, lab.name) : spec.description);
        return r;
    }
    r.fraction = spec.points > 0 ? mark->points / spec.points : 1.0;
    r.score = r.max_score * r.fraction;
    r.status = r.fraction >= 1.0 ? check_status::passed : check_status::failed;
    r.message = fmt::format("marked by hand: {} of {}", format_points(mark->points), format_points(spec.points));
    if (!mark->comment.empty()) r.message += ": " + mark->comment;
    return r;
}

bool apply_marks(grade_report& report, const std::string& student, const hand_marks& marks) {
    bool changed = false;
    for (auto& lab : report.labs) {
        for (auto& result : lab.checks) {
            const auto spec = std::find_if(lab.lab.checks.begin(), lab.lab.checks.end(),
                                           [&](const check_spec& c) { return c.name == result.name; });
            if (spec == lab.lab.checks.end() || spec->as<manual_kind>() == nullptr) continue;
            const auto mark = marks.find({student, lab.lab.folder, spec->name});
            check_result now = manual_result(lab.lab, *spec, mark == marks.end() ? nullptr : &mark->second);
            now.seconds = result.seconds;
            if (now.status != result.status || now.score != result.score || now.message != result.message) {
                result = std::move(now);
                changed = true;
            }
        }
    }
    return changed;
}

std::string feedback_markdown(const grade_report& report) {
    std::string out = markdown_report(report);
    std::string next;
    for (const auto& lab : report.labs) {
        for (const auto& c : lab.checks) {
            if (c.status == check_status::passed || c.status == check_status::skipped) continue;
            next += fmt::format("- **{} / {}** ({} of {} points): {}", lab.lab.folder, c.name, format_points(c.score),
                                format_points(c.max_score), c.message);
            if (!c.hint.empty()) next += fmt::format(" (hint: `{}`)", c.hint);
            next += "\n";
        }
    }
    if (!next.empty()) out += "\n## What to look at\n\n" + next;
    return out;
}

}  // namespace parlab::grader
