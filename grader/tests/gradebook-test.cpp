// The gradebook (CSV of a batch) and the class report (HTML), on synthetic reports.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "batch.hpp"
#include "checks.hpp"
#include "class_report.hpp"
#include "gradebook.hpp"
#include "lab_cache.hpp"
#include "machine_turn.hpp"
#include "marks.hpp"
#include "process_table.hpp"
#include "report.hpp"
#include "submission.hpp"
#include "parlab/testing.hpp"

using namespace parlab::grader;
using parlab::testing::contains;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A check of task 1 as a grade reports it, with `score` of `max` points.
check_result check(const std::string& name, const std::string& status, double score, double max, const std::string& type = "probe") {
    check_result c;
    c.name = name;
    c.task = 1;
    c.type = type;
    c.status = status_named(status).value();
    c.score = score;
    c.max_score = max;
    c.message = status + " " + name;
    return c;
}

// A lab of two probe checks: mutex-threads (60 points) and atomic-threads (40).
lab_info race_lab() {
    lab_info lab;
    lab.folder = "01-race-condition";
    lab.name = "race-condition";
    for (const auto& [name, points] : {std::pair{"mutex-threads", 60.0}, std::pair{"atomic-threads", 40.0}}) {
        check_spec spec;
        spec.name = name;
        spec.points = points;
        lab.checks.push_back(spec);
    }
    return lab;
}

// A lab of its own for a second lab in a report.
lab_info lock_lab() {
    lab_info lab;
    lab.folder = "02-lock-placement";
    lab.name = "lock-placement";
    return lab;
}

// `who`'s report, seed 7, with `checks` in race_lab().
grade_report report(const std::string& who, std::vector<check_result> checks) {
    grade_report r;
    r.submission = who;
    r.seed = 7;
    r.machine = "test box";
    r.labs.push_back({race_lab(), std::move(checks), false});
    return r;
}

// `who`'s report with one check of `score` out of `max`.
grade_report scored(const std::string& who, double score, double max) {
    return report(who, {check("all", score > 0 ? "passed" : "failed", score, max)});
}

// A folder of its own under /tmp for the test, removed at the end.
struct scratch_dir {
    fs::path path = fs::temp_directory_path() / ("parlab-gradebook-test-" + std::to_string(::getpid()));
    scratch_dir() { fs::create_directories(path); }
    ~scratch_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    void write(const std::string& name, const std::string& text) const {
        fs::create_directories((path / name).parent_path());
        std::ofstream(path / name) << text;
    }
    [[nodiscard]] std::string read_text(const fs::path& file) const {
        std::ostringstream text;
        text << std::ifstream(file).rdbuf();
        return text.str();
    }
};

// Lab 01 of a kit of its own in `dir`: its lab.json (tasks 1 and 2, bank.cpp) and a rubric of two
// probe checks, mutex-threads (task 1) and atomic-threads (task 2), with these points.
void write_race_lab(const scratch_dir& dir, double mutex_points, double atomic_points) {
    dir.write("kit/labs/01-race-condition/lab.json",
              R"({"number": 1, "name": "race-condition", "sources": ["bank.cpp"], "tasks": [{"id": 1}, {"id": 2}]})");
    dir.write("kit/grader/labs/01-race-condition/rubric.json",
              json{{"checks", {{{"name", "mutex-threads"}, {"task", 1}, {"points", mutex_points}, {"type", "probe"}},
                               {{"name", "atomic-threads"}, {"task", 2}, {"points", atomic_points}, {"type", "probe"}}}}}
                  .dump());
}

// The labs of the kit in `dir`, as the grader loads them.
std::vector<lab_info> kit_labs(const scratch_dir& dir) {
    return load_labs(dir.path / "kit" / "labs", dir.path / "kit" / "grader" / "labs");
}

// Every check of `lab` passed, as a grade reports it.
lab_result all_passed(const lab_info& lab) {
    lab_result result;
    result.lab = lab;
    for (const auto& spec : lab.checks) {
        check_result c;
        c.name = spec.name;
        c.task = spec.task;
        c.type = spec.type();
        c.status = check_status::passed;
        c.fraction = 1;
        c.rubric = spec.settings;
        apply_points(c, spec);
        result.checks.push_back(c);
    }
    return result;
}

// A check as a batch stores it: its outcome, the fraction of its points earned and the rubric
// entry (without points) it was graded under.
json stored_check(const std::string& name, int task, const std::string& status, double fraction, double points) {
    return {{"name", name}, {"task", task}, {"type", "probe"}, {"status", status}, {"score", fraction * points},
            {"max_score", points}, {"fraction", fraction}, {"rubric", {{"name", name}, {"task", task}, {"type", "probe"}}},
            {"message", status + " " + name}, {"details", ""}, {"hint", ""}, {"artifact", ""}, {"seconds", 2.5},
            {"measured", nullptr}};
}

// A kit whose lab 01 never finishes building: configuring it starts, under the job's run of
// CMake, a shell that writes its process number into pids/ and sleeps for five minutes.
void write_blocking_kit(const scratch_dir& dir) {
    write_race_lab(dir, 60, 40);
    fs::create_directories(dir.path / "pids");
    fs::permissions(dir.path / "pids", fs::perms::all);  // the compiler's user writes there when the grader is root
    dir.write("kit/CMakeLists.txt", "cmake_minimum_required(VERSION 3.16)\nproject(blocking NONE)\n"
                                    "string(RANDOM name)\n"
                                    "execute_process(COMMAND sh -c \"echo $$ > " + (dir.path / "pids").string() +
                                        "/${name}.tmp && mv " + (dir.path / "pids").string() + "/${name}.tmp " +
                                        (dir.path / "pids").string() + "/${name}; exec sleep 300\")\n");
}

// The processes whose parent is `parent`.
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> children;
    for_each_process([&](pid_t pid, const char* fields) {
        char state = 0;
        int ppid = 0;
        if (std::sscanf(fields, " %c %d", &state, &ppid) == 2 && ppid == parent) children.push_back(pid);
    });
    return children;
}

