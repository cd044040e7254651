// parlab_grader: everything behind `./parlab` but installing packages, building and the kit's tests.
//   parlab_grader grade --root KIT [--solutions | --submission DIR] [--seed N] [--json F]
//                       [--junit F] [--gradescope F] [--markdown F] [--check NAME,...] [--verbose] [LAB...]
//   parlab_grader batch --root KIT DIR --csv FILE [--reports DIR] [--force] [--markdown] [--seed N]
//                       [--roster F [--canvas F] [--moodle F]] [--bom] [--marks F] [--feedback DIR] [LAB...]
//   parlab_grader report REPORTS_DIR OUT.html
//   parlab_grader list | hint | sources | watch | release | package --root KIT ... (see ./parlab help)
// Exit codes: 0 every check passed, 1 some did not, 2 usage or set-up error.

#include <fmt/format.h>
#include <fmt/ranges.h>
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

#include "batch.hpp"
#include "class_report.hpp"
#include "cli.hpp"
#include "grade.hpp"
#include "gradebook.hpp"
#include "kit_check.hpp"
#include "kit_tools.hpp"
#include "known_bad.hpp"
#include "machine_turn.hpp"
#include "parlab/workers.hpp"
#include "report.hpp"
#include "sandbox.hpp"
#include "similarity.hpp"
#include "student.hpp"
#include "submission.hpp"

namespace fs = std::filesystem;
using namespace parlab::grader;

namespace {

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

// --when-not-run: award or exclude (what a check this machine cannot run is worth where the rubric
// says defer); empty: the rubric's word stands.
std::optional<not_run_policy> parse_instead_of_defer(const std::string& value) {
    if (value.empty()) return std::nullopt;
    if (value == "award") return not_run_policy::award;
    if (value == "exclude") return not_run_policy::exclude;
    throw usage_error(fmt::format("--when-not-run is award or exclude, got '{}'", value));
}

int command_grade(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root", "--submission", "--seed", "--seeds", "--json", "--junit", "--gradescope", "--markdown", "--check",
                                            "--when-not-run"},
                            {"--solutions", "--verbose", "--quiet", "--build-only", "--known-bad", "--unsandboxed"});
    const fs::path root = require_root(args);
    if (args.flag("--known-bad")) {
        int seeds = 3;
        if (const auto n = args.value("--seeds"); !n.empty()) {
            try {
                seeds = static_cast<int>(parlab::parse_positive(n, "--seeds"));
            } catch (const std::invalid_argument& error) {
                throw usage_error(error.what());
            }
        }
        return grade_known_bad_variants(root, args.positional, parse_seed(args.value("--seed")), seeds);
    }
    grade_options options;
    std::optional<file_lock> submission_tree;  // held until the grade ends
    options.build_only = args.flag("--build-only");
    options.root = root;
    options.lab_names = args.positional;
    options.verbose = args.flag("--verbose");
    options.progress = !args.flag("--quiet");
    options.seed = parse_seed(args.value("--seed"));
    options.instead_of_defer = parse_instead_of_defer(args.value("--when-not-run"));
    options.unsandboxed = args.flag("--unsandboxed");
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
        // One tree for every submission graded this way: the kit's files are compiled once, and
        // a submission compiles only its own. A second grade of a submission waits for the first.
        options.work = root / "build" / "grade" / "submission";
        fs::create_directories(options.work);
        submission_tree.emplace(options.work / ".in-use", [] {
            fmt::print(stderr, "waiting for another grade of a submission to finish (it uses the same build tree)\n");
        });
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

constexpr const char* batch_usage = R"(Usage: ./parlab batch DIR --csv FILE [--reports DIR] [--jobs N] [--force | --deferred] [--markdown] [--seed N]
                    [--roster FILE [--canvas FILE] [--moodle FILE]] [--bom] [--marks FILE] [--feedback DIR]
                    [--unsandboxed] [LAB...]
