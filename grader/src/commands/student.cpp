// The student's commands: list, hint, sources and watch.

#include <fmt/format.h>

#include <cstdlib>
#include <map>

#include "commands.hpp"
#include "gradebook.hpp"
#include "kit_tools.hpp"
#include "report.hpp"
#include "student.hpp"

namespace parlab::grader::commands {
namespace fs = std::filesystem;

namespace {

using lab_hints = std::map<int, std::vector<parlab::grader::hint>>;

// Which hints of each task were shown, kept in PARLAB_STATE_DIR (default: the kit's .parlab/).
fs::path hint_state_file(const fs::path& root) {
    const char* state_dir = std::getenv("PARLAB_STATE_DIR");
    return (state_dir != nullptr ? fs::path(state_dir) : root / ".parlab") / "hints.json";
}

nlohmann::json read_hint_state(const fs::path& file) {
    // a missing or damaged file starts the hints again
    auto state = read_json(file);
    return state && state->is_object() ? *state : nlohmann::json::object();
}

// `hint LAB TASK NUMBER`: one hint by its number, as a check's "stuck?" line names it; the hints
// shown one at a time stay as they were.
void print_numbered_hint(const lab_info& lab, const lab_hints& hints, int task, int number) {
    const auto found = hints.find(task);
    if (found == hints.end() || static_cast<std::size_t>(number) > found->second.size())
        throw usage_error(fmt::format("{} task {} has {} hint{}", lab.name, task, found == hints.end() ? 0 : found->second.size(),
                                      found != hints.end() && found->second.size() == 1 ? "" : "s"));
    fmt::print("Hint {} of {} for {} task {}:\n\n{}\n", number, found->second.size(), lab.name, task,
               found->second[static_cast<std::size_t>(number) - 1].text);
}

// `hint LAB [TASK] --all`
void print_all_hints(const lab_info& lab, const lab_hints& hints, int task) {
    const int t = task == 0 ? 1 : task;
    const auto found = hints.find(t);
    if (found == hints.end()) throw usage_error(fmt::format("{} has no hints for task {}", lab.name, t));
    for (std::size_t i = 0; i < found->second.size(); ++i)
        fmt::print("Hint {} of {} for {} task {}:\n{}\n\n", i + 1, found->second.size(), lab.name, t, found->second[i].text);
}

}  // namespace

int list(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const auto labs = kit_labs(root);
    fmt::print("{}", list_labs(labs, last_grade(root, labs), colour_on_stdout()));
    return 0;
}

int hint(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {"--reset", "--all"});
    const fs::path root = require_root(args);
    if (args.positional.empty() || args.positional.size() > 3)
        throw usage_error("hint needs a lab: ./parlab hint LAB [TASK [NUMBER]] [--all] [--reset]");
    const auto labs = kit_labs(root);
    const lab_info* lab = find_lab(labs, args.positional[0]);
    if (lab == nullptr) throw usage_error(fmt::format("no lab '{}'; ./parlab list shows them", args.positional[0]));
    const int task = args.positional.size() >= 2 ? positive_number(args.positional[1], "TASK") : 0;
    const int number = args.positional.size() == 3 ? positive_number(args.positional[2], "NUMBER") : 0;
    const fs::path hints_file = root / "labs" / lab->folder / "hints.md";
    if (!fs::is_regular_file(hints_file)) throw usage_error(fmt::format("{} has no hints.md", lab->folder));
    const auto hints = parse_hints(read_text(hints_file));
    if (number > 0) {
        print_numbered_hint(*lab, hints, task, number);
        return 0;
    }
    if (args.flag("--all")) {
        print_all_hints(*lab, hints, task);
        return 0;
    }
    const fs::path state_file = hint_state_file(root);
    nlohmann::json state = read_hint_state(state_file);
    if (args.flag("--reset")) {
        for (auto it = state.begin(); it != state.end();)
            it = it.key().rfind(lab->name + "/", 0) == 0 && (task == 0 || it.key() == fmt::format("{}/{}", lab->name, task))
                     ? state.erase(it) : std::next(it);
        fmt::print("hints of {} start again from the first\n", task == 0 ? lab->name : fmt::format("{} task {}", lab->name, task));
    } else {
        hint_answer answer;
        try {
            answer = next_hint(*lab, hints, task, last_grade(root, labs), state);
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

int sources(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const auto labs = kit_labs(root);
    std::vector<const lab_info*> chosen;
    for (const auto& name : args.positional) {
        const lab_info* lab = find_lab(labs, name);
        if (lab == nullptr) throw usage_error(fmt::format("no lab '{}'; ./parlab list shows them", name));
        chosen.push_back(lab);
    }
    if (chosen.empty())
        for (const auto& lab : labs) chosen.push_back(&lab);
    for (const auto* lab : chosen)
        for (const auto& file : lab->sources) fmt::print("{}/{}\n", lab->folder, file);
    return 0;
}

int watch(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root", "--max-runs", "--timeout"}, {"--all"});
    watch_options options;
    options.root = require_root(args);
    if (args.positional.empty() || args.positional.size() > 2)
        throw usage_error("watch needs a lab: ./parlab watch LAB [TASK] [--all]");
    options.lab = args.positional.front();
    options.all = args.flag("--all");
    if (args.positional.size() == 2) options.task = positive_number(args.positional[1], "TASK");
    if (const auto n = args.value("--max-runs"); !n.empty()) options.max_runs = positive_number(n, "--max-runs");
    if (const auto t = args.value("--timeout"); !t.empty()) options.timeout_seconds = positive_number(t, "--timeout");
    if (const char* interval = std::getenv("PARLAB_WATCH_INTERVAL"); interval != nullptr) {
        options.interval_seconds = std::atof(interval);
        if (!(options.interval_seconds > 0)) throw usage_error("PARLAB_WATCH_INTERVAL must be a number of seconds above 0");
    }
    if (const char* dir = std::getenv("PARLAB_WATCH_DIR"); dir != nullptr) options.dir = dir;
    if (const char* run = std::getenv("PARLAB_WATCH_RUN"); run != nullptr) options.run_command = run;
    return watch_lab(options);
}

}  // namespace parlab::grader::commands
