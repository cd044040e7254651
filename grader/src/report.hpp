#pragma once
// Reports of a grade run: a terminal table and files for people and tools.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io.hpp"
#include "model.hpp"

namespace parlab::grader {

/// Points with at most two decimals and no trailing zeros: 39.0909 -> "39.09", 40.0 -> "40". Every
/// report, the gradebook and the LMS exports write points this way.
[[nodiscard]] std::string format_points(double points);

/// The table a student reads: one line per check, failures explained, hints. `colour` for a terminal.
[[nodiscard]] std::string terminal_report(const grade_report& report, bool colour, bool verbose);

[[nodiscard]] nlohmann::json json_report(const grade_report& report);
/// The report_format a JSON report declares; 0 when it declares none (or not as a whole number).
[[nodiscard]] int report_format_of(const nlohmann::json& json);
/// A report json_report wrote, read back with the labs as `labs` describe them now (each check's
/// points as stored). Throws std::invalid_argument saying why when it is not such a report: not an
/// object, another report_format, a field missing or of the wrong type, a lab `labs` does not have.
/// Every reader of reports (batch, gradebook, class report, lab list) reads them through it.
[[nodiscard]] grade_report parse_report(const nlohmann::json& json, const std::vector<lab_info>& labs);
/// The same, empty where parse_report throws.
[[nodiscard]] std::optional<grade_report> read_report(const nlohmann::json& json, const std::vector<lab_info>& labs);
/// The report in `file`. Throws std::invalid_argument naming the file when it cannot be read, is
/// not JSON, or parse_report refuses it.
[[nodiscard]] grade_report load_report(const std::filesystem::path& file, const std::vector<lab_info>& labs);
[[nodiscard]] std::string junit_report(const grade_report& report);
/// Gradescope's results.json.
[[nodiscard]] nlohmann::json gradescope_report(const grade_report& report);
[[nodiscard]] std::string markdown_report(const grade_report& report);

/// Text made safe inside XML or HTML elements and double-quoted attribute values (control
/// characters but newline and tab become spaces).
[[nodiscard]] std::string xml_escape(const std::string& text);


}  // namespace parlab::grader
