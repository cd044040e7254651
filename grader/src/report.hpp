#pragma once
// Reports of a grade run: a terminal table and files for people and tools.

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "model.hpp"

namespace parlab::grader {

/// The table a student reads: one line per check, failures explained, hints. `colour` for a terminal.
[[nodiscard]] std::string terminal_report(const grade_report& report, bool colour, bool verbose);

[[nodiscard]] nlohmann::json json_report(const grade_report& report);
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
