#pragma once
// Reports of a grade run: a terminal table and files for people and tools.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
/// A report json_report wrote, read back with the labs as `labs` describe them now; empty when it
/// is not such a report, has another report_format, or names a lab `labs` does not have.
[[nodiscard]] std::optional<grade_report> read_report(const nlohmann::json& json, const std::vector<lab_info>& labs);
[[nodiscard]] std::string junit_report(const grade_report& report);
/// Gradescope's results.json.
[[nodiscard]] nlohmann::json gradescope_report(const grade_report& report);
[[nodiscard]] std::string markdown_report(const grade_report& report);

/// Text made safe inside XML or HTML elements and double-quoted attribute values (control
/// characters but newline and tab become spaces).
[[nodiscard]] std::string xml_escape(const std::string& text);

/// Writes text to a file; throws std::runtime_error naming the file when it cannot.
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace parlab::grader
