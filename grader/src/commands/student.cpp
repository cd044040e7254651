// The student's commands: list, hint, watch and sources.

#include <fmt/format.h>

#include <CLI/CLI.hpp>

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

struct list_arguments {
    fs::path root;
};

struct hint_arguments {
    fs::path root;
    std::string lab;
    int task = 0;    ///< 0: the first task the last grade did not pass
    int number = 0;  ///< 0: the next hint
    bool all = false;
    bool reset = false;
};

struct sources_arguments {
    fs::path root;
    std::vector<std::string> labs;
};

int list(const list_arguments& args) {
    const auto labs = kit_labs(args.root);
    fmt::print("{}", list_labs(labs, last_grade(args.root, labs), colour_on_stdout()));
    return 0;
}

int hint(const hint_arguments& args) {
    const fs::path& root = args.root;
    const auto labs = kit_labs(root);
    const lab_info* lab = find_lab(labs, args.lab);
    if (lab == nullptr) throw usage_error(fmt::format("no lab '{}'; ./parlab list shows them", args.lab));
    const int task = args.task;
    const fs::path hints_file = root / "labs" / lab->folder / "hints.md";
    if (!fs::is_regular_file(hints_file)) throw usage_error(fmt::format("{} has no hints.md", lab->folder));
    const auto hints = parse_hints(read_text(hints_file));
    if (args.number > 0) {
        print_numbered_hint(*lab, hints, task, args.number);
        return 0;
    }
    if (args.all) {
        print_all_hints(*lab, hints, task);
        return 0;
    }
    const fs::path state_file = hint_state_file(root);
    nlohmann::json state = read_hint_state(state_file);
    if (args.reset) {
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

int watch(const watch_options& args) {
    watch_options options = args;
    if (const char* interval = std::getenv("PARLAB_WATCH_INTERVAL"); interval != nullptr) {
        options.interval_seconds = std::atof(interval);
        if (!(options.interval_seconds > 0)) throw usage_error("PARLAB_WATCH_INTERVAL must be a number of seconds above 0");
    }
    if (const char* dir = std::getenv("PARLAB_WATCH_DIR"); dir != nullptr) options.dir = dir;
    if (const char* run = std::getenv("PARLAB_WATCH_RUN"); run != nullptr) options.run_command = run;
    return watch_lab(options);
}

int sources(const sources_arguments& args) {
    const auto labs = kit_labs(args.root);
    std::vector<const lab_info*> chosen;
    for (const auto& name : args.labs) {
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

}  // namespace

void define_student(command_line& cli) {
    cli.add<list_arguments>({"list", "Every lab with its tasks and, after a grade run, which tasks pass.",
                             {{audience::students, "list", "every lab with its tasks and, after a grade run, which pass"}}},
                            list);

    auto [hint_app, hint_args] = cli.add<hint_arguments>(
        {"hint",
         "The next hint for a task of a lab, one at a time. With a NUMBER, that hint alone (a grade that hung names "
         "the hint on hangs this way).",
         {{audience::students, "hint LAB [TASK] [N]", "the next hint for a task, one at a time (or its hint N)"}}},
        hint);
    hint_app.add_option("LAB", hint_args.lab, "the lab: its short name, folder or number")->required();
    hint_app.add_option("TASK", hint_args.task, "the task (default: the first task the last grade did not pass)")
        ->check(whole_number(1, 99));
    hint_app.add_option("NUMBER", hint_args.number, "show this hint of the task")->check(whole_number(1, 99));
    hint_app.add_flag("--all", hint_args.all, "every hint of the task");
    hint_app.add_flag("--reset", hint_args.reset, "start the lab's (or the task's) hints again from the first");

    auto [watch_app, watch_args] = cli.add<watch_options>(
        {"watch",
         "Rebuilds and reruns a lab's tests whenever you save a file: the first failing task's first failures and "
         "one line for each other task.",
         {{audience::students, "watch LAB [TASK]",
           "rebuild and rerun a lab's tests whenever you save a file: the first failing task's first failures, one "
           "line for each other task (--all: all)"}}},
        watch);
    watch_app.add_option("LAB", watch_args.lab, "the lab: its short name, folder or number")->required();
    watch_app.add_option("TASK", watch_args.task, "run only this task's tests")
        ->check(whole_number(1, 99));
    watch_app.add_flag("--all", watch_args.all, "every failure of every task");
    watch_app.add_option("--max-runs", watch_args.max_runs, "stop after N runs (default: never)")
        ->type_name("N")->check(whole_number(1, 1000000));
    watch_app.add_option("--timeout", watch_args.timeout_seconds,
                         "stop a run of the tests after this long, most likely a deadlock (120)")
        ->type_name("SECONDS")->check(whole_number(1, 86400));

    auto [sources_app, sources_args] = cli.add<sources_arguments>(
        {"sources", "The files you edit, one per line (every lab's, or the labs named).",
         {{audience::students, "sources [LAB...]", "the files you edit, one per line"}}},
        sources);
    sources_app.add_option("LAB", sources_args.labs, "only these labs' files");
}

}  // namespace parlab::grader::commands
