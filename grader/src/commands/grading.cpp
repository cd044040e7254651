// The grading commands: grade, batch, similarity and report.

#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <sstream>
#include <utility>

#include "batch.hpp"
#include "class_report.hpp"
#include "commands.hpp"
#include "grade.hpp"
#include "gradebook.hpp"
#include "known_bad.hpp"
#include "machine_turn.hpp"
#include "parlab/workers.hpp"
#include "report.hpp"
#include "sandbox.hpp"
#include "similarity.hpp"
#include "submission.hpp"

namespace parlab::grader::commands {
namespace fs = std::filesystem;

namespace {

void write_reports(const grade_report& report, const arguments& args) {
    if (const auto f = args.value("--json"); !f.empty()) write_file(f, json_report(report).dump(2) + "\n");
    if (const auto f = args.value("--junit"); !f.empty()) write_file(f, junit_report(report));
    if (const auto f = args.value("--gradescope"); !f.empty()) write_file(f, gradescope_report(report).dump(2) + "\n");
    if (const auto f = args.value("--markdown"); !f.empty()) write_file(f, markdown_report(report));
}

// What is graded and where it is built: --solutions, --submission DIR, or labs/ itself. A
// submission's tree is shared by every submission graded this way (the kit's files are compiled
// once, and a submission compiles only its own), so `submission_tree` holds it until the grade ends.
void choose_source(grade_options& options, const arguments& args, std::optional<file_lock>& submission_tree) {
    const fs::path& root = options.root;
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
}

grade_options options_of(const arguments& args, const fs::path& root) {
    grade_options options;
    options.build_only = args.flag("--build-only");
    options.root = root;
    options.lab_names = args.positional;
    options.verbose = args.flag("--verbose");
    options.progress = !args.flag("--quiet");
    options.seed = parse_seed(args.value("--seed"));
    options.instead_of_defer = parse_when_not_run(args.value("--when-not-run"));
    options.unsandboxed = args.flag("--unsandboxed");
    for (std::stringstream list(args.value("--check")); list.good();) {
        std::string name;
        std::getline(list, name, ',');
        if (!name.empty()) options.only_checks.push_back(name);
    }
    return options;
}

// The grade, or a report that says why there was nothing to grade (Gradescope shows its
// results.json, whatever happened).
grade_report graded(const grade_options& options) {
    try {
        return parlab::grader::grade(options);
    } catch (const submission_error& error) {
        grade_report report;
        report.submission = options.submission_label;
        report.seed = options.seed;
        report.machine = describe_machine();
        report.error = error.what();
        return report;
    }
}

}  // namespace

int grade(const command_arguments& raw) {
    const auto args = parse_arguments(raw,
                                      {"--root", "--submission", "--seed", "--seeds", "--json", "--junit", "--gradescope",
                                       "--markdown", "--check", "--when-not-run"},
                                      {"--solutions", "--verbose", "--quiet", "--build-only", "--known-bad", "--unsandboxed"});
    const fs::path root = require_root(args);
    if (args.flag("--known-bad")) {
        const int seeds = args.value("--seeds").empty() ? 3 : positive_number(args.value("--seeds"), "--seeds");
        return grade_known_bad_variants(root, args.positional, parse_seed(args.value("--seed")), seeds);
    }
    grade_options options = options_of(args, root);
    std::optional<file_lock> submission_tree;
    choose_source(options, args, submission_tree);
    if (options.progress)
        fmt::print(stderr, "grading {} with seed {} (--seed {} repeats this run)\n", options.submission_label, options.seed,
                   options.seed);
    const grade_report report = graded(options);
    (void)kill_leftover_children();  // nothing of the run is left when the reports are written
    if (options.build_only) return 0;
    fmt::print("{}", terminal_report(report, colour_on_stdout(), options.verbose));
    write_reports(report, args);
    write_file(options.work / "last.json", json_report(report).dump(2) + "\n");
    if (!report.error.empty()) return 2;
    return report.all_passed() ? 0 : 1;
}

const char* const batch_usage = R"(Usage: ./parlab batch DIR --csv FILE [--reports DIR] [--jobs N] [--force | --deferred] [--markdown] [--seed N]
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

int batch(const command_arguments& raw) {
    const auto args =
        parse_arguments(raw, {"--root", "--csv", "--reports", "--seed", "--jobs", "--roster", "--canvas", "--moodle", "--marks",
                               "--feedback"},
                        {"--force", "--deferred", "--markdown", "--unsandboxed", "--bom"});
    batch_options options;
    options.root = require_root(args);
    options.submissions = submissions_folder(args, "batch", "batch DIR --csv FILE");
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

int similarity(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root", "--out", "--threshold"}, {});
    similarity_options options;
    options.root = require_root(args);
    options.submissions = submissions_folder(args, "similarity", "./parlab similarity DIR --out FILE.html");
    options.lab_names.assign(args.positional.begin() + 1, args.positional.end());
    if (args.value("--out").empty()) throw usage_error("similarity needs --out FILE.html, the page to write");
    options.out = args.value("--out");
    if (const auto t = args.value("--threshold"); !t.empty()) {
        options.threshold = positive_number(t, "--threshold");
        if (options.threshold > 100) throw usage_error("--threshold is a percentage: 1 to 100");
    }
    const auto pairs = find_similar(options);
    write_file(options.out, similarity_html(pairs, options, submission_folders(options.submissions).size()));
    for (const auto& p : pairs)
        fmt::print("{}  {} / {}  {}% / {}%\n", p.lab, p.first, p.second, p.first_share, p.second_share);
    fmt::print(stderr, "similarity: {} pair{} at or above {}%; wrote {}\n", pairs.size(), pairs.size() == 1 ? "" : "s",
               options.threshold, options.out.string());
    return 0;
}

int report(const command_arguments& raw) {
    const auto args = parse_arguments(raw, {"--root"}, {});
    if (args.positional.size() != 2) throw usage_error("report needs the reports folder and the page to write: ./parlab report REPORTS_DIR OUT.html");
    const fs::path dir = args.positional[0], out = args.positional[1];
    const report_set set = load_reports(dir, kit_labs(require_root(args)));
    for (const auto& warning : set.warnings) fmt::print(stderr, "parlab: warning: {}\n", warning);
    write_file(out, class_report_html(set, dir, out));
    fmt::print(stderr, "report: wrote {} from {} reports\n", out.string(), set.reports.size());
    return 0;
}

}  // namespace parlab::grader::commands