Grades every submission folder in DIR (one per student, laid out like labs/ or loose files) and
writes the gradebook FILE (CSV) and one JSON report per student in --reports (default: reports/
beside the CSV). A submission unchanged since its report is skipped (--force grades it again).
--deferred runs only the timing checks the reports have as not run here (deferred: the machine
was busy, or lacked the cores) or inconclusive, and puts their results into those reports: run
it on a quiet machine after a batch on a busy one.
--jobs N grades N submissions at once (default: the machine's cores); a timing check still
waits until it has the machine alone. Each job keeps one build tree and reuses it, so the kit's
own files are compiled once per job and each submission compiles only its own files.
Every run of a submission's code is in namespaces of its own (bubblewrap); where none can be made
and the grader is not root, it refuses unless told --unsandboxed.
Ctrl-C (SIGINT) or SIGTERM ends every job and every run they started; the batch exits with 128 +
the signal, writes no CSV, and the same command again resumes (a submission whose job was
stopped or died is graded again). A second batch on the same kit refuses while one runs.
--roster FILE: a CSV with the header id,name,section,folder and one student a line (folder: the
name of their submission folder). With it, --canvas FILE and --moodle FILE write a grade import
file with one row per roster student (0 for a student with no folder) and a column per lab;
folders not in the roster get a warning and stay in the --csv gradebook.
--bom starts every CSV with a UTF-8 byte order mark, for Excel.
--marks FILE: the hand marks of the rubrics' manual checks (written answers), a CSV with the
header student,lab,check,points,comment; a missing FILE is written as a template with a row per
student and manual check. Marks go into the reports and the gradebook on every run, without
grading anything again; a row with empty points is not marked yet (0 points until it is).
--feedback DIR writes one Markdown file per student (DIR/FOLDER.md): the report and what to look
at for each check that lost points, ready to hand back.
)";

int command_batch(const std::vector<std::string>& raw) {
    const auto args =
        parse_arguments(raw, {"--root", "--csv", "--reports", "--seed", "--jobs", "--roster", "--canvas", "--moodle", "--marks",
                               "--feedback"},
                        {"--force", "--deferred", "--markdown", "--unsandboxed", "--bom"});
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
    options.deferred = args.flag("--deferred");
    if (options.force && options.deferred)
        throw usage_error("batch: --force grades everything again and --deferred only the deferred timing checks: choose one");
    options.markdown = args.flag("--markdown");
    options.unsandboxed = args.flag("--unsandboxed");
    options.bom = args.flag("--bom");
    if (!args.value("--roster").empty()) options.roster = fs::absolute(args.value("--roster"));
    if (!args.value("--marks").empty()) options.marks = fs::absolute(args.value("--marks"));
    if (!args.value("--feedback").empty()) options.feedback = fs::absolute(args.value("--feedback"));
    for (const auto& [option, kind] : {std::pair{"--canvas", lms_kind::canvas}, std::pair{"--moodle", lms_kind::moodle}}) {
        if (args.value(option).empty()) continue;
        if (options.roster.empty()) throw usage_error(fmt::format("batch: {} FILE needs --roster FILE (one row per student of it)", option));
        options.lms_exports.emplace_back(kind, fs::absolute(args.value(option)));
    }
    // Said before the first submission, not once per student in the gradebook.
    if (const std::string refusal = unsandboxed_refusal(unprivileged_user()); !refusal.empty() && !options.unsandboxed)
        throw usage_error("batch: " + refusal);
    options.jobs = parlab::available_cpus();
    if (const std::string jobs = args.value("--jobs"); !jobs.empty()) {
        char* end = nullptr;
        const unsigned long n = std::strtoul(jobs.c_str(), &end, 10);
        if (*end != '\0' || jobs.front() == '-' || n < 1 || n > 64)
            throw usage_error(fmt::format("batch: --jobs takes a number from 1 to 64, got '{}'", jobs));
        options.jobs = n;
    }
    try {
        (void)run_batch(options);
    } catch (const batch_interrupted& stopped) {
        fmt::print(stderr, "{}\n", stopped.what());
        return 128 + stopped.signal;
    }
    return 0;
}

