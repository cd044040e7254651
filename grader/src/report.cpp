#include "report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace parlab::grader {
namespace {

std::string colour_for(check_status status) {
    switch (status) {
        case check_status::passed: return "\x1b[32m";
        case check_status::skipped: return "\x1b[2m";
        case check_status::inconclusive: return "\x1b[33m";
        default: return "\x1b[31m";
    }
}


std::string indent(const std::string& text, const std::string& prefix, std::size_t max_lines) {
    std::string out;
    std::size_t start = 0, lines = 0;
    while (start < text.size() && lines < max_lines) {
        const auto end = text.find('\n', start);
        out += prefix + text.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
        ++lines;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    if (start < text.size() && lines == max_lines) out += prefix + "[...]\n";
    return out;
}

std::string clean(const std::string& text) {
    const std::string quoted = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return nlohmann::json::parse(quoted).get<std::string>();
}

}  // namespace

std::string xml_escape(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default:
                if (c < 0x20 && c != '\n' && c != '\t') out += ' ';
                else out += static_cast<char>(c);
        }
    }
    return out;
}

std::string terminal_report(const grade_report& report, bool colour, bool verbose) {
    const std::string bold = colour ? "\x1b[1m" : "", dim = colour ? "\x1b[2m" : "", reset = colour ? "\x1b[0m" : "";
    std::string out = fmt::format("\n{}ParLab grade{}  {}  seed {}  {}\n", bold, reset, report.submission, report.seed,
                                  report.machine);
    if (verbose && !report.sandbox.empty()) out += fmt::format("{}sandbox: {}{}\n", dim, report.sandbox, reset);
    for (const auto& lab : report.labs) {
        out += fmt::format("\n{}{} {}{}  {}/{} points\n", bold, lab.lab.folder, lab.lab.title, reset, format_points(lab.score()),
                           format_points(lab.max_score()));
        for (const auto& c : lab.checks) {
            const std::string status = to_string(c.status);
            out += fmt::format("  {}{:<12}{} {:<34} {:>5}/{:<4} {}{}\n", colour ? colour_for(c.status) : "", status, reset,
                               c.task > 0 ? fmt::format("task {} {}", c.task, c.name) : c.name, format_points(c.score),
                               format_points(c.max_score), c.message,
                               verbose ? fmt::format("  {}({:.1f} s){}", dim, c.seconds, reset) : "");
            if (c.status != check_status::passed && c.status != check_status::skipped) {
                // What the check verifies, as the rubric describes it, before what went wrong.
                for (const auto& spec : lab.lab.checks)
                    if (verbose && spec.name == c.name && !spec.description.empty())
                        out += fmt::format("      {}what it checks: {}{}\n", dim, spec.description, reset);
                if (!c.details.empty() && verbose) out += indent(c.details, "      " + dim, 40) + reset;
                if (!c.artifact.empty()) out += fmt::format("      see the picture: {}\n", c.artifact);
                if (!c.hint.empty()) out += fmt::format("      {}stuck? {}{}\n", dim, c.hint, reset);
            }
        }
    }
    if (!report.error.empty()) out += fmt::format("\n{}nothing graded:{} {}\n", bold, reset, report.error);
    for (const auto& note : report.notes) out += fmt::format("\n{}note:{} {}\n", dim, reset, note);
    out += fmt::format("\n{}total {}/{}{}", bold, format_points(report.score()), format_points(report.max_score()), reset);
    if (verbose) out += fmt::format("   {}graded in {:.1f} s{}", dim, report.seconds, reset);
    if (!verbose && !report.all_passed()) out += fmt::format("   {}(./parlab grade --verbose shows each failure in full){}", dim, reset);
    out += "\n";
    return out;
}

nlohmann::json json_report(const grade_report& report) {
    nlohmann::json labs = nlohmann::json::array();
    for (const auto& lab : report.labs) {
        nlohmann::json checks = nlohmann::json::array();
        for (const auto& c : lab.checks) {
            checks.push_back({{"name", c.name}, {"task", c.task}, {"type", c.type}, {"status", to_string(c.status)},
                              {"score", c.score}, {"max_score", c.max_score}, {"fraction", c.fraction},
                              {"rubric", c.rubric}, {"message", clean(c.message)},
                              {"details", clean(c.details)}, {"hint", c.hint}, {"artifact", c.artifact},
                              {"seconds", std::round(c.seconds * 100) / 100}, {"measured", c.measured ? nlohmann::json(*c.measured) : nlohmann::json(nullptr)}});
        }
        labs.push_back({{"name", lab.lab.name}, {"folder", lab.lab.folder}, {"title", lab.lab.title}, {"score", lab.score()},
                        {"max_score", lab.max_score()}, {"unchanged_skeleton", lab.unchanged_skeleton}, {"checks", checks}});
    }
    return {{"format", report_format}, {"submission", report.submission}, {"score", report.score()}, {"max_score", report.max_score()},
            {"seed", report.seed}, {"machine", report.machine}, {"sandbox", report.sandbox}, {"seconds", std::round(report.seconds * 100) / 100},
            {"error", report.error}, {"notes", report.notes}, {"submission_hash", report.submission_hash}, {"labs", labs}};
}

