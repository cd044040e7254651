#pragma once
// ThreadSanitizer as the race checks use it: the options that keep a program from silencing it,
// and its reports read back.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parlab::grader {

/// One ThreadSanitizer report in a run's output.
struct race_report {
    std::string kind;     ///< "data race", "lock-order-inversion (potential deadlock)", ...
    std::string first, second;  ///< the two source locations, as "file:line (what by whom)"
    bool canary = false;  ///< the grader's own planted race (probe.hpp)
};
/// Every ThreadSanitizer report in `output`, in order.
[[nodiscard]] std::vector<race_report> parse_race_reports(const std::string& output);

/// The two source locations of the first ThreadSanitizer report, as "file:line (what)", or
/// nullopt when the output has no report.
[[nodiscard]] std::optional<std::pair<std::string, std::string>> parse_race_report(const std::string& output);

/// The ThreadSanitizer options of a race check. They go in TSAN_OPTIONS, which the sanitizer
/// reads after anything compiled into the program, so they win.
/// `log_path` is where reports go: "stderr", or a path prefix (reports in "<prefix>.<pid>").
[[nodiscard]] std::string tsan_options(const std::filesystem::path& suppressions, const std::string& log_path = "stderr");

}  // namespace parlab::grader