int command_similarity(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root", "--out", "--threshold"}, {});
    similarity_options options;
    options.root = require_root(args);
    if (args.positional.empty()) throw usage_error("similarity needs the folder of submissions: ./parlab similarity DIR --out FILE.html");
    options.submissions = args.positional.front();
    if (!fs::is_directory(options.submissions))
        throw usage_error(fmt::format("similarity: no folder '{}'", options.submissions.string()));
    options.lab_names.assign(args.positional.begin() + 1, args.positional.end());
    if (args.value("--out").empty()) throw usage_error("similarity needs --out FILE.html, the page to write");
    options.out = args.value("--out");
    try {
        if (const auto t = args.value("--threshold"); !t.empty()) {
            options.threshold = static_cast<int>(parlab::parse_positive(t, "--threshold"));
            if (options.threshold > 100) throw std::invalid_argument("--threshold is a percentage: 1 to 100");
        }
    } catch (const std::invalid_argument& error) {
        throw usage_error(error.what());
    }
    const auto pairs = find_similar(options);
    write_file(options.out, similarity_html(pairs, options, submission_folders(options.submissions).size()));
    for (const auto& p : pairs)
        fmt::print("{}  {} / {}  {}% / {}%\n", p.lab, p.first, p.second, p.first_share, p.second_share);
    fmt::print(stderr, "similarity: {} pair{} at or above {}%; wrote {}\n", pairs.size(), pairs.size() == 1 ? "" : "s",
               options.threshold, options.out.string());
    return 0;
}

int command_report(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    if (args.positional.size() != 2) throw usage_error("report needs the reports folder and the page to write: ./parlab report REPORTS_DIR OUT.html");
    const fs::path dir = args.positional[0], out = args.positional[1];
    const report_set set = load_reports(dir);
    for (const auto& warning : set.warnings) fmt::print(stderr, "parlab: warning: {}\n", warning);
    write_file(out, class_report_html(set, dir, out));
    fmt::print(stderr, "report: wrote {} from {} reports\n", out.string(), set.reports.size());
    return 0;
}

std::optional<nlohmann::json> last_grade(const fs::path& root) {
    return read_json(root / "build" / "grade" / "labs" / "last.json");
}

int command_list(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
    fmt::print("{}", list_labs(labs, last_grade(root), ::isatty(1) != 0 && std::getenv("NO_COLOR") == nullptr));
    return 0;
}