int report_format_of(const nlohmann::json& json) {
    const auto format = json.is_object() ? json.find("format") : json.end();
    return format != json.end() && format->is_number_integer() ? format->get<int>() : 0;
}

grade_report parse_report(const nlohmann::json& json, const std::vector<lab_info>& labs) {
    if (!json.is_object()) throw std::invalid_argument("not a JSON object");
    if (const int format = report_format_of(json); format != report_format)
        throw std::invalid_argument(fmt::format("a report of format {}, where this grader reads format {} (grade again to "
                                                "update it)", format, report_format));
    try {
        grade_report report;
        report.submission = json.at("submission").get<std::string>();
        report.seed = json.at("seed").get<unsigned long long>();
        report.machine = json.at("machine").get<std::string>();
        report.sandbox = json.at("sandbox").get<std::string>();
        report.seconds = json.at("seconds").get<double>();
        report.error = json.at("error").get<std::string>();
        report.notes = json.at("notes").get<std::vector<std::string>>();
        report.submission_hash = json.value("submission_hash", std::string());  // reports before it was a field lack it
        for (const auto& lab : json.at("labs")) {
            const auto folder = lab.at("folder").get<std::string>();
            const auto known = std::find_if(labs.begin(), labs.end(), [&](const lab_info& l) { return l.folder == folder; });
            if (known == labs.end()) throw std::invalid_argument(fmt::format("it grades lab {}, which is not among the labs read", folder));
            lab_result result;
            result.lab = *known;
            result.unchanged_skeleton = lab.at("unchanged_skeleton").get<bool>();
            for (const auto& c : lab.at("checks")) {
                check_result r;
                r.name = c.at("name").get<std::string>();
                r.task = c.at("task").get<int>();
                r.type = c.at("type").get<std::string>();
                const auto status = status_named(c.at("status").get<std::string>());
                if (!status) throw std::invalid_argument(fmt::format("check {} has no status this grader knows", r.name));
                r.status = *status;
                r.score = c.at("score").get<double>();
                r.max_score = c.at("max_score").get<double>();
                r.fraction = c.at("fraction").get<double>();
                r.rubric = c.at("rubric");
                r.message = c.at("message").get<std::string>();
                r.details = c.at("details").get<std::string>();
                r.hint = c.at("hint").get<std::string>();
                r.artifact = c.at("artifact").get<std::string>();
                r.seconds = c.at("seconds").get<double>();
                if (c.at("measured").is_number()) r.measured = c.at("measured").get<double>();
                result.checks.push_back(std::move(r));
            }
            report.labs.push_back(std::move(result));
        }
        return report;
    } catch (const nlohmann::json::exception& error) {
        throw std::invalid_argument(fmt::format("a field is missing or of the wrong type ({})", error.what()));
    }
}

std::optional<grade_report> read_report(const nlohmann::json& json, const std::vector<lab_info>& labs) {
    try {
        return parse_report(json, labs);
    } catch (const std::invalid_argument&) {
        return std::nullopt;  // older, newer or not a report: graded again
    }
}

grade_report load_report(const std::filesystem::path& file, const std::vector<lab_info>& labs) {
    std::ifstream in(file);
    if (!in) throw std::invalid_argument(fmt::format("{}: cannot be read", file.string()));
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& error) {
        throw std::invalid_argument(fmt::format("{}: malformed JSON ({})", file.string(), error.what()));
    }
    try {
        return parse_report(json, labs);
    } catch (const std::invalid_argument& error) {
        throw std::invalid_argument(fmt::format("{}: not a report this grader reads: {}", file.string(), error.what()));
    }
}

