// parlab_grader: the grader behind `./parlab grade` and `./parlab batch`.
//   parlab_grader grade --root KIT [--solutions | --submission DIR] [--seed N] [--json F]
//                       [--junit F] [--gradescope F] [--markdown F] [--verbose] [LAB...]
//   parlab_grader batch --root KIT DIR --csv FILE [--reports DIR] [--force] [--seed N] [LAB...]
// Exit codes: 0 every check passed, 1 some did not, 2 usage or set-up error.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "grade.hpp"
#include "parlab/workers.hpp"
#include "report.hpp"
#include "student.hpp"

namespace fs = std::filesystem;
using namespace parlab::grader;

namespace {

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct arguments {
    std::map<std::string, std::string> values;  // --name value
    std::vector<std::string> flags;             // --name
    std::vector<std::string> positional;
    [[nodiscard]] bool flag(const std::string& name) const {
        return std::find(flags.begin(), flags.end(), name) != flags.end();
    }
    [[nodiscard]] std::string value(const std::string& name, const std::string& fallback = "") const {
        const auto it = values.find(name);
        return it == values.end() ? fallback : it->second;
    }
};

arguments parse(const std::vector<std::string>& args, const std::vector<std::string>& with_value,
                const std::vector<std::string>& without_value) {
    arguments parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (a.rfind("--", 0) != 0) {
            parsed.positional.push_back(a);
            continue;
        }
        std::string inline_value;
        bool has_inline = false;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            inline_value = a.substr(eq + 1);
            a = a.substr(0, eq);
            has_inline = true;
        }
        if (std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
            if (!has_inline && i + 1 >= args.size()) throw usage_error(fmt::format("{} needs a value", a));
            parsed.values[a] = has_inline ? inline_value : args[++i];
        } else if (std::find(without_value.begin(), without_value.end(), a) != without_value.end() && !has_inline) {
            parsed.flags.push_back(a);
        } else {
            throw usage_error(fmt::format("unknown option '{}'", args[i]));
        }
    }
    return parsed;
}

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
    if (root.empty() || !fs::exists(root / "grader" / "rubrics")) throw usage_error("--root must name the ParLab kit");
    return fs::canonical(root);
}

// The folder laid out like labs/ inside a submission (a student's repo has labs/, an upload may not).
fs::path submission_labs(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw usage_error(fmt::format("--submission: no folder '{}'", dir.string()));
    return fs::is_directory(dir / "labs") ? fs::canonical(dir / "labs") : fs::canonical(dir);
}

std::string submission_key(const fs::path& dir) {
    return fmt::format("sub-{:016x}", std::hash<std::string>{}(fs::canonical(dir).string()));
}

void write_reports(const grade_report& report, const arguments& args) {
    if (const auto f = args.value("--json"); !f.empty()) write_file(f, json_report(report).dump(2) + "\n");
    if (const auto f = args.value("--junit"); !f.empty()) write_file(f, junit_report(report));
    if (const auto f = args.value("--gradescope"); !f.empty()) write_file(f, gradescope_report(report).dump(2) + "\n");
    if (const auto f = args.value("--markdown"); !f.empty()) write_file(f, markdown_report(report));
}

int command_grade(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root", "--submission", "--seed", "--json", "--junit", "--gradescope", "--markdown"},
                            {"--solutions", "--verbose", "--quiet"});
    const fs::path root = require_root(args);
    grade_options options;
    options.root = root;
    options.lab_names = args.positional;
    options.verbose = args.flag("--verbose");
    options.progress = !args.flag("--quiet");
    options.seed = parse_seed(args.value("--seed"));
    if (args.flag("--solutions") && !args.value("--submission").empty())
        throw usage_error("--solutions and --submission cannot be combined");
    if (args.flag("--solutions")) {
        if (!fs::is_directory(root / "solutions"))
            throw usage_error("this copy of the kit has no solutions/ (it is the student edition)");
        options.lab_source = root / "solutions";
        options.submission_label = "solutions/";
        options.work = root / "build" / "grade" / "solutions";
    } else if (const auto dir = args.value("--submission"); !dir.empty()) {
        options.lab_source = submission_labs(dir);
        options.overlay = true;
        options.submission_label = dir;
        options.work = root / "build" / "grade" / submission_key(dir);
    } else {
        options.lab_source = root / "labs";
        options.submission_label = "labs/";
        options.work = root / "build" / "grade" / "labs";
    }
    fs::create_directories(options.work);
    if (options.progress) fmt::print(stderr, "grading {} with seed {} (--seed {} repeats this run)\n", options.submission_label, options.seed, options.seed);
    const grade_report report = grade(options);
    fmt::print("{}", terminal_report(report, ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr, options.verbose));
    write_reports(report, args);
    write_file(options.work / "last.json", json_report(report).dump(2) + "\n");
    return report.all_passed() ? 0 : 1;
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