int command_hint(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {"--reset", "--all"});
    const fs::path root = require_root(args);
    if (args.positional.empty() || args.positional.size() > 3)
        throw usage_error("hint needs a lab: ./parlab hint LAB [TASK [NUMBER]] [--all] [--reset]");
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
    const lab_info* lab = find_lab(labs, args.positional[0]);
    if (lab == nullptr) throw usage_error(fmt::format("no lab '{}'; ./parlab list shows them", args.positional[0]));
    int task = 0, number = 0;
    try {
        if (args.positional.size() >= 2) task = static_cast<int>(parlab::parse_positive(args.positional[1], "TASK"));
        if (args.positional.size() == 3) number = static_cast<int>(parlab::parse_positive(args.positional[2], "NUMBER"));
    } catch (const std::invalid_argument& error) {
        throw usage_error(error.what());
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
    } else if (number > 0) {
        // one hint by its number, as a check's "stuck?" line names it; the hints already shown
        // one at a time stay as they were
        const auto found = hints.find(task);
        if (found == hints.end() || static_cast<std::size_t>(number) > found->second.size())
            throw usage_error(fmt::format("{} task {} has {} hint{}", lab->name, task,
                                          found == hints.end() ? 0 : found->second.size(),
                                          found != hints.end() && found->second.size() == 1 ? "" : "s"));
        fmt::print("Hint {} of {} for {} task {}:\n\n{}\n", number, found->second.size(), lab->name, task,
                   found->second[static_cast<std::size_t>(number) - 1].text);
        return 0;
    } else if (args.flag("--all")) {
        const int t = task == 0 ? 1 : task;
        const auto found = hints.find(t);
        if (found == hints.end()) throw usage_error(fmt::format("{} has no hints for task {}", lab->name, t));
        for (std::size_t i = 0; i < found->second.size(); ++i)
            fmt::print("Hint {} of {} for {} task {}:\n{}\n\n", i + 1, found->second.size(), lab->name, t, found->second[i].text);
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

int command_sources(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
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

int command_watch(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root", "--max-runs", "--timeout"}, {"--all"});
    watch_options options;
    options.root = require_root(args);
    if (args.positional.empty() || args.positional.size() > 2)
        throw usage_error("watch needs a lab: ./parlab watch LAB [TASK] [--all]");
    options.lab = args.positional.front();
    options.all = args.flag("--all");
    try {
        if (args.positional.size() == 2) options.task = static_cast<int>(parlab::parse_positive(args.positional[1], "TASK"));
        if (const auto n = args.value("--max-runs"); !n.empty())
            options.max_runs = static_cast<int>(parlab::parse_positive(n, "--max-runs"));
        if (const auto t = args.value("--timeout"); !t.empty())
            options.timeout_seconds = static_cast<int>(parlab::parse_positive(t, "--timeout"));
    } catch (const std::invalid_argument& error) {
        throw usage_error(error.what());
    }
    if (const char* interval = std::getenv("PARLAB_WATCH_INTERVAL"); interval != nullptr) {
        options.interval_seconds = std::atof(interval);
        if (!(options.interval_seconds > 0)) throw usage_error("PARLAB_WATCH_INTERVAL must be a number of seconds above 0");
    }
    if (const char* dir = std::getenv("PARLAB_WATCH_DIR"); dir != nullptr) options.dir = dir;
    if (const char* run = std::getenv("PARLAB_WATCH_RUN"); run != nullptr) options.run_command = run;
    return watch_lab(options);
}

int command_release(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    if (args.positional.size() != 1) throw usage_error("release needs one folder: ./parlab release DIR");
    const fs::path dest = fs::absolute(args.positional.front());
    const std::size_t files = write_release(root, dest);
    fmt::print("wrote the student edition to {} ({} files, no solutions/)\n", args.positional.front(), files);
    return 0;
}

int command_package(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root", "--when-not-run"}, {});
    const fs::path root = require_root(args);
    if (args.positional.empty() || args.positional.front() != "gradescope")
        throw usage_error("package knows one target: ./parlab package gradescope [LAB...] [OUT.zip] [--when-not-run award|exclude]");
    if (!fs::is_directory(root / "solutions")) throw usage_error("package needs the instructor's copy");
    fs::path out = "parlab-gradescope.zip";
    std::vector<std::string> labs;
    for (auto it = args.positional.begin() + 1; it != args.positional.end(); ++it) {
        if (fs::path(*it).extension() == ".zip") out = *it;
        else labs.push_back(*it);
    }
    if (const fs::path folder = fs::absolute(out).parent_path(); !fs::is_directory(folder))
        throw usage_error(fmt::format("package: no folder {} to write {} in", folder.string(), out.filename().string()));
    // Gradescope grades once per upload, on the container's CPUs: a check deferred there would
    // wait for a machine that never comes, so the package settles it (exclude unless told award).
    const std::string when_not_run = args.value("--when-not-run", "exclude");
    (void)parse_instead_of_defer(when_not_run);
    const auto timed = write_gradescope_package(root, labs, out, when_not_run);
    fmt::print("wrote {} (labs: {}): upload it as the autograder in Gradescope\n", fs::absolute(out).string(),
               labs.empty() ? std::string("all") : fmt::format("{}", fmt::join(labs, " ")));
    if (!timed.empty())
        fmt::print("timing checks ({}) run only where the container has the CPUs they need (at least one whole CPU, "
                   "two for a speedup; Gradescope's default is half a CPU); where they cannot run they are {} "
                   "(--when-not-run {} {})\n",
                   fmt::join(timed, ", "),
                   when_not_run == "award" ? "given their points" : "left out of the maximum",
                   when_not_run == "award" ? "exclude" : "award",
                   when_not_run == "award" ? "leaves them out" : "gives their points instead");
    // what the instructor types into Gradescope's assignment settings
    const auto all = load_labs(root / "labs", root / "grader" / "labs");
    double total = 0, timing = 0;
    std::string files;
    for (const auto& lab : all) {
        if (!labs.empty() && std::none_of(labs.begin(), labs.end(), [&](const std::string& name) { return find_lab(all, name) == &lab; }))
            continue;
        for (const auto& spec : lab.checks) (spec.type == "timing" ? timing : total) += spec.points;
        for (const auto& source : lab.sources) files += (files.empty() ? "" : ", ") + source;
    }
    fmt::print("in Gradescope: a Programming Assignment on the base image Ubuntu 22.04 (the default, which the kit is "
               "checked on), autograder points {} ({}), students upload {}\n",
               format_points(when_not_run == "award" ? total + timing : total),
               timing > 0 ? fmt::format("the timing checks' {} {}", format_points(timing),
                                        when_not_run == "award" ? "included: given where they cannot run"
                                                                   : "left out: on the default half CPU they cannot run")
                          : std::string("every check"),
               files);
    return 0;
}

/// `bench [--only LAB] [ARGS...]`: every lab's bench program on the solutions. ("copy" and "filter"
/// name labs 03 and 04, as they did when one program measured both.)
int command_bench(const std::vector<std::string>& raw) {
    fs::path root;
    std::string only;
    bool mine = false;
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == "--root" && i + 1 < raw.size()) root = raw[++i];
        else if (raw[i] == "--mine") mine = true;
        else if (raw[i] == "--only") {
            if (i + 1 >= raw.size()) throw usage_error("bench: --only needs a lab");
            only = raw[++i];
            if (only == "copy") only = "shared-image-copy";
            if (only == "filter") only = "edge-filter";
        } else rest.push_back(raw[i]);
    }
    arguments with_root;
    with_root.values["--root"] = root.string();
    return run_benches(require_root(with_root), only, mine, rest);
}