std::string junit_report(const grade_report& report) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"parlab\">\n");
    for (const auto& lab : report.labs) {
        int failures = 0, errors = 0, skipped = 0;
        for (const auto& c : lab.checks) {
            if (c.status == check_status::failed || c.status == check_status::inconclusive) ++failures;
            else if (c.status == check_status::skipped) ++skipped;
            else if (c.status != check_status::passed) ++errors;
        }
        out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                           xml_escape(lab.lab.folder), lab.checks.size(), failures, errors, skipped);
        for (const auto& c : lab.checks) {
            out += fmt::format("    <testcase classname=\"{}\" name=\"{}\">", xml_escape(lab.lab.name), xml_escape(c.name));
            const std::string body = xml_escape(clean(c.details));
            switch (c.status) {
                case check_status::passed: break;
                case check_status::skipped: out += fmt::format("<skipped message=\"{}\"/>", xml_escape(c.message)); break;
                case check_status::failed:
                case check_status::inconclusive:
                    out += fmt::format("<failure type=\"{}\" message=\"{}\">{}</failure>", to_string(c.status),
                                       xml_escape(clean(c.message)), body);
                    break;
                default:
                    out += fmt::format("<error type=\"{}\" message=\"{}\">{}</error>", to_string(c.status),
                                       xml_escape(clean(c.message)), body);
            }
            out += "</testcase>\n";
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

nlohmann::json gradescope_report(const grade_report& report) {
    nlohmann::json tests = nlohmann::json::array();
    for (const auto& lab : report.labs)
        for (const auto& c : lab.checks) {
            std::string output = clean(c.message);
            // What the student can act on: the start of the details (a failure's first lines).
            if (!c.details.empty() && c.status != check_status::passed && c.status != check_status::skipped) {
                std::string details = clean(c.details);
                if (details.size() > 3000) details = details.substr(0, 3000) + "\n[... cut ...]";
                output += "\n\n" + details;
            }
            if (!c.hint.empty() && c.status != check_status::passed) output += "\n\nStuck? Run: " + c.hint;
            nlohmann::json test = {{"name", fmt::format("{} / {}", lab.lab.folder, c.name)},
                                   {"score", c.score},
                                   {"max_score", c.max_score},
                                   {"output", output},
                                   {"visibility", "visible"},
                                   {"extra_data", {{"seconds", std::round(c.seconds * 100) / 100}}}};
            // A check that could not run here has no pass/fail status: Gradescope shows its points.
            if (c.status == check_status::skipped) test["name"] = test["name"].get<std::string>() + " (not run here)";
            else test["status"] = c.status == check_status::passed ? "passed" : "failed";
            tests.push_back(std::move(test));
        }
    std::string output = fmt::format("ParLab grader, seed {} on {}.", report.seed, report.machine);
    if (!report.sandbox.empty()) output += fmt::format("\nSandbox: {}.", report.sandbox);
    if (!report.error.empty()) output = "Nothing could be graded: " + clean(report.error) + "\n\n" + output;
    for (const auto& note : report.notes) output += "\nNote: " + clean(note);
    return {{"score", report.score()},
            {"execution_time", static_cast<int>(std::lround(report.seconds))},
            {"output", output},
            {"visibility", "visible"},
            {"tests", tests}};
}

std::string markdown_report(const grade_report& report) {
    std::string out = fmt::format("# ParLab grade: {}/{}\n\nSubmission `{}`, seed `{}`, {}.\n", format_points(report.score()),
                                  format_points(report.max_score()), report.submission, report.seed, report.machine);
    if (!report.sandbox.empty()) out += fmt::format("\nSandbox: {}.\n", report.sandbox);
    if (!report.error.empty()) out += fmt::format("\n**Nothing could be graded:** {}\n", clean(report.error));
    for (const auto& note : report.notes) out += fmt::format("\nNote: {}\n", clean(note));
    for (const auto& lab : report.labs) {
        out += fmt::format("\n## {} {}: {}/{}\n\n| check | task | status | points | message |\n|---|---|---|---|---|\n",
                           lab.lab.folder, lab.lab.title, format_points(lab.score()), format_points(lab.max_score()));
        for (const auto& c : lab.checks) {
            std::string message = clean(c.message);
            for (auto& ch : message)
                if (ch == '|' || ch == '\n') ch = ' ';
            out += fmt::format("| {} | {} | {} | {}/{} | {} |\n", c.name, c.task, to_string(c.status), format_points(c.score),
                               format_points(c.max_score), message);
        }
    }
    return out;
}

std::string format_points(double points) {
    std::string text = fmt::format("{:.2f}", std::round(points * 100.0) / 100.0);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text == "-0" ? "0" : text;
}

}  // namespace parlab::grader