int command_batch(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root", "--csv", "--reports", "--seed"}, {"--force", "--verbose"});
    const fs::path root = require_root(args);
    if (args.positional.empty()) throw usage_error("batch needs the folder of submissions: batch DIR --csv FILE");
    const fs::path dir = args.positional.front();
    if (!fs::is_directory(dir)) throw usage_error(fmt::format("batch: no folder '{}'", dir.string()));
    const std::string csv = args.value("--csv");
    if (csv.empty()) throw usage_error("batch needs --csv FILE");
    const std::vector<std::string> labs(args.positional.begin() + 1, args.positional.end());
    const fs::path reports = args.value("--reports", (fs::absolute(csv).parent_path() / "reports").string());
    fs::create_directories(reports);
    const unsigned long long seed = parse_seed(args.value("--seed"));

    std::vector<fs::path> submissions;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && entry.path().filename().string().front() != '.') submissions.push_back(entry.path());
    std::sort(submissions.begin(), submissions.end());
    fmt::print(stderr, "batch: {} submissions in {}, seed {}\n", submissions.size(), dir.string(), seed);

    std::size_t index = 0;
    for (const auto& submission : submissions) {
        ++index;
        const std::string name = submission.filename().string();
        const fs::path report_file = reports / (name + ".json");
        if (fs::exists(report_file) && !args.flag("--force")) {
            fmt::print(stderr, "[{}/{}] {}: graded before, skipped (--force grades again)\n", index, submissions.size(), name);
            continue;
        }
        fmt::print(stderr, "[{}/{}] {}\n", index, submissions.size(), name);
        nlohmann::json result;
        try {
            grade_options options;
            options.root = root;
            options.lab_source = submission_labs(submission);
            options.overlay = true;
            options.submission_label = name;
            options.work = root / "build" / "grade" / "batch" / name;
            options.lab_names = labs;
            options.seed = seed;
            options.progress = false;
            fs::create_directories(options.work);
            const grade_report report = grade(options);
            result = json_report(report);
            fmt::print(stderr, "        {}/{}\n", report.score(), report.max_score());
        } catch (const std::exception& error) {
            // one broken submission never stops the batch
            result = {{"submission", name}, {"score", 0}, {"max_score", 0}, {"seed", seed}, {"error", error.what()},
                      {"labs", nlohmann::json::array()}};
            fmt::print(stderr, "        error: {}\n", error.what());
        }
        write_file(report_file, result.dump(2) + "\n");
    }

    // The CSV is rebuilt from every report, so a resumed batch still lists everyone.
    std::vector<std::string> lab_columns;
    std::vector<nlohmann::json> rows;
    for (const auto& submission : submissions) {
        const fs::path report_file = reports / (submission.filename().string() + ".json");
        if (!fs::exists(report_file)) continue;
        std::ifstream in(report_file);
        nlohmann::json r;
        try {
            r = nlohmann::json::parse(in);
        } catch (const std::exception&) {
            r = {{"submission", submission.filename().string()}, {"error", "unreadable report"}, {"labs", nlohmann::json::array()}};
        }
        for (const auto& lab : r.value("labs", nlohmann::json::array())) {
            auto folder = lab.at("folder").get<std::string>();
            if (std::find(lab_columns.begin(), lab_columns.end(), folder) == lab_columns.end())
                lab_columns.push_back(std::move(folder));
        }
        rows.push_back(r);
    }
    std::sort(lab_columns.begin(), lab_columns.end());
    std::string text = "submission";
    for (const auto& l : lab_columns) text += "," + l;
    text += ",total,max,error\n";
    for (const auto& r : rows) {
        text += csv_field(r.value("submission", ""));
        for (const auto& l : lab_columns) {
            std::string cell;
            for (const auto& lab : r.value("labs", nlohmann::json::array()))
                if (lab.at("folder") == l) cell = fmt::format("{}", lab.at("score").get<double>());
            text += "," + cell;
        }
        text += fmt::format(",{},{},{}\n", r.value("score", 0.0), r.value("max_score", 0.0), csv_field(r.value("error", "")));
    }
    write_file(csv, text);
    fmt::print(stderr, "batch: wrote {} ({} submissions) and one JSON report each in {}\n", csv, rows.size(), reports.string());
    return 0;
}

