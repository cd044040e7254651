// The grading commands: grade, batch, report and similarity.

#include <unistd.h>

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <limits>
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

struct grade_arguments {
    fs::path root;
    std::vector<std::string> labs;
    bool solutions = false;
    std::string submission;
    bool unsandboxed = false;
    std::optional<unsigned long long> seed;
    std::vector<std::string> checks;
    bool verbose = false;
    bool quiet = false;
    fs::path json, junit, gradescope, markdown;
    std::optional<not_run_policy> when_not_run;
    bool build_only = false;
    bool light_build = false;
    bool known_bad = false;
    int seeds = 3;
    int sample = 0;
    std::optional<unsigned long long> turn;
};

struct batch_arguments {
    fs::path root;
    batch_options options;  ///< as given; run_batch gets them made absolute
    std::size_t jobs = 0;   ///< 0: the machine's cores
    fs::path canvas, moodle;
};

struct similarity_arguments {
    fs::path root;
    similarity_options options;
};

struct report_arguments {
    fs::path root;
    fs::path reports, page;
};

void write_reports(const grade_report& report, const grade_arguments& args) {
    if (!args.json.empty()) write_file(args.json, json_report(report).dump(2) + "\n");
    if (!args.junit.empty()) write_file(args.junit, junit_report(report));
    if (!args.gradescope.empty()) write_file(args.gradescope, gradescope_report(report).dump(2) + "\n");
    if (!args.markdown.empty()) write_file(args.markdown, markdown_report(report));
}