/// A lab's teaching program: `demo LAB [--solutions] [ARGS...]`, or `PROGRAM [--solutions] [ARGS...]`
/// for a program that one lab ships (`filter`). Everything else is the program's own arguments.
int command_program(const std::string& command, const std::vector<std::string>& raw) {
    fs::path root;
    bool solutions = false;
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == "--root" && i + 1 < raw.size()) root = raw[++i];
        else if (raw[i] == "--solutions") solutions = true;
        else rest.push_back(raw[i]);
    }
    arguments with_root;
    with_root.values["--root"] = root.string();
    root = require_root(with_root);
    std::string lab;
    if (command == "demo") {
        if (rest.empty() || rest.front().rfind("--", 0) == 0) throw usage_error("demo needs a lab: ./parlab demo LAB [--solutions]");
        lab = rest.front();
        rest.erase(rest.begin());
    }
    return run_lab_program(root, lab, command, rest, solutions);
}

// The kit's consistency (kit_check.hpp): run by the build after the grader is linked, and by hand.
int command_check_kit(const std::vector<std::string>& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    const fs::path root = require_root(args);
    const std::vector<std::string> problems = kit_problems(root);
    for (const auto& problem : problems) fmt::print(stderr, "parlab: kit check: {}\n", problem);
    if (problems.empty()) return 0;
    fmt::print(stderr, "parlab: kit check: {} problem{} in {}\n", problems.size(), problems.size() == 1 ? "" : "s", root.string());
    return 1;
}

