#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "commands.hpp"
#include "grade.hpp"
#include "gradebook.hpp"
#include "parlab/workers.hpp"
#include "report.hpp"

namespace parlab::grader::commands {
namespace fs = std::filesystem;

unsigned long long parse_seed(const std::string& text) {
    if (text.empty()) return draw_seed();
    try {
        std::size_t used = 0;
        const unsigned long long seed = std::stoull(text, &used);
        if (used != text.size() || text[0] == '-') throw std::invalid_argument(text);
        return seed;
    } catch (const std::exception&) {
        throw usage_error(fmt::format("--seed must be a non-negative integer, got '{}'", text));
    }
}

fs::path require_root(const arguments& args) {
    const fs::path root = args.value("--root");
    if (root.empty() || !fs::exists(root / "grader" / "labs")) throw usage_error("--root must name the ParLab kit");
    return fs::canonical(root);
}

fs::path submissions_folder(const arguments& args, const std::string& command, const std::string& usage) {
    if (args.positional.empty()) throw usage_error(fmt::format("{} needs the folder of submissions: {}", command, usage));
    const fs::path folder = args.positional.front();
    if (!fs::is_directory(folder)) throw usage_error(fmt::format("{}: no folder '{}'", command, folder.string()));
    return folder;
}

std::optional<not_run_policy> parse_when_not_run(const std::string& value) {
    if (value.empty()) return std::nullopt;
    if (value == "award") return not_run_policy::award;
    if (value == "exclude") return not_run_policy::exclude;
    throw usage_error(fmt::format("--when-not-run is award or exclude, got '{}'", value));
}

int positive_number(const std::string& text, const std::string& what) {
    try {
        return static_cast<int>(parlab::parse_positive(text, what));
    } catch (const std::invalid_argument& error) {
        throw usage_error(error.what());
    }
}

std::optional<grade_report> last_grade(const fs::path& root, const std::vector<lab_info>& labs) {
    const auto json = read_json(root / "build" / "grade" / "labs" / "last.json");
    return json ? read_report(*json, labs) : std::nullopt;
}

bool colour_on_stdout() { return ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr; }

}  // namespace parlab::grader::commands
