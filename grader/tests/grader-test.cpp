#include <atomic>
#include <filesystem>
#include <thread>
#include <fstream>
#include <optional>
#include <sstream>

#include "checks.hpp"
#include "model.hpp"
#include "parlab/testing.hpp"
#include "report.hpp"
#include "student.hpp"

using namespace parlab::grader;
using parlab::testing::contains;
namespace fs = std::filesystem;

namespace {

// A "tests" check run against a stand-in for a student's test program that misbehaves as told.
check_result run_against(const std::string& behaviour) {
    lab_info lab;
    lab.number = 1;
    lab.name = "race-condition";
    lab.folder = "01-race-condition";
    check_spec spec;
    spec.name = "stand-in";
    spec.task = 1;
    spec.points = 10;
    spec.type = "tests";
    spec.params = {{"tag", "[task1]"}, {"timeout", 2}};
    grading_context context;
    context.root = PARLAB_KIT_ROOT;
    context.run_dir = fs::temp_directory_path() / ("parlab-grader-test-" + std::to_string(::getpid()));
    fs::create_directories(context.run_dir);
    const fs::path stand_in = context.run_dir / ("misbehave-" + behaviour);
    fs::copy_file(PARLAB_MISBEHAVE, stand_in, fs::copy_options::overwrite_existing);
    lab_programs programs;
    programs.release.ok = true;
    programs.release.tests = stand_in;
    become_subreaper();
    check_result result = run_check(context, lab, spec, programs);
    fs::remove_all(context.run_dir);
    return result;
}

}  // namespace

TEST_CASE("misbehaving student code gets the right status, quickly", "[grader][isolation]") {
    const auto deadlock = run_against("deadlock");
    CHECK(deadlock.status == check_status::timeout);
    CHECK_THAT(deadlock.message, contains("timed out after 2 s: workers still waiting on a lock?"));
    CHECK(deadlock.score == 0);

    const auto crash = run_against("crash");
    CHECK(crash.status == check_status::crashed);
    CHECK_THAT(crash.message, contains("SIGSEGV"));

    const auto exit0 = run_against("exit0");
    CHECK(exit0.status == check_status::error);  // exit(0) is not a pass
    CHECK_THAT(exit0.message, contains("ended early"));
    CHECK(exit0.score == 0);

    const auto flood = run_against("flood");
    CHECK(flood.status == check_status::error);
    CHECK_THAT(flood.message, contains("printed more than"));

    const auto failing = run_against("fail");
    CHECK(failing.status == check_status::failed);
    CHECK_THAT(failing.message, contains("1 of 3 tests failed: final balance 87 instead of 100"));
    CHECK(failing.hint == "./parlab hint race-condition 1");

    const auto passing = run_against("pass");
    CHECK(passing.status == check_status::passed);
    CHECK(passing.score == 10);
}

TEST_CASE("Catch2 summaries are read, and their absence noticed", "[grader][parse]") {
    const auto all = parse_catch_summary("...\nAll tests passed (12 assertions in 3 test cases)\n");
    REQUIRE(all);
    CHECK(all->cases == 3);
    CHECK(all->failed == 0);
    const auto mixed = parse_catch_summary("test cases: 3 | 2 passed | 1 failed\n");
    REQUIRE(mixed);
    CHECK(mixed->failed == 1);
    const auto only_failed = parse_catch_summary("test cases: 2 | 2 failed\n");
    REQUIRE(only_failed);
    CHECK(only_failed->failed == 2);
    CHECK_FALSE(parse_catch_summary("Segmentation fault\n"));
    CHECK_FALSE(parse_catch_summary(""));
}

TEST_CASE("a ThreadSanitizer report yields its two source locations", "[grader][parse]") {
    const std::string report = R"(==================
WARNING: ThreadSanitizer: data race (pid=1234)
  Write of size 8 at 0x7b0400000010 by thread T2:
    #0 parlab::lab01::deposit(long) /home/s/labs/01-race-condition/bank.cpp:42:17 (tests+0x1234)
    #1 void std::__invoke_impl<void> /usr/include/c++/12/bits/invoke.h:61 (tests+0x2345)

  Previous read of size 8 at 0x7b0400000010 by thread T1:
    #0 parlab::lab01::withdraw(long) /home/s/labs/01-race-condition/bank.cpp:51:20 (tests+0x3456)
)";
    const auto race = parse_race_report(report);
    REQUIRE(race);
    CHECK(race->first == "bank.cpp:42 (write by thread T2)");
    CHECK(race->second == "bank.cpp:51 (previous read by thread T1)");
    CHECK_FALSE(parse_race_report("All tests passed"));
}

TEST_CASE("timing verdicts need two thirds of the pairs", "[grader][timing]") {
    CHECK(decide_timing({5, 6, 7}, 4) == timing_verdict::passed);
    CHECK(decide_timing({1, 2, 3}, 4) == timing_verdict::failed);
    CHECK(decide_timing({5, 1, 5, 1}, 4) == timing_verdict::undecided);
    CHECK(decide_timing({}, 4) == timing_verdict::undecided);
}