pid_t parent_of(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    int ppid = 0;
    const auto end = line.rfind(')');
    if (end == std::string::npos || std::sscanf(line.c_str() + end + 1, " %*c %d", &ppid) != 1) return 0;
    return ppid;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

// The process numbers the blocking kit's sleepers wrote, once `count` of them have (empty after
// a minute without).
std::vector<pid_t> wait_for_sleepers(const scratch_dir& dir, std::size_t count) {
    for (int tries = 0; tries < 600; ++tries) {
        std::vector<pid_t> pids;
        for (const auto& entry : fs::directory_iterator(dir.path / "pids"))
            if (entry.path().extension() != ".tmp") pids.push_back(std::stoi(dir.read_text(entry.path())));
        if (pids.size() >= count) return pids;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return {};
}

// A batch of the kit in `dir` over its class/ folder, writing grades.csv and reports/ there;
// the tests add the options they are about.
batch_options batch_in(const scratch_dir& dir) {
    batch_options options;
    options.root = dir.path / "kit";
    options.submissions = dir.path / "class";
    options.csv = dir.path / "grades.csv";
    options.reports = dir.path / "reports";
    return options;
}

// A batch of the blocking kit over `students` (one bank.cpp each), `jobs` at a time.
batch_options blocking_batch(const scratch_dir& dir, const std::vector<std::string>& students, std::size_t jobs) {
    write_blocking_kit(dir);
    for (const auto& who : students) dir.write("class/" + who + "/bank.cpp", "int balance; // " + who);
    batch_options options = batch_in(dir);
    options.jobs = jobs;
    options.unsandboxed = true;  // where bubblewrap is missing; nothing here runs a submission's code
    options.seed = 7;
    return options;
}

}  // namespace

TEST_CASE("points are rounded to two decimals without float noise", "[grader][gradebook]") {
    CHECK(format_points(39.09090909090909) == "39.09");
    CHECK(format_points(40.0) == "40");
    CHECK(format_points(12.5) == "12.5");
    CHECK(format_points(0.1 + 0.2) == "0.3");
    CHECK(format_points(-0.0001) == "0");
}

TEST_CASE("the gradebook has per-lab, per-check, seed and error columns", "[grader][gradebook]") {
    const grade_report full = report("alice", {check("mutex-threads", "passed", 60.0 / 3.0, 60), check("atomic-threads", "failed", 40.0 / 3.0, 40)});
    const grade_report broken = report("bob, jr", {check("mutex-threads", "error", 0, 60), check("atomic-threads", "error", 0, 40)});
    grade_report crashed;
    crashed.submission = "carol";
    crashed.seed = 7;
    crashed.error = "no labs/ here";
    const std::string csv = gradebook_csv({race_lab()}, {full, broken, crashed});
    CHECK_THAT(csv, contains("submission,01-race-condition,01-race-condition max,01-race-condition/mutex-threads,"
                             "01-race-condition/atomic-threads,total,max,seed,error\n"));
    CHECK_THAT(csv, contains("\nalice,33.33,100,20,13.33,33.33,100,7,\n"));
    CHECK_THAT(csv, contains("\n\"bob, jr\",0,100,0,0,0,100,7,01-race-condition: error mutex-threads\n"));
    CHECK_THAT(csv, contains("\ncarol,,100,,,0,100,7,no labs/ here\n"));
}

TEST_CASE("a submission's content hash follows its files", "[grader][gradebook]") {
    scratch_dir dir;
    dir.write("bank.cpp", "int x;");
    const std::string first = content_hash(dir.path);
    CHECK(content_hash(dir.path) == first);
    dir.write("bank.cpp", "int y;");
    const std::string edited = content_hash(dir.path);
    CHECK(edited != first);
    fs::create_directories(dir.path / ".git");
    dir.write(".git/HEAD", "ref: main");
    CHECK(content_hash(dir.path) == edited);  // git's own files do not count
    fs::rename(dir.path / "bank.cpp", dir.path / "bank2.cpp");
    CHECK(content_hash(dir.path) != edited);
    CHECK(submission_key(dir.path).rfind("sub-", 0) == 0);
}

TEST_CASE("the progress line estimates the time left", "[grader][gradebook]") {
    CHECK(progress_text(42, 0, 30) == "0:42 elapsed");
    CHECK(progress_text(42, 2, 10) == "0:42 elapsed, about 3:30 left");
    CHECK(progress_text(4000, 1, 1) == "1:06:40 elapsed, about 1:06:40 left");
}

TEST_CASE("the class histogram bins scores by tenths of the maximum", "[grader][report]") {
    std::vector<student_report> reports;
    for (const double score : {0.0, 9.9, 10.0, 55.0, 99.0, 100.0}) reports.push_back({"s", scored("s", score, 100)});
    reports.push_back({"half", scored("half", 25, 50)});  // 50% of a smaller maximum
    const auto bins = score_histogram(reports);
    CHECK(bins[0] == 2);
    CHECK(bins[1] == 1);
    CHECK(bins[5] == 2);
    CHECK(bins[9] == 2);
    CHECK(bins[2] + bins[3] + bins[4] + bins[6] + bins[7] + bins[8] == 0);
}

TEST_CASE("pass rates list the hardest check first", "[grader][report]") {
    std::vector<student_report> reports;
    reports.push_back({"a", report("a", {check("easy", "passed", 1, 1), check("hard", "failed", 0, 1), check("middle", "passed", 1, 1)})});
    reports.push_back({"b", report("b", {check("easy", "passed", 1, 1), check("hard", "timeout", 0, 1), check("middle", "failed", 0, 1)})});
    const auto rates = pass_rates(reports);
    REQUIRE(rates.size() == 3);
    CHECK(rates[0].check == "hard");
    CHECK(rates[0].rate() == 0.0);
    CHECK(rates[1].check == "middle");
    CHECK(rates[1].passed == 1);
    CHECK(rates[1].total == 2);
    CHECK(rates[2].check == "easy");
}

TEST_CASE("the class page escapes text from reports and links Markdown reports", "[grader][report]") {
    scratch_dir dir;
    grade_report evil = report("<script>alert(1)</script>", {check("x<y", "failed", 0, 10), check("fast", "skipped", 0, 5, "timing")});
    evil.machine = "box & <b>bold</b>";
    dir.write("eve.json", json_report(evil).dump());
    dir.write("eve.md", "# report");
    dir.write("zed.json", json_report(report("zed", {check("x<y", "passed", 10, 10)})).dump());
    dir.write("broken.json", "{ not json");
    json renamed = json_report(report("ray", {check("x<y", "passed", 10, 10)}));
    renamed["labs"][0]["checks"][0]["points"] = renamed["labs"][0]["checks"][0]["score"];  // a field renamed is not read as 0
    renamed["labs"][0]["checks"][0].erase("score");
    dir.write("ray.json", renamed.dump());
    dir.write(".batch.json", R"({"seed": 7})");
    const report_set set = load_reports(dir.path, {race_lab()});
    REQUIRE(set.reports.size() == 2);
    REQUIRE(set.warnings.size() == 2);
    CHECK_THAT(set.warnings[0], contains("broken.json: malformed JSON"));
    CHECK_THAT(set.warnings[1], contains("ray.json: not a report this grader reads"));
    CHECK_THAT(set.warnings[1], contains("score"));
    const std::string html = class_report_html(set, dir.path);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<b>bold") == std::string::npos);
    CHECK_THAT(html, contains("box &amp; &lt;b&gt;bold&lt;/b&gt;"));
    CHECK_THAT(html, contains("x&lt;y"));
    CHECK_THAT(html, contains(R"(<a href="eve.md">eve</a>)"));
    CHECK(html.find("href=\"zed.md\"") == std::string::npos);
    CHECK_THAT(html, contains("<svg"));
    CHECK_THAT(html, contains("skipped"));  // the skipped timing check is an outlier
    CHECK(html.find("http") == std::string::npos);  // nothing fetched from anywhere
}

TEST_CASE("the class report keeps deferred checks apart from failures and flags who needs a look", "[grader][report]") {
    scratch_dir dir;
    // ann passed everything that ran, her timing check deferred; bob failed, lab 02 missing;
    // cy handed in lab 01's skeleton untouched
    grade_report ann = report("ann", {check("fast", "skipped", 0, 10, "timing"), check("right", "passed", 90, 90)});
    grade_report bob = report("bob", {check("fast", "skipped", 0, 10, "timing"), check("right", "failed", 0, 90)});
    bob.labs.push_back({lock_lab(), {check("sum", "error", 0, 50)}, false});
    bob.labs[1].checks[0].message = "no submission for 02-lock-placement: the submission has no dot.cpp";
    grade_report cy = report("cy", {check("fast", "skipped", 0, 10, "timing"), check("right", "failed", 40, 90)});
    cy.labs[0].unchanged_skeleton = true;
    const std::vector<student_report> reports{{"ann", ann}, {"bob", bob}, {"cy", cy}};
    const std::vector<lab_info> labs{race_lab(), lock_lab()};

    // a check deferred for everyone has no pass rate; the deferred one is not counted as failed
    const auto rates = pass_rates(reports);
    const auto fast = std::find_if(rates.begin(), rates.end(), [](const pass_rate& p) { return p.check == "fast"; });
    REQUIRE(fast != rates.end());
    CHECK(fast->total == 0);
    CHECK(fast->not_run == 3);
    CHECK(rates.back().check == "fast");  // not the "hardest" check

    CHECK(student_flags(ann).empty());
    CHECK(student_flags(bob) == "below half; missing: 02-lock-placement");
    CHECK(student_flags(cy) == "below half; skeleton unchanged: 01-race-condition");

    for (const auto& [name, graded] : reports) dir.write(name + ".json", json_report(graded).dump());
    dir.write("bob.md", "# bob");
    const std::string html = class_report_html(load_reports(dir.path, labs), dir.path);
    CHECK_THAT(html, contains("Not run for anyone yet"));
    CHECK_THAT(html, contains("<code>01-race-condition / fast</code> (3 deferred)"));
    CHECK(html.find(">bob<") < html.find(">cy<"));  // lowest score first
    CHECK(html.find(">cy<") < html.find(">ann<"));

    // the page written elsewhere links the Markdown report from where the page is
    const std::string elsewhere = class_report_html(load_reports(dir.path, labs), dir.path, dir.path / "site" / "class.html");
    CHECK_THAT(elsewhere, contains(R"(<a href="../bob.md">bob</a>)"));

    // a check marked by hand that nobody has a mark for yet is waiting for the marker, not deferred
    for (auto* who : {&ann, &bob, &cy}) who->labs[0].checks[0].type = "manual";
    for (const auto& [name, graded] : std::vector<student_report>{{"ann", ann}, {"bob", bob}, {"cy", cy}})
        dir.write(name + ".json", json_report(graded).dump());
    const std::string marked = class_report_html(load_reports(dir.path, labs), dir.path);
    CHECK_THAT(marked, contains("<code>01-race-condition / fast</code> (3 not marked yet)"));
}

TEST_CASE("batch --deferred finds the timing checks that wait and puts their new results in", "[grader][gradebook]") {
    const grade_report stored = report("ann", {check("right", "passed", 90, 90), check("fast", "skipped", 0, 10, "timing"),
                                               check("noisy", "inconclusive", 0, 10, "timing"), check("slow", "failed", 0, 0, "timing")});
    const auto waiting = waiting_timing_checks(stored);
    REQUIRE(waiting.size() == 1);
    CHECK(waiting.at("01-race-condition") == std::vector<std::string>{"fast", "noisy"});  // not the failed one

    lab_info lab;
    lab.folder = "01-race-condition";
    grade_report before;
    before.labs.push_back({lab, {}});
    for (const char* name : {"right", "fast", "noisy"}) {
        check_result c;
        c.name = name;
        c.max_score = 10;
        c.status = std::string(name) == "right" ? check_status::passed : check_status::skipped;
        c.score = c.status == check_status::passed ? 10 : 0;
        before.labs[0].checks.push_back(c);
    }
    grade_report again;
    again.labs.push_back({lab, {before.labs[0].checks[1]}});
    again.labs[0].checks[0].status = check_status::passed;
    again.labs[0].checks[0].score = 10;
    replace_checks(before, again);
    CHECK(before.labs[0].checks[1].status == check_status::passed);
    CHECK(before.labs[0].checks[2].status == check_status::skipped);  // not graded again: kept
    CHECK(before.score() == 20);
    CHECK(before.max_score() == 30);
}

TEST_CASE("the class report refuses a missing folder or one without reports", "[grader][report]") {
    scratch_dir dir;
    CHECK_THROWS_AS(load_reports(dir.path / "nowhere", {race_lab()}), std::invalid_argument);
    CHECK_THROWS_AS(load_reports(dir.path, {race_lab()}), std::invalid_argument);
    dir.write("a.json", "[1, 2]");
    CHECK_THROWS_AS(load_reports(dir.path, {race_lab()}), std::invalid_argument);
    dir.write("a.json", json_report(report("a", {})).dump());
    CHECK_THROWS_AS(load_reports(dir.path, {lock_lab()}), std::invalid_argument);  // a lab this kit does not have
}

TEST_CASE("what the submission loader noted reaches the error column", "[grader][gradebook]") {
    grade_report dana = report("dana", {check("mutex-threads", "passed", 60, 60), check("atomic-threads", "passed", 40, 40)});
    dana.notes = {"bank (1).cpp was ignored: no lab has a file of that name"};
    grade_report erin = report("erin", {check("mutex-threads", "error", 0, 60), check("atomic-threads", "error", 0, 40)});
    erin.notes = {"error mutex-threads", "notes.txt was ignored: no lab has a file of that name"};  // the first is said once
    CHECK(grading_errors(dana) == "bank (1).cpp was ignored: no lab has a file of that name");
    CHECK(grading_errors(erin) == "01-race-condition: error mutex-threads; notes.txt was ignored: no lab has a file of that name");
    // the gradebook's error column says it
    CHECK_THAT(gradebook_csv({race_lab()}, {dana}), contains("\ndana,100,100,60,40,100,100,7,bank (1).cpp was ignored: no lab has a file of that name\n"));
}

TEST_CASE("a rubric change of points alone is recomputed from the stored results without running anything", "[grader][gradebook]") {
    scratch_dir dir;
    write_race_lab(dir, 60, 40);
    dir.write("class/alice/bank.cpp", "int balance;");
    dir.write("reports/.batch.json", R"({"seed": 7})");
    const json graded = {{"format", report_format}, {"submission", "alice"}, {"score", 80}, {"max_score", 100}, {"seed", 7}, {"machine", "test box"},
                         {"sandbox", "test"}, {"seconds", 123.45}, {"error", ""}, {"notes", json::array()},
                         {"submission_hash", content_hash(dir.path / "class" / "alice")},
                         {"labs", {{{"name", "race-condition"}, {"folder", "01-race-condition"}, {"title", "race-condition"},
                                    {"score", 80}, {"max_score", 100}, {"unchanged_skeleton", false},
                                    {"checks", {stored_check("mutex-threads", 1, "passed", 1.0, 60),
                                                stored_check("atomic-threads", 2, "failed", 0.5, 40)}}}}}};
    dir.write("reports/alice.json", graded.dump(2));
    write_race_lab(dir, 30, 70);  // the instructor moves points from task 1 to task 2

    const batch_options options = batch_in(dir);
    CHECK(run_batch(options) == 1);
    const auto after = read_json(dir.path / "reports" / "alice.json");
    REQUIRE(after);
    // Not graded again: a grade would have run for a while (and failed, in a kit without programs).
    CHECK(after->at("seconds") == 123.45);
    CHECK(after->at("error") == "");
    CHECK(after->at("score") == 65);
    CHECK(after->at("max_score") == 100);
    CHECK(after->at("labs")[0]["checks"][1]["score"] == 35);
    CHECK(after->at("labs")[0]["checks"][1]["message"] == "failed atomic-threads");
    std::ostringstream csv;
    csv << std::ifstream(dir.path / "grades.csv").rdbuf();
    CHECK_THAT(csv.str(), contains("\nalice,65,100,30,35,65,100,7,\n"));
}

TEST_CASE("a batch charges a lab one submission lacks at its full maximum", "[grader][gradebook]") {
    scratch_dir dir;
    write_race_lab(dir, 60, 40);
    dir.write("kit/labs/02-lock-placement/lab.json",
              R"({"number": 2, "name": "lock-placement", "sources": ["dot.cpp"], "tasks": [{"id": 1}]})");
    dir.write("kit/grader/labs/02-lock-placement/rubric.json",
              R"({"checks": [{"name": "dot-threads", "task": 1, "points": 100, "type": "probe"}]})");
    dir.write("kit/labs/03-shared-image-copy/lab.json",
              R"({"number": 3, "name": "shared-image-copy", "sources": ["copy.cpp"], "tasks": [{"id": 1}]})");
    dir.write("kit/grader/labs/03-shared-image-copy/rubric.json",
              R"({"checks": [{"name": "copy-threads", "task": 1, "points": 100, "type": "probe"}]})");
    dir.write("class/alice/bank.cpp", "int balance;");
    dir.write("class/alice/lab2/dot.cpp", "int dot;");
    dir.write("class/bob/bank.cpp", "int balance;");
    const std::vector<lab_info> all = kit_labs(dir);
    const std::vector<fs::path> folders{dir.path / "class" / "alice", dir.path / "class" / "bob"};

    // Without names, the labs any submission has (nobody handed in lab 03); with names, those.
    const std::vector<lab_info> labs = batch_labs(all, {}, folders);
    REQUIRE(labs.size() == 2);
    CHECK(labs[0].folder == "01-race-condition");
    CHECK(labs[1].folder == "02-lock-placement");
    const std::vector<lab_info> named = batch_labs(all, {"3", "race-condition"}, folders);
    REQUIRE(named.size() == 2);
    CHECK(named[1].folder == "03-shared-image-copy");
    CHECK_THROWS_AS(batch_labs(all, {"no-such-lab"}, folders), std::invalid_argument);

    // Bob has no dot.cpp: lab 02 is in his report as grade() puts it there, worth 0 of its 100.
    grade_report alice, bob;
    alice.submission = "alice";
    bob.submission = "bob";
    alice.seed = bob.seed = 7;
    alice.labs = {all_passed(labs[0]), all_passed(labs[1])};
    bob.labs = {all_passed(labs[0]), not_run_lab(labs[1], no_submission(labs[1]))};
    CHECK(bob.max_score() == alice.max_score());
    CHECK(bob.score() == 100);
    const std::string csv = gradebook_csv(labs, {alice, bob});
    CHECK_THAT(csv, contains("\nalice,100,100,60,40,100,100,100,200,200,7,\n"));
    CHECK_THAT(csv, contains("\nbob,100,100,60,40,0,100,0,100,200,7,"
                             "02-lock-placement: no submission for 02-lock-placement: the submission has no dot.cpp\n"));
}

TEST_CASE("a stored report is regraded when its labs or a check's settings changed", "[grader][gradebook]") {
    scratch_dir dir;
    write_race_lab(dir, 60, 40);
    grade_report graded;
    graded.submission = "alice";
    graded.seed = 7;
    graded.seconds = 9.5;
    graded.labs = {all_passed(kit_labs(dir)[0])};
    graded.labs[0].checks[1].status = check_status::failed;
    graded.labs[0].checks[1].fraction = 0.25;
    apply_points(graded.labs[0].checks[1], kit_labs(dir)[0].checks[1]);
    const json written = json_report(graded);
    const grade_report stored = parse_report(written, kit_labs(dir));

    const auto same = rescored(stored, kit_labs(dir));
    REQUIRE(same);
    CHECK(json_report(*same) == written);  // read back as written
    CHECK(written.at("format") == report_format);
    for (const json& other_format : {json(report_format + 1), json(nullptr), json("1")}) {
        json elsewhere = written;  // a report of a layout this grader does not know is never read as one
        elsewhere["format"] = other_format;
        CHECK_FALSE(read_report(elsewhere, kit_labs(dir)));
        CHECK_THROWS_WITH(parse_report(elsewhere, kit_labs(dir)), contains("where this grader reads format 1"));
    }
    write_race_lab(dir, 20, 80);
    const auto repointed = rescored(stored, kit_labs(dir));
    REQUIRE(repointed);
    CHECK(repointed->score() == 40);
    CHECK(repointed->max_score() == 100);
    CHECK(repointed->seconds == 9.5);

    const auto rubric = [&](const std::string& atomic_extra) {
        dir.write("kit/grader/labs/01-race-condition/rubric.json",
                  R"({"checks": [{"name": "mutex-threads", "task": 1, "points": 60, "type": "probe"},)"
                  R"({"name": "atomic-threads", "task": 2, "points": 40, "type": "probe")" + atomic_extra + "}]}");
    };
    rubric(R"(, "timeout": 5)");  // a setting other than points: the outcome may differ
    CHECK_FALSE(rescored(stored, kit_labs(dir)));
    rubric(R"(}, {"name": "more-threads", "task": 2, "points": 10, "type": "probe")");  // a check added
    CHECK_FALSE(rescored(stored, kit_labs(dir)));
    rubric("");
    CHECK(rescored(stored, kit_labs(dir)));
    CHECK_FALSE(rescored(stored, {}));  // the batch's labs are others
    json old = written;  // from a grader that did not keep fractions: not read at all
    old["labs"][0]["checks"][0].erase("fraction");
    old["labs"][0]["checks"][0].erase("rubric");
    CHECK_FALSE(read_report(old, kit_labs(dir)));
}

TEST_CASE("a grading job that dies leaves a report the next run does not skip", "[grader][gradebook][batch]") {
    scratch_dir dir;
    const batch_options options = blocking_batch(dir, {"alice"}, 1);
    std::vector<pid_t> sleepers;
    pid_t job = 0;
    std::thread killer([&] {
        sleepers = wait_for_sleepers(dir, 1);
        if (sleepers.empty()) return;
        // the sleeper's parent is the job's run of CMake, whose parent is the job
        job = parent_of(parent_of(sleepers[0]));
        if (job > 1) ::kill(job, SIGKILL);
    });
    CHECK(run_batch(options) == 1);
    killer.join();
    REQUIRE(sleepers.size() == 1);
    REQUIRE(job > 1);
    const grade_report stored = load_report(dir.path / "reports" / "alice.json", kit_labs(dir));
    CHECK_THAT(stored.error, contains("killed by signal 9"));
    CHECK_FALSE(graded_from(stored, content_hash(dir.path / "class" / "alice"), 7));
    CHECK_FALSE(alive(sleepers[0]));  // what the dead job's run left running was ended too
    // the report of a job that finished is still taken as up to date
    grade_report finished = stored;
    finished.submission_hash = content_hash(dir.path / "class" / "alice");
    CHECK(graded_from(finished, content_hash(dir.path / "class" / "alice"), 7));
}

TEST_CASE("an interrupted batch ends every job and every run the jobs started", "[grader][gradebook][batch]") {
    scratch_dir dir;
    const batch_options options = blocking_batch(dir, {"alice", "bob", "carol"}, 2);
    std::vector<pid_t> sleepers, jobs;
    std::thread interrupter([&] {
        sleepers = wait_for_sleepers(dir, 2);
        if (sleepers.empty()) return;
        jobs = children_of(::getpid());
        ::kill(::getpid(), SIGINT);
    });
    std::string said = "the batch went on after SIGINT";
    int signal = 0;
    try {
        (void)run_batch(options);
    } catch (const batch_interrupted& stopped) {
        said = stopped.what();
        signal = stopped.signal;
    }
    interrupter.join();
    CHECK(signal == SIGINT);
    CHECK_THAT(said, contains("0 of 3 submissions graded in this run; 2 jobs"));
    CHECK_THAT(said, contains("The same command again resumes"));
    REQUIRE(sleepers.size() == 2);
    REQUIRE(jobs.size() == 2);
    for (const pid_t pid : jobs) CHECK_FALSE(alive(pid));
    for (const pid_t pid : sleepers) CHECK_FALSE(alive(pid));
    CHECK(children_of(::getpid()).empty());
    CHECK_FALSE(fs::exists(dir.path / "grades.csv"));
    for (const char* who : {"alice", "bob", "carol"}) CHECK_FALSE(fs::exists(dir.path / "reports" / (std::string(who) + ".json")));
}

TEST_CASE("a second batch on the same kit refuses while the first holds the job trees", "[grader][gradebook][batch]") {
    scratch_dir dir;
    const batch_options options = blocking_batch(dir, {"alice"}, 2);
    fs::create_directories(dir.path / "kit" / "build" / "grade");
    const file_lock first(dir.path / "kit" / "build" / "grade" / "batch-1.lock", [] {});
    CHECK_THROWS_AS(run_batch(options), batch_busy);
    CHECK(children_of(::getpid()).empty());  // refused before any job started
}

TEST_CASE("a roster is read by its header and a bad line is named", "[grader][gradebook][roster]") {
    const auto roster = parse_roster(std::string(utf8_bom) + "folder,id,name,section\r\n"
                                                             "alice,1001,\"Smith, Alice\",A1\r\n\r\n"
                                                             "bob,1002,Bob Jones, B2 \n",
                                     "class.csv");
    REQUIRE(roster.size() == 2);
    CHECK(roster[0].id == "1001");
    CHECK(roster[0].name == "Smith, Alice");
    CHECK(roster[0].folder == "alice");
    CHECK(roster[1].section == "B2");
    const auto refused = [](const std::string& text) {
        try {
            (void)parse_roster(text, "class.csv");
        } catch (const std::invalid_argument& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    CHECK(refused("id,name,section,folder\n1,A,S,a\n2,B,S\n") == "class.csv line 3: 3 fields, expected 4 "
                                                                "(id,name,section,folder; quote a field that holds a comma)");
    CHECK(refused("id,name,folder\n") == "class.csv line 1: the header has no column 'section' (expected id,name,section,folder)");
    CHECK(refused("id,name,section,folder\n1,A,S,a\n2,B,S,a\n") == "class.csv line 3: folder 'a' is on line 2 already");
    CHECK(refused("id,name,section,folder\n,A,S,a\n") == "class.csv line 2: the id is empty");
    CHECK(refused("id,name,section,folder\n1,\"A,S,a\n") ==
          "class.csv line 2: a quoted field is not closed (a line break inside quotes is not allowed)");
    CHECK(refused("") == "class.csv: no header row (id,name,section,folder)");
}

namespace {

std::vector<roster_student> two_students() {
    return {{"1001", "Smith, Alice", "A1", "alice"}, {"1002", "Bob Jones", "B2", "bob"}};
}

std::map<std::string, grade_report> alice_graded() {
    // 80.1295 points: rounded as every report rounds, to 80.13
    return {{"alice", report("alice", {check("mutex-threads", "passed", 60, 60), check("atomic-threads", "failed", 480.777 / 6 - 60, 40)})}};
}

lab_info numbered_race_lab() {
    lab_info lab = race_lab();
    lab.number = 1;
    return lab;
}

}  // namespace

TEST_CASE("the Canvas export has Canvas's student columns and a column per lab with its points", "[grader][gradebook][lms]") {
    const std::string csv = lms_csv(lms_kind::canvas, {numbered_race_lab()}, two_students(), alice_graded());
    CHECK(csv == "Student,ID,SIS User ID,SIS Login ID,Section,Lab 01 race condition,Final Points\n"
                 "    Points Possible,,,,,100,(read only)\n"
                 "\"Smith, Alice\",,1001,,A1,80.13,80.13\n"
                 "Bob Jones,,1002,,B2,0,0\n");  // bob has no folder: zeros
}

TEST_CASE("the Moodle export has an ID number, a column per lab, the total and why a student got nothing", "[grader][gradebook][lms]") {
    const std::string csv = lms_csv(lms_kind::moodle, {numbered_race_lab()}, two_students(), alice_graded());
    CHECK(csv == "ID number,Full name,Section,Lab 01 race condition,Total,Feedback\n"
                 "1001,\"Smith, Alice\",A1,80.13,80.13,\n"
                 "1002,Bob Jones,B2,0,0,no submission\n");
}

TEST_CASE("a batch with a roster writes the LMS files, keeps folders off the roster in the CSV, and --bom", "[grader][gradebook][lms]") {
    scratch_dir dir;
    write_race_lab(dir, 60, 40);
    dir.write("class/alice/bank.cpp", "int balance;");
    dir.write("class/zoe/bank.cpp", "int balance; // not on the roster");
    dir.write("reports/.batch.json", R"({"seed": 7})");
    for (const char* who : {"alice", "zoe"}) {
        grade_report graded;
        graded.submission = who;
        graded.seed = 7;
        graded.labs = {all_passed(kit_labs(dir)[0])};
        graded.submission_hash = content_hash(dir.path / "class" / who);
        dir.write(std::string("reports/") + who + ".json", json_report(graded).dump());
    }
    dir.write("roster.csv", "id,name,section,folder\n1001,Alice,A1,alice\n1002,Bob,B2,bob\n");
    batch_options options = batch_in(dir);
    options.roster = dir.path / "roster.csv";
    options.lms_exports = {{lms_kind::moodle, dir.path / "moodle.csv"}};
    options.bom = true;
    CHECK(run_batch(options) == 2);
    const std::string csv = dir.read_text(dir.path / "grades.csv");
    CHECK(csv.rfind(std::string(utf8_bom) + "submission,", 0) == 0);
    CHECK_THAT(csv, contains("\nzoe,100,100,60,40,100,100,7,\n"));  // not on the roster, still graded
    CHECK(dir.read_text(dir.path / "moodle.csv") == std::string(utf8_bom) +
                                                     "ID number,Full name,Section,Lab 01 race condition,Total,Feedback\n"
                                                     "1001,Alice,A1,100,100,\n"
                                                     "1002,Bob,B2,0,0,no submission\n");
}

TEST_CASE("the Markdown and terminal reports round points as the gradebook does", "[grader][gradebook]") {
    grade_report graded;
    graded.submission = "alice";
    graded.labs = {all_passed(race_lab())};
    graded.labs[0].checks[0].score = 20.777;
    CHECK_THAT(markdown_report(graded), contains("60.78/100"));
    CHECK_THAT(terminal_report(graded, false, false), contains("60.78/100"));
    CHECK(format_points(graded.score()) == "60.78");
}

namespace {

// Lab 01 of a test kit with a check the instructor marks by hand (the written answers, 10 points).
void write_marked_lab(const scratch_dir& dir) {
    dir.write("kit/labs/01-race-condition/lab.json",
              R"({"number": 1, "name": "race-condition", "sources": ["bank.cpp"], "tasks": [{"id": 1}, {"id": 2}]})");
    dir.write("kit/grader/labs/01-race-condition/rubric.json",
              json{{"checks", {{{"name", "mutex-threads"}, {"task", 1}, {"points", 90}, {"type", "probe"}},
                               {{"name", "answers"}, {"task", 2}, {"points", 10}, {"type", "manual"},
                                {"description", "the table and the explanation in ANSWERS.md"}}}}}
                  .dump());
}

std::string refusal_of_marks(const std::string& text, const std::vector<lab_info>& labs) {
    try {
        (void)parse_marks(text, "marks.csv", labs);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("a manual check waits for its hand mark, and a marks file is checked line by line", "[grader][gradebook][marks]") {
    scratch_dir dir;
    write_marked_lab(dir);
    const std::vector<lab_info> labs = kit_labs(dir);
    const lab_info& lab = labs.at(0);
    const check_spec& answers = lab.checks.at(1);
    CHECK(answers.as<manual_kind>() != nullptr);

    const check_result waiting = manual_result(lab, answers, nullptr);
    CHECK(waiting.status == check_status::skipped);
    CHECK(waiting.score == 0);
    CHECK(waiting.max_score == 10);  // missing work is charged: the maximum stays
    CHECK(waiting.message == "marked by hand by your instructor (the table and the explanation in ANSWERS.md); not marked yet");
    // A grade never runs anything for it, whatever the build did.
    lab_state state;
    CHECK(run_check(grading_context{}, lab, answers, lab_programs{}, state).status == check_status::skipped);

    const hand_marks marks = parse_marks("student,lab,check,points,comment\n"
                                         "alice,race-condition,answers,7.5,\"good table, thin explanation\"\n"
                                         "bob,1,,,\n"  // the lab's only manual check; not marked yet
                                         "carol,01-race-condition,answers,10,\n",
                                         "marks.csv", labs);
    CHECK(marks.size() == 2);
    const hand_mark& alice = marks.at({"alice", "01-race-condition", "answers"});
    const check_result marked = manual_result(lab, answers, &alice);
    CHECK(marked.status == check_status::failed);
    CHECK(marked.score == 7.5);
    CHECK(marked.message == "marked by hand: 7.5 of 10: good table, thin explanation");
    CHECK(manual_result(lab, answers, &marks.at({"carol", "01-race-condition", "answers"})).status == check_status::passed);

    const std::string header = "student,lab,check,points,comment\n";
    CHECK(refusal_of_marks(header + "alice,race-condition,answers,11,\n", labs) ==
          "marks.csv line 2: 11 points for 'answers', which is worth 0 to 10");
    CHECK(refusal_of_marks(header + "alice,race-condition,answers,-1,\n", labs) ==
          "marks.csv line 2: -1 points for 'answers', which is worth 0 to 10");
    CHECK(refusal_of_marks(header + "alice,race-condition,answers,seven,\n", labs) ==
          "marks.csv line 2: points 'seven' is not a number");
    CHECK(refusal_of_marks(header + "alice,race-condition,mutex-threads,5,\n", labs) ==
          "marks.csv line 2: check 'mutex-threads' of 01-race-condition is a probe check, graded by running code, "
          "not marked by hand");
    CHECK(refusal_of_marks(header + "alice,race-condition,essay,5,\n", labs) ==
          "marks.csv line 2: lab 01-race-condition has no check 'essay'");
    CHECK(refusal_of_marks(header + "alice,worker-pool,answers,5,\n", labs) == "marks.csv line 2: no lab 'worker-pool' in this batch");
    CHECK(refusal_of_marks(header + "alice,1,answers,5,\nalice,1,,6,\n", labs) ==
          "marks.csv line 3: answers of 01-race-condition for alice is on line 2 already");
    CHECK(refusal_of_marks(header + ",1,answers,5,\n", labs) == "marks.csv line 2: the student is empty");
    CHECK(refusal_of_marks("student,lab,points\n", labs) ==
          "marks.csv line 1: the header has no column 'check' (expected student,lab,check,points,comment)");

    // A rubric cannot give a manual check what only a run has.
    CHECK_THROWS_WITH(parse_check(json{{"name", "answers"}, {"task", 2}, {"points", 10}, {"type", "manual"},
                                       {"when_not_run", "award"}},
                                  "01-race-condition", "rubric.json"),
                      contains("a manual check is marked by hand"));
}

TEST_CASE("a batch puts hand marks into the reports, the gradebook and the feedback without grading again", "[grader][gradebook][marks]") {
    scratch_dir dir;
    write_marked_lab(dir);
    const std::vector<lab_info> labs = kit_labs(dir);
    dir.write("class/alice/bank.cpp", "int balance;");
    dir.write("reports/.batch.json", R"({"seed": 7})");
    lab_state state;
    grade_report graded;
    graded.submission = "alice";
    graded.seed = 7;
    graded.seconds = 123.45;
    lab_result lab = all_passed(labs[0]);
    lab.checks[0].status = check_status::failed;  // mutex-threads lost half its points
    lab.checks[0].fraction = 0.5;
    lab.checks[0].message = "lost 12 deposits";
    lab.checks[0].hint = "./parlab hint race-condition 1";
    apply_points(lab.checks[0], labs[0].checks[0]);
    lab.checks[1] = run_check(grading_context{}, labs[0], labs[0].checks[1], lab_programs{}, state);
    graded.labs = {lab};
    graded.submission_hash = content_hash(dir.path / "class" / "alice");
    const json stored = json_report(graded);
    dir.write("reports/alice.json", stored.dump());

    batch_options options = batch_in(dir);
    options.marks = dir.path / "marks.csv";
    options.feedback = dir.path / "feedback";
    // No marks file yet: a template to fill in, and nobody marked.
    CHECK(run_batch(options) == 1);
    CHECK(dir.read_text(dir.path / "marks.csv") == "student,lab,check,points,comment\nalice,01-race-condition,answers,,\n");
    CHECK_THAT(dir.read_text(dir.path / "grades.csv"), contains("\nalice,45,100,45,0,45,100,7,\n"));

    dir.write("marks.csv", "student,lab,check,points,comment\nalice,01-race-condition,answers,8,clear table\n");
    CHECK(run_batch(options) == 1);
    auto after = read_json(dir.path / "reports" / "alice.json");
    REQUIRE(after);
    CHECK(after->at("seconds") == 123.45);  // not graded again
    CHECK(after->at("submission_hash") == stored.at("submission_hash"));
    CHECK(after->at("score") == 53);
    CHECK(after->at("labs")[0]["checks"][1]["message"] == "marked by hand: 8 of 10: clear table");
    CHECK_THAT(dir.read_text(dir.path / "grades.csv"), contains("\nalice,53,100,45,8,53,100,7,\n"));
    const std::string feedback = dir.read_text(dir.path / "feedback" / "alice.md");
    CHECK_THAT(feedback, contains("# ParLab grade: 53/100"));
    CHECK_THAT(feedback, contains("## What to look at"));
    CHECK_THAT(feedback, contains("- **01-race-condition / mutex-threads** (45 of 90 points): lost 12 deposits "
                                  "(hint: `./parlab hint race-condition 1`)\n"));
    CHECK_THAT(feedback, contains("- **01-race-condition / answers** (8 of 10 points): marked by hand: 8 of 10: clear table"));

    // A mark taken out of the file goes back to waiting; still nothing graded again.
    dir.write("marks.csv", "student,lab,check,points,comment\n");
    CHECK(run_batch(options) == 1);
    after = read_json(dir.path / "reports" / "alice.json");
    REQUIRE(after);
    CHECK(after->at("seconds") == 123.45);
    CHECK(after->at("score") == 45);
    CHECK_THAT(after->at("labs")[0]["checks"][1]["message"].get<std::string>(), contains("not marked yet"));

    // --marks on a batch whose labs have no manual check is a mistake, said before grading.
    write_race_lab(dir, 60, 40);
    CHECK_THROWS_WITH(run_batch(options), contains("no lab of this batch has a manual check"));
}

TEST_CASE("a lab graded once in a batch is shared only with byte-identical files, and only when it is final", "[grader][gradebook][lab-cache]") {
    scratch_dir dir;
    write_race_lab(dir, 60, 40);
    std::vector<lab_info> labs = kit_labs(dir);
    const lab_info& lab = labs[0];
    dir.write("alice/bank.cpp", "int balance; // alice");
    dir.write("bob/bank.cpp", "int balance; // alice");  // a copy
    dir.write("carol/bank.cpp", "int balance; // carol");
    const auto files_of = [&](const char* who) { return find_submission_files(dir.path / who, labs); };
    const lab_identity alice = identify_lab(lab, files_of("alice"), 7);
    CHECK(identify_lab(lab, files_of("bob"), 7).bytes == alice.bytes);
    CHECK(identify_lab(lab, files_of("carol"), 7).key != alice.key);
    CHECK(identify_lab(lab, files_of("alice"), 8).key != alice.key);  // another seed

    const fs::path cache = dir.path / "cache";
    lab_result graded = all_passed(lab);
    graded.checks[1].status = check_status::failed;
    graded.checks[1].fraction = 0.5;
    graded.checks[1].message = "lost 3 deposits";
    apply_points(graded.checks[1], lab.checks[1]);
    CHECK_FALSE(cached_lab(cache, alice, lab, dir.path / "artifacts"));
    store_lab(cache, alice, graded);
    const auto shared = cached_lab(cache, identify_lab(lab, files_of("bob"), 7), lab, dir.path / "artifacts");
    REQUIRE(shared);
    CHECK(shared->checks.size() == 2);
    CHECK(shared->checks[1].message == "lost 3 deposits");
    CHECK(shared->score() == 80);
    CHECK_FALSE(cached_lab(cache, identify_lab(lab, files_of("carol"), 7), lab, dir.path / "artifacts"));

    // A forged identity (the same key, other bytes) is no hit.
    lab_identity forged = identify_lab(lab, files_of("carol"), 7);
    forged.key = alice.key;
    CHECK_FALSE(cached_lab(cache, forged, lab, dir.path / "artifacts"));

    // The rubric's points now apply to a shared result.
    write_race_lab(dir, 30, 70);
    labs = kit_labs(dir);
    const auto rescaled = cached_lab(cache, identify_lab(labs[0], files_of("bob"), 7), labs[0], dir.path / "artifacts");
    CHECK_FALSE(rescaled);  // the rubric is part of what a result depends on: a changed one grades again

    // What another run could decide otherwise is not shared: a check the grader could not run, a
    // timing check deferred.
    lab_result unsure = all_passed(labs[0]);
    const lab_identity carol = identify_lab(labs[0], files_of("carol"), 7);
    unsure.checks[0].status = check_status::error;
    store_lab(cache, carol, unsure);
    CHECK_FALSE(cached_lab(cache, carol, labs[0], dir.path / "artifacts"));
    unsure.checks[0].status = check_status::skipped;
    unsure.checks[0].type = "timing";
    store_lab(cache, carol, unsure);
    CHECK_FALSE(cached_lab(cache, carol, labs[0], dir.path / "artifacts"));
    unsure.checks[0].status = check_status::passed;
    store_lab(cache, carol, unsure);
    CHECK(cached_lab(cache, carol, labs[0], dir.path / "artifacts"));
}