// What `./parlab COMMAND --help` prints (grade's is the parlab script's own).
const std::map<std::string, std::string>& command_usage() {
    static const std::map<std::string, std::string> usage{
        {"batch", batch_usage},
        {"similarity", "Usage: ./parlab similarity DIR --out FILE.html [--threshold PERCENT] [LAB...]\n"
                       "Compares every pair of submission folders in DIR lab by lab with sim_c++ (the similarity-tester\n"
                       "package), leaving out the lines the skeleton gives, and writes FILE.html: the pairs where either\n"
                       "holds at least PERCENT (50) of the other's code, with the matching code side by side.\n"},
        {"report", "Usage: ./parlab report REPORTS_DIR OUT.html\n"
                   "Writes one self-contained HTML page on a class from the JSON reports of ./parlab batch.\n"},
        {"list", "Usage: ./parlab list\nEvery lab with its tasks and, after a grade run, which tasks pass.\n"},
        {"check-kit", "Usage: parlab_grader check-kit --root KIT\n"
                      "Checks that each fact about a lab is found where it is used: lab.json and the rubric load,\n"
                      "every check has its verifier and every verifier a check, every known-bad patch applies.\n"
                      "The build runs it (target parlab_kit_checked); exit 1 with one line per problem.\n"},
        {"hint", "Usage: ./parlab hint LAB [TASK [NUMBER]] [--all] [--reset]\n"
                 "The next hint for a task of a lab, one at a time (--all: every hint of the task; --reset: start over).\n"
                 "With a NUMBER, that hint alone (a grade that hung names the hint on hangs this way).\n"},
        {"sources", "Usage: ./parlab sources [LAB...]\nThe files you edit, one per line (every lab's, or the labs named).\n"},
        {"watch", "Usage: ./parlab watch LAB [TASK] [--all]\n"
                  "Rebuilds and reruns a lab's tests whenever you save a file: the first failing task's first\n"
                  "failures and one line for each other task (--all: every failure).\n"},
        {"release", "Usage: ./parlab release DIR\n"
                    "Writes the student edition (everything but solutions/, plus the CI workflow) into DIR, which\n"
                    "must not exist or be empty.\n"},
        {"package", "Usage: ./parlab package gradescope [LAB...] [OUT.zip] [--when-not-run award|exclude]\n"
                    "Writes a Gradescope autograder for an assignment of these labs (all when none is named;\n"
                    "default OUT.zip: parlab-gradescope.zip). A check the container cannot run (a timing check\n"
                    "under less than the whole cores it needs) is left out of the maximum, or given its points\n"
                    "with --when-not-run award.\n"},
        {"bench", "Usage: ./parlab bench [--only LAB] [--mine] [--max-workers N] [--repetitions R]\n"
                  "Timing tables on this machine, from every lab's bench program: of the model solutions, or of\n"
                  "your own code with --mine (a student edition, which has no solutions, always times yours).\n"},
    };
    return usage;
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
    if (const auto usage = command_usage().find(command);
        usage != command_usage().end() && (std::find(args.begin(), args.end(), "--help") != args.end() ||
                                           std::find(args.begin(), args.end(), "-h") != args.end())) {
        fmt::print("{}", usage->second);
        return 0;
    }
    try {
        if (command == "grade") return command_grade(args);
        if (command == "batch") return command_batch(args);
        if (command == "report") return command_report(args);
        if (command == "similarity") return command_similarity(args);
        if (command == "list") return command_list(args);
        if (command == "hint") return command_hint(args);
        if (command == "sources") return command_sources(args);
        if (command == "watch") return command_watch(args);
        if (command == "release") return command_release(args);
        if (command == "package") return command_package(args);
        if (command == "bench") return command_bench(args);
        if (command == "check-kit") return command_check_kit(args);
        return command_program(command, args);
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