std::optional<nlohmann::json> last_grade(const fs::path& root) {
    const fs::path file = root / "build" / "grade" / "labs" / "last.json";
    std::ifstream in(file);
    if (!in) return std::nullopt;
    try {
        return std::make_optional(nlohmann::json::parse(in));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

int command_list(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const auto labs = load_labs(root / "labs", root / "grader" / "rubrics");
    fmt::print("{}", list_labs(labs, last_grade(root), ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr));
    return 0;
}

int command_hint(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root"}, {"--reset", "--all"});
    const fs::path root = require_root(args);
    if (args.positional.empty() || args.positional.size() > 2) throw usage_error("usage: ./parlab hint LAB [TASK] [--all] [--reset]");
    const auto labs = load_labs(root / "labs", root / "grader" / "rubrics");
    const lab_info* lab = find_lab(labs, args.positional[0]);
    if (lab == nullptr) throw usage_error(fmt::format("no lab '{}'; ./parlab list shows them", args.positional[0]));
    int task = 0;
    if (args.positional.size() == 2) {
        try {
            task = static_cast<int>(parlab::parse_positive(args.positional[1], "TASK"));
        } catch (const std::invalid_argument& error) {
            throw usage_error(error.what());
        }
    }
    std::ifstream hints_file(root / "labs" / lab->folder / "hints.md");
    if (!hints_file) throw usage_error(fmt::format("{} has no hints.md", lab->folder));
    std::ostringstream text;
    text << hints_file.rdbuf();
    const auto hints = parse_hints(text.str());

    const char* state_dir = std::getenv("PARLAB_STATE_DIR");
    const fs::path state_file = (state_dir != nullptr ? fs::path(state_dir) : root / ".parlab") / "hints.json";
    nlohmann::json state = nlohmann::json::object();
    if (std::ifstream in(state_file); in) {
        try {
            state = nlohmann::json::parse(in);
        } catch (const std::exception&) {
            state = nlohmann::json::object();
        }
    }
    if (args.flag("--reset")) {
        for (auto it = state.begin(); it != state.end();)
            it = it.key().rfind(lab->name + "/", 0) == 0 && (task == 0 || it.key() == fmt::format("{}/{}", lab->name, task))
                     ? state.erase(it) : std::next(it);
        fmt::print("hints of {} start again from the first\n", task == 0 ? lab->name : fmt::format("{} task {}", lab->name, task));
    } else if (args.flag("--all")) {
        const int t = task == 0 ? 1 : task;
        const auto found = hints.find(t);
        if (found == hints.end()) throw usage_error(fmt::format("{} has no hints for task {}", lab->name, t));
        for (std::size_t i = 0; i < found->second.size(); ++i)
            fmt::print("Hint {} of {} for {} task {}:\n{}\n\n", i + 1, found->second.size(), lab->name, t, found->second[i]);
        return 0;
    } else {
        hint_answer answer;
        try {
            answer = next_hint(*lab, hints, task, last_grade(root), state);
        } catch (const std::invalid_argument& error) {
            throw usage_error(error.what());
        }
        fmt::print("Hint {} of {} for {} task {}:\n\n{}\n", answer.number, answer.count, lab->name, answer.task, answer.text);
        if (answer.number < answer.count && answer.text.rfind("That was", 0) != 0)
            fmt::print("\n(./parlab hint {} {} shows the next one)\n", lab->name, answer.task);
    }
    fs::create_directories(state_file.parent_path());
    write_file(state_file, state.dump(2) + "\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        fmt::print(stderr, "parlab: the grader needs a command: grade or batch\n");
        return 2;
    }
    const std::string command = args.front();
    args.erase(args.begin());
    try {
        if (command == "grade") return command_grade(args);
        if (command == "batch") return command_batch(args);
        if (command == "list") return command_list(args);
        if (command == "hint") return command_hint(args);
        throw usage_error(fmt::format("unknown grader command '{}'", command));
    } catch (const usage_error& error) {
        fmt::print(stderr, "parlab: {}\n", error.what());
        return 2;
    } catch (const std::invalid_argument& error) {
        fmt::print(stderr, "parlab: {}\n", error.what());
        return 2;
    } catch (const std::exception& error) {
        fmt::print(stderr, "parlab: {}\n", error.what());
        return 2;
    }
}