// What is graded and where it is built: --solutions, --submission DIR, or labs/ itself. A
// submission's tree is shared by every submission graded this way (the kit's files are compiled
// once, and a submission compiles only its own), so `submission_tree` holds it until the grade ends.
void choose_source(grade_options& options, const grade_arguments& args, std::optional<file_lock>& submission_tree) {
    const fs::path& root = options.root;
    if (args.solutions) {
        if (!fs::is_directory(root / "solutions"))
            throw usage_error("this copy of the kit has no solutions/ (it is the student edition)");
        options.lab_source = root / "solutions";  // only the editable files, laid over labs/ like a submission
        options.overlay = true;
        options.submission_label = "solutions/";
        options.work = root / "build" / "grade" / "solutions";
    } else if (!args.submission.empty()) {
        options.lab_source = fs::canonical(args.submission);
        options.overlay = true;
        options.submission_label = args.submission;
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

grade_options options_of(const grade_arguments& args) {
    grade_options options;
    options.build_only = args.build_only;
    options.light_optimisation = args.light_build;
    options.root = args.root;
    options.lab_names = args.labs;
    options.verbose = args.verbose;
    options.progress = !args.quiet;
    options.seed = args.seed ? *args.seed : draw_seed();
    options.instead_of_defer = args.when_not_run;
    options.unsandboxed = args.unsandboxed;
    options.only_checks = args.checks;
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

int grade(const grade_arguments& args) {
    if (args.known_bad)
        return grade_known_bad_variants(
            {args.root, args.labs, args.seed ? *args.seed : draw_seed(), args.seeds, args.sample, args.turn});
    grade_options options = options_of(args);
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

int batch(const batch_arguments& args) {
    batch_options options = args.options;
    options.root = args.root;
    options.csv = fs::absolute(options.csv);
    options.reports = fs::absolute(options.reports.empty() ? options.csv.parent_path() / "reports" : options.reports);
    for (fs::path* path : {&options.roster, &options.marks, &options.feedback})
        if (!path->empty()) *path = fs::absolute(*path);
    if (!args.canvas.empty()) options.lms_exports.emplace_back(lms_kind::canvas, fs::absolute(args.canvas));
    if (!args.moodle.empty()) options.lms_exports.emplace_back(lms_kind::moodle, fs::absolute(args.moodle));
    // Said before the first submission, not once per student in the gradebook.
    if (const std::string refusal = unsandboxed_refusal(unprivileged_user()); !refusal.empty() && !options.unsandboxed)
        throw usage_error("batch: " + refusal);
    options.jobs = args.jobs != 0 ? args.jobs : parlab::available_cpus();
    try {
        (void)run_batch(options);
    } catch (const batch_interrupted& stopped) {
        fmt::print(stderr, "{}\n", stopped.what());
        return 128 + stopped.signal;
    }
    return 0;
}

int similarity(const similarity_arguments& args) {
    similarity_options options = args.options;
    options.root = args.root;
    const auto pairs = find_similar(options);
    write_file(options.out, similarity_html(pairs, options, submission_folders(options.submissions).size()));
    for (const auto& p : pairs)
        fmt::print("{}  {} / {}  {}% / {}%\n", p.lab, p.first, p.second, p.first_share, p.second_share);
    fmt::print(stderr, "similarity: {} pair{} at or above {}%; wrote {}\n", pairs.size(), pairs.size() == 1 ? "" : "s",
               options.threshold, options.out.string());
    return 0;
}

int report(const report_arguments& args) {
    const report_set set = load_reports(args.reports, kit_labs(args.root));
    for (const auto& warning : set.warnings) fmt::print(stderr, "parlab: warning: {}\n", warning);
    write_file(args.page, class_report_html(set, args.reports, args.page));
    fmt::print(stderr, "report: wrote {} from {} reports\n", args.page.string(), set.reports.size());
    return 0;
}

void define_grade(command_line& cli) {
    auto [app, args] = cli.add<grade_arguments>(
        {"grade",
         "Grades labs/ (or the solutions, or a submission folder laid out like labs/), every lab or the ones named. "
         "Exit code 0 when every check passed, 1 when some did not, 2 for a usage error.\n"
         "Every run of graded code is in namespaces of its own (bubblewrap: no network, no other process, only its run "
         "folder writable); a submission is graded without them only as root (its code then runs as another user) or "
         "with --unsandboxed.",
         {{audience::students, "grade [LAB...]",
           "grade your labs (all, or the ones named; a lab is named by its short name, folder or number, as "
           "./parlab list shows them); see grade --help"},
          {audience::instructors, "grade --submission DIR | --solutions", "grade another copy, or the model solutions"}}},
        grade);
    app.add_option("LAB", args.labs, "a lab to grade: its short name, folder or number (none: every lab)");
    add_seed_option(app, args.seed, "the seed of the hidden inputs (a grade prints its own; giving it repeats that run)");
    app.add_option("--check", args.checks, "grade only these checks, by the names the report gives them")
        ->type_name("NAME,...")->delimiter(',')->allow_extra_args(false);
    app.add_flag("--verbose", args.verbose, "every check's time, description and details in full, and the sandbox");
    app.add_flag("--quiet", args.quiet, "no progress line on stderr");
    CLI::Option* solutions = app.add_flag("--solutions", args.solutions, "grade the model solutions (solutions/) instead")
                                 ->group("What to grade instead of labs/");
    app.add_option("--submission", args.submission, "grade a submission folder, laid out like labs/ or as loose files")
        ->type_name("DIR")->check(existing_folder)->excludes(solutions)->group("What to grade instead of labs/");
    app.add_flag("--unsandboxed", args.unsandboxed, "grade a submission without namespaces where none can be made")
        ->group("What to grade instead of labs/");
    app.add_option("--json", args.json, "the report as JSON")->type_name("FILE")->group("Reports to write too");
    app.add_option("--junit", args.junit, "the report as JUnit XML (for CI)")->type_name("FILE")->group("Reports to write too");
    app.add_option("--gradescope", args.gradescope, "the report as Gradescope's results.json")->type_name("FILE")
        ->group("Reports to write too");
    app.add_option("--markdown", args.markdown, "the report as Markdown")->type_name("FILE")->group("Reports to write too");
    add_when_not_run_option(app, args.when_not_run,
                            "what a check this machine cannot run is worth where the rubric says defer: its points, or "
                            "left out of the maximum")->group("For instructors and the kit");
    app.add_flag("--build-only", args.build_only, "build what the grade needs and run no check (a Gradescope image's set-up)")
        ->group("For instructors and the kit");
    app.add_flag("--light-build", args.light_build,
                 "compile at -O1 (about half the compiling) and time nothing: the timing checks are not run (the kit's "
                 "own test of the skeletons)")
        ->group("For instructors and the kit");
    CLI::Option* known_bad =
        app.add_flag("--known-bad", args.known_bad,
                     "instead of grading: run the lab's tests that every known-bad variant of the solutions "
                     "(solutions/NN-name/kit.json) must fail, grade it with --seeds seeds, and say whether the tests "
                     "failed it and it lost points in its task; then grade the lab's untouched skeleton, which may "
                     "score only its lab.json's given_checks (exit 1 when a variant or a skeleton did not)")
            ->group("For instructors and the kit");
    app.add_option("--seeds", args.seeds, "how many seeds --known-bad grades each variant with (3)")
        ->type_name("K")->check(whole_number(1, 100))->needs(known_bad)->group("For instructors and the kit");
    CLI::Option* sample =
        app.add_option("--sample", args.sample,
                       "with --known-bad: grade only N variants of each lab, drawn with the seed (every patch is "
                       "checked to apply when the grader is built)")
            ->type_name("N")->check(whole_number(1, 100))->needs(known_bad)->group("For instructors and the kit");
    app.add_option_function<unsigned long long>(
           "--turn", [&turn = args.turn](const unsigned long long& value) { turn = value; },
           "with --sample: grade the T-th group of N variants of each lab in kit.json's order instead of a draw, so "
           "that turns 0, 1, 2, ... grade every one; ./parlab test takes the commit count as T")
        ->type_name("T")
        ->check(whole_number(0, std::numeric_limits<unsigned long long>::max()))
        ->needs(sample)
        ->group("For instructors and the kit");
}

void define_batch(command_line& cli) {
    auto [app, args] = cli.add<batch_arguments>(
        {"batch",
         "Grades every submission folder in DIR (one per student, laid out like labs/ or loose files) and writes the "
         "gradebook FILE (CSV) and one JSON report per student. A submission unchanged since its report is skipped.\n"
         "Every run of a submission's code is in namespaces of its own (bubblewrap); where none can be made and the "
         "grader is not root, it refuses unless told --unsandboxed.\n"
         "Ctrl-C (SIGINT) or SIGTERM ends every job and every run they started; the batch exits with 128 + the signal, "
         "writes no CSV, and the same command again resumes (a submission whose job was stopped or died is graded "
         "again). A second batch on the same kit refuses while one runs.",
         {{audience::instructors,
           "batch DIR --csv FILE [--jobs N] [--force] [--markdown] [--seed N] [--roster F [--canvas F] [--moodle F]] "
           "[--bom] [LAB...]",
           "grade every submission folder in DIR, N at a time (resumes; only changed ones are graded again)"}}},
        batch);
    batch_options& options = args.options;
    add_submissions_argument(app, options.submissions);
    app.add_option("LAB", options.lab_names, "grade only these labs (none: every lab a submission has)");
    app.add_option("--csv", options.csv, "the gradebook to write")->type_name("FILE")->required();
    app.add_option("--reports", options.reports, "where the JSON reports go (default: reports/ beside the CSV)")
        ->type_name("DIR");
    app.add_option("--jobs", args.jobs,
                   "grade N submissions at once (default: the machine's cores); a timing check still waits until it "
                   "has the machine alone. Each job keeps one build tree and reuses it, so the kit's own files are "
                   "compiled once per job and each submission compiles only its own files")
        ->type_name("N")->check(whole_number(1, 64));
    CLI::Option* force = app.add_flag("--force", options.force, "grade every submission again, changed or not");
    app.add_flag("--deferred", options.deferred,
                 "run only the timing checks the reports have as not run here (deferred: the machine was busy, or "
                 "lacked the cores) or inconclusive, and put their results into those reports: run it on a quiet "
                 "machine after a batch on a busy one")
        ->excludes(force);
    app.add_flag("--markdown", options.markdown, "a Markdown report beside each JSON one");
    add_seed_option(app, options.seed, "the seed of the hidden inputs (default: the one the batch's reports keep, or a new one)");
    app.add_flag("--unsandboxed", options.unsandboxed, "grade without namespaces where none can be made");
    CLI::Option* roster =
        app.add_option("--roster", options.roster,
                       "a CSV with the header id,name,section,folder and one student a line (folder: the name of their "
                       "submission folder); folders not in it get a warning and stay in the --csv gradebook")
            ->type_name("FILE")->group("Grade imports");
    app.add_option("--canvas", args.canvas, "a Canvas grade import: a row per roster student (0 with no folder), a column per lab")
        ->type_name("FILE")->needs(roster)->group("Grade imports");
    app.add_option("--moodle", args.moodle, "a Moodle grade import, as --canvas")->type_name("FILE")->needs(roster)
        ->group("Grade imports");
    app.add_flag("--bom", options.bom, "start every CSV with a UTF-8 byte order mark, for Excel")->group("Grade imports");
    app.add_option("--marks", options.marks,
                   "the hand marks of the rubrics' manual checks (written answers), a CSV with the header "
                   "student,lab,check,points,comment; a missing FILE is written as a template with a row per student "
                   "and manual check. Marks go into the reports and the gradebook on every run, without grading "
                   "anything again; a row with empty points is not marked yet (0 points until it is)")
        ->type_name("FILE")->group("Hand marks and feedback");
    app.add_option("--feedback", options.feedback,
                   "write one Markdown file per student (DIR/FOLDER.md): the report and what to look at for each check "
                   "that lost points, ready to hand back")
        ->type_name("DIR")->group("Hand marks and feedback");
}

void define_report(command_line& cli) {
    auto [app, args] = cli.add<report_arguments>(
        {"report", "Writes one self-contained HTML page on a class from the JSON reports of ./parlab batch.",
         {{audience::instructors, "report REPORTS_DIR OUT.html", "one HTML page on the class from batch's reports"}}},
        report);
    app.add_option("REPORTS_DIR", args.reports, "the reports folder of a batch")->required()->check(existing_folder);
    app.add_option("OUT.html", args.page, "the page to write")->required();
}

void define_similarity(command_line& cli) {
    auto [app, args] = cli.add<similarity_arguments>(
        {"similarity",
         "Compares every pair of submission folders in DIR lab by lab with sim_c++ (the similarity-tester package), "
         "leaving out the lines the skeleton gives, and writes FILE.html: the pairs where either holds at least "
         "PERCENT of the other's code, with the matching code side by side.",
         {{audience::instructors, "similarity DIR --out FILE.html [LAB...]",
           "pairs of submissions that share code, side by side (sim_c++)"}}},
        similarity);
    similarity_options& options = args.options;
    add_submissions_argument(app, options.submissions);
    app.add_option("LAB", options.lab_names, "compare only these labs (none: every lab a submission has)");
    app.add_option("--out", options.out, "the page to write")->type_name("FILE.html")->required();
    app.add_option("--threshold", options.threshold, "the share of code that lists a pair (50)")
        ->type_name("PERCENT")->check(whole_number(1, 100));
}

}  // namespace

void define_grading(command_line& cli) {
    define_grade(cli);
    define_batch(cli);
    define_report(cli);
    define_similarity(cli);
}

}  // namespace parlab::grader::commands
