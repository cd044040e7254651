#include "tsan_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>

namespace parlab::grader {
namespace fs = std::filesystem;

std::vector<race_report> parse_race_reports(const std::string& output) {
    static const std::string marker = "WARNING: ThreadSanitizer: ";
    // "  Write of size 8 at 0x... by thread T2:" followed by "    #0 function file:line:col (...)"
    static const std::regex access(R"(\n\s*((?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))[^\n]*?by ([^\n:]+):\n\s*#0 [^\n]*? ([^ \n:]+:\d+)(?::\d+)?)");
    std::vector<race_report> reports;
    for (auto start = output.find(marker); start != std::string::npos;) {
        const auto next = output.find(marker, start + marker.size());
        const std::string block = output.substr(start, std::min<std::size_t>(next == std::string::npos ? output.size() - start : next - start, 20000));
        race_report report;
        const auto kind_end = block.find_first_of("(\n", marker.size());
        report.kind = block.substr(marker.size(), kind_end == std::string::npos ? std::string::npos : kind_end - marker.size());
        while (!report.kind.empty() && report.kind.back() == ' ') report.kind.pop_back();
        report.canary = block.find("parlab_probe_canary_race") != std::string::npos;
        std::vector<std::string> places;
        for (auto it = std::sregex_iterator(block.begin(), block.end(), access); it != std::sregex_iterator() && places.size() < 2; ++it) {
            std::string file = (*it)[3];
            if (const auto slash = file.rfind('/'); slash != std::string::npos) file = file.substr(slash + 1);
            std::string what = (*it)[1];
            std::transform(what.begin(), what.end(), what.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            places.push_back(fmt::format("{} ({} by {})", file, what, std::string((*it)[2])));
        }
        while (places.size() < 2) places.emplace_back("an unknown place (see the report)");
        report.first = places[0];
        report.second = places[1];
        reports.push_back(std::move(report));
        start = next;
    }
    return reports;
}

std::optional<std::pair<std::string, std::string>> parse_race_report(const std::string& output) {
    const auto reports = parse_race_reports(output);
    if (reports.empty()) return std::nullopt;
    return std::make_pair(reports.front().first, reports.front().second);
}

std::string tsan_options(const fs::path& suppressions, const std::string& log_path) {
    // Every option a program could set to silence or redirect reports, set back explicitly.
    return "report_bugs=1 halt_on_error=1 exitcode=66 log_path=" + log_path + " log_exe_name=0 verbosity=0 "
           "print_suppressions=0 report_thread_leaks=0 report_signal_unsafe=0 report_atomic_races=1 "
           "report_destroy_locked=1 report_mutex_bugs=1 detect_deadlocks=1 second_deadlock_stack=1 "
           "ignore_interceptors_accesses=0 ignore_noninstrumented_modules=0 enable_annotations=0 "
           "force_seq_cst_atomics=0 suppress_equal_stacks=1 suppress_equal_addresses=1 "
           "flush_memory_ms=0 history_size=3 symbolize=1 strip_path_prefix= "
           "suppressions=" + suppressions.string();
}

}  // namespace parlab::grader