TEST_CASE("reports carry the fields tools read", "[grader][report]") {
    grade_report report;
    report.submission = "alice";
    report.seed = 7;
    report.machine = "test machine";
    lab_result lab;
    lab.lab.folder = "01-race-condition";
    lab.lab.name = "race-condition";
    lab.lab.title = "Race <condition>";
    check_result good{"mutex", 1, check_status::passed, 10, 10, "ok", "", "", ""};
    check_result bad{"atomic", 2, check_status::timeout, 0, 15, "timed out after 10 s", "details \xff", "./parlab hint race-condition 2", ""};
    lab.checks = {good, bad};
    report.labs = {lab};

    const auto json = json_report(report);
    CHECK(json["score"] == 10);
    CHECK(json["max_score"] == 25);
    CHECK(json["seed"] == 7);
    CHECK(json["labs"][0]["checks"][1]["status"] == "timeout");
    CHECK(json["labs"][0]["checks"][1]["message"] == "timed out after 10 s");
    CHECK_NOTHROW(json.dump());  // invalid UTF-8 in student output was replaced

    const auto gradescope = gradescope_report(report);
    CHECK(gradescope["tests"].size() == 2);
    CHECK(gradescope["tests"][1]["max_score"] == 15);
    CHECK(gradescope["tests"][1]["visibility"] == "visible");
    CHECK_THAT(gradescope["tests"][1]["output"].get<std::string>(), contains("./parlab hint race-condition 2"));

    const auto junit = junit_report(report);
    CHECK_THAT(junit, contains("<error type=\"timeout\""));
    CHECK_THAT(junit, contains("tests=\"2\" failures=\"0\" errors=\"1\""));

    CHECK_THAT(markdown_report(report), contains("| atomic | 2 | timeout | 0/15 |"));
    CHECK_THAT(terminal_report(report, false, true), contains("total 10/25"));
    CHECK_FALSE(report.all_passed());
}

TEST_CASE("the kit's labs and rubrics load, and points add up to 100", "[grader][rubric]") {
    const fs::path root = PARLAB_KIT_ROOT;
    const auto labs = load_labs(root / "labs", root / "grader" / "rubrics");
    for (const auto& lab : labs) {
        double total = 0;
        for (const auto& c : lab.checks) total += c.points;
        INFO(lab.folder);
        CHECK(total == parlab::testing::Approx(100));
        CHECK(find_lab(labs, lab.name) == &lab);
        CHECK(find_lab(labs, lab.folder) == &lab);
    }
    CHECK(find_lab(labs, "no-such-lab") == nullptr);
}

TEST_CASE("hints come one at a time, then say there are no more", "[grader][hint]") {
    const auto hints = parse_hints("# Lab\n\n## Task 1\n\n### Hint 1\nfirst\n\n### Hint 2\nsecond\n\n## Task 2\n### Hint 1\nonly\n");
    REQUIRE(hints.size() == 2);
    CHECK(hints.at(1) == std::vector<std::string>{"first", "second"});
    lab_info lab;
    lab.name = "race-condition";
    lab.folder = "01-race-condition";
    lab.tasks = {{1, "one", 50}, {2, "two", 50}};
    nlohmann::json state = nlohmann::json::object();
    CHECK(next_hint(lab, hints, 1, std::nullopt, state).text == "first");
    CHECK(next_hint(lab, hints, 1, std::nullopt, state).text == "second");
    const auto done = next_hint(lab, hints, 1, std::nullopt, state);
    CHECK_THAT(done.text, contains("That was the last hint for task 1"));
    CHECK_THROWS_WITH(next_hint(lab, hints, 3, std::nullopt, state), contains("no hints for task 3"));

    // Without a task, the first task the last grade run did not pass.
    const nlohmann::json graded = {{"labs", {{{"folder", "01-race-condition"},
                                              {"checks", {{{"task", 1}, {"status", "passed"}}, {{"task", 2}, {"status", "failed"}}}}}}}};
    const auto answer = next_hint(lab, hints, 0, std::make_optional(graded), state);
    CHECK(answer.task == 2);
    CHECK(answer.text == "only");
}

TEST_CASE("list shows each task and whether it passed", "[grader][list]") {
    lab_info lab;
    lab.name = "race-condition";
    lab.folder = "01-race-condition";
    lab.title = "The race condition";
    lab.tasks = {{1, "a mutex", 50}, {2, "an atomic", 50}};
    CHECK_THAT(list_labs({lab}, std::nullopt, false), contains("not graded"));
    const nlohmann::json graded = {{"labs", {{{"folder", "01-race-condition"},
                                              {"checks", {{{"task", 1}, {"status", "passed"}}, {{"task", 2}, {"status", "timeout"}}}}}}}};
    const std::string text = list_labs({lab}, std::make_optional(graded), false);
    CHECK_THAT(text, contains("task 1  a mutex"));
    CHECK(text.find("passes") < text.find("not yet"));
}

TEST_CASE("every lab's hints.md has hints for every task", "[grader][hint]") {
    const fs::path root = PARLAB_KIT_ROOT;
    for (const auto& lab : load_labs(root / "labs", root / "grader" / "rubrics")) {
        std::ifstream in(root / "labs" / lab.folder / "hints.md");
        std::ostringstream text;
        text << in.rdbuf();
        const auto hints = parse_hints(text.str());
        for (const auto& task : lab.tasks) {
            INFO(lab.folder << " task " << task.id);
            CHECK(hints.count(task.id) == 1);
        }
    }
}

TEST_CASE("free_cores sees a core taken by a busy thread", "[grader][timing]") {
    std::atomic<bool> stop{false};
    std::thread busy([&] {
        while (!stop.load(std::memory_order_relaxed)) {
        }
    });
    const double free = free_cores(std::chrono::milliseconds(300));
    stop = true;
    busy.join();
    CHECK(free >= 0.0);
    CHECK(free <= static_cast<double>(std::thread::hardware_concurrency()) - 0.5);
}
