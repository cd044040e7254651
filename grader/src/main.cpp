// parlab_grader: the grader behind `./parlab grade` and `./parlab batch`.
//   parlab_grader grade --root KIT [--solutions | --submission DIR] [--seed N] [--json F]
//                       [--junit F] [--gradescope F] [--markdown F] [--check NAME,...] [--verbose] [LAB...]
//   parlab_grader batch --root KIT DIR --csv FILE [--reports DIR] [--force] [--markdown] [--seed N] [LAB...]
//   parlab_grader report REPORTS_DIR OUT.html
// Exit codes: 0 every check passed, 1 some did not, 2 usage or set-up error.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
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

#include "class_report.hpp"
#include "grade.hpp"
#include "gradebook.hpp"
#include "parlab/workers.hpp"
#include "report.hpp"
#include "sandbox.hpp"
#include "student.hpp"
#include "submission.hpp"

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
    if (root.empty() || !fs::exists(root / "grader" / "labs")) throw usage_error("--root must name the ParLab kit");
    return fs::canonical(root);
}

void write_reports(const grade_report& report, const arguments& args) {
    if (const auto f = args.value("--json"); !f.empty()) write_file(f, json_report(report).dump(2) + "\n");
    if (const auto f = args.value("--junit"); !f.empty()) write_file(f, junit_report(report));
    if (const auto f = args.value("--gradescope"); !f.empty()) write_file(f, gradescope_report(report).dump(2) + "\n");
    if (const auto f = args.value("--markdown"); !f.empty()) write_file(f, markdown_report(report));
}

int command_grade(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root", "--submission", "--seed", "--json", "--junit", "--gradescope", "--markdown", "--check"},
                            {"--solutions", "--verbose", "--quiet", "--build-only"});
    const fs::path root = require_root(args);
    grade_options options;
    options.build_only = args.flag("--build-only");
    options.root = root;
    options.lab_names = args.positional;
    options.verbose = args.flag("--verbose");
    options.progress = !args.flag("--quiet");
    options.seed = parse_seed(args.value("--seed"));
    for (std::stringstream list(args.value("--check")); list.good();) {
        std::string name;
        std::getline(list, name, ',');
        if (!name.empty()) options.only_checks.push_back(name);
    }
    if (args.flag("--solutions") && !args.value("--submission").empty())
        throw usage_error("--solutions and --submission cannot be combined");
    if (args.flag("--solutions")) {
        if (!fs::is_directory(root / "solutions"))
            throw usage_error("this copy of the kit has no solutions/ (it is the student edition)");
        options.lab_source = root / "solutions";  // only the editable files, laid over labs/ like a submission
        options.overlay = true;
        options.submission_label = "solutions/";
        options.work = root / "build" / "grade" / "solutions";
    } else if (const auto dir = args.value("--submission"); !dir.empty()) {
        if (!fs::is_directory(dir)) throw usage_error(fmt::format("--submission: no folder '{}'", dir));
        options.lab_source = fs::canonical(dir);
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
    grade_report report;
    try {
        report = grade(options);
    } catch (const submission_error& error) {
        // Nothing to grade: the reports say why (Gradescope shows its results.json, whatever happened).
        report.submission = options.submission_label;
        report.seed = options.seed;
        report.machine = describe_machine();
        report.error = error.what();
    }
    (void)kill_leftover_children();  // nothing of the run is left when the reports are written
    if (options.build_only) return 0;
    fmt::print("{}", terminal_report(report, ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr, options.verbose));
    write_reports(report, args);
    write_file(options.work / "last.json", json_report(report).dump(2) + "\n");
    if (!report.error.empty()) return 2;
    return report.all_passed() ? 0 : 1;
}

int command_batch(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root", "--csv", "--reports", "--seed"}, {"--force", "--markdown"});
    batch_options options;
    options.root = require_root(args);
    if (args.positional.empty()) throw usage_error("batch needs the folder of submissions: batch DIR --csv FILE");
    options.submissions = args.positional.front();
    if (!fs::is_directory(options.submissions))
        throw usage_error(fmt::format("batch: no folder '{}'", options.submissions.string()));
    if (args.value("--csv").empty()) throw usage_error("batch needs --csv FILE");
    options.csv = fs::absolute(args.value("--csv"));
    options.lab_names.assign(args.positional.begin() + 1, args.positional.end());
    options.reports = fs::absolute(args.value("--reports", (options.csv.parent_path() / "reports").string()));
    if (!args.value("--seed").empty()) options.seed = parse_seed(args.value("--seed"));
    options.force = args.flag("--force");
    options.markdown = args.flag("--markdown");
    (void)run_batch(options);
    return 0;
}

int command_report(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root"}, {});
    if (args.positional.size() != 2) throw usage_error("usage: ./parlab report REPORTS_DIR OUT.html");
    const fs::path dir = args.positional[0], out = args.positional[1];
    const report_set set = load_reports(dir);
    for (const auto& warning : set.warnings) fmt::print(stderr, "parlab: warning: {}\n", warning);
    write_file(out, class_report_html(set, dir));
    fmt::print(stderr, "report: wrote {} from {} reports\n", out.string(), set.reports.size());
    return 0;
}

std::optional<nlohmann::json> last_grade(const fs::path& root) {
    return read_json(root / "build" / "grade" / "labs" / "last.json");
}

int command_list(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
    fmt::print("{}", list_labs(labs, last_grade(root), ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr));
    return 0;
}

int command_hint(const std::vector<std::string>& raw) {
    const auto args = parse(raw, {"--root"}, {"--reset", "--all"});
    const fs::path root = require_root(args);
    if (args.positional.empty() || args.positional.size() > 2) throw usage_error("usage: ./parlab hint LAB [TASK] [--all] [--reset]");
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
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
    // A run that ends while the grader writes to it must not take the grader with it.
    std::signal(SIGPIPE, SIG_IGN);
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        fmt::print(stderr, "parlab: the grader needs a command: grade, batch or report\n");
        return 2;
    }
    const std::string command = args.front();
    args.erase(args.begin());
    try {
        if (command == "grade") return command_grade(args);
        if (command == "batch") return command_batch(args);
        if (command == "report") return command_report(args);
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
