#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "build.hpp"
#include "checks.hpp"
#include "model.hpp"
#include "parlab/testing.hpp"
#include "report.hpp"
#include "student.hpp"
#include "submission.hpp"

using namespace parlab::grader;
using parlab::testing::contains;
namespace fs = std::filesystem;

namespace {

// A rubric check of `lab` worth 10 points, parsed as the rubric loader parses it.
check_spec make_spec(const std::string& folder, const std::string& name, int task, const std::string& type, nlohmann::json params) {
    params["name"] = name;
    params["task"] = task;
    params["points"] = 10;
    params["type"] = type;
    return parse_check(params, folder, "test rubric");
}

// Lab 01's "mutex-threads" probe check run against a stand-in for a probe linked to student code
// that misbehaves as told (see fixtures/misbehave.cpp).
check_result run_against(const std::string& behaviour, lab_state* state = nullptr, nlohmann::json params = {{"timeout", 2}},
                         double timeout_scale = 1.0) {
    lab_info lab;
    lab.number = 1;
    lab.name = "race-condition";
    lab.folder = "01-race-condition";
    lab.hang_hints = {{1, 4}};  // as if task 1's hint 4 were headed "(if it hangs)"
    params["runs"] = 3;
    const check_spec spec = make_spec("01-race-condition", "mutex-threads", 1, "probe", params);
    grading_context context;
    context.root = PARLAB_KIT_ROOT;
    context.seed = 1234;
    context.timeout_scale = timeout_scale;
    context.run_dir = fs::temp_directory_path() / ("parlab-grader-test-" + std::to_string(::getpid()));
    fs::create_directories(context.run_dir);
    const fs::path stand_in = context.run_dir / ("misbehave-" + behaviour);
    fs::copy_file(PARLAB_MISBEHAVE, stand_in, fs::copy_options::overwrite_existing);
    lab_programs programs;
    programs.release.ok = true;
    programs.release.probe = stand_in;
    become_subreaper();
    lab_state own_state;
    check_result result = run_check(context, lab, spec, programs, state != nullptr ? *state : own_state);
    fs::remove_all(context.run_dir);
    return result;
}

// Lab 02 as the timing checks' tests know it (no tasks or checks of its own).
lab_info lock_placement_lab() {
    lab_info lab;
    lab.number = 2;
    lab.name = "lock-placement";
    lab.folder = "02-lock-placement";
    return lab;
}

}  // namespace

TEST_CASE("after one check of a lab sat blocked, the lab's later checks wait less", "[grader][isolation]") {
    lab_state state;
    // rubric limit 40 s, scaled to 2 s; the cut after a blocked check, 30 s, scales to 1.5 s (1 s)
    const auto first = run_against("deadlock", &state, {{"timeout", 40}}, 0.05);
    CHECK(first.status == check_status::timeout);
    CHECK(state.sat_blocked);
    const auto second = run_against("deadlock", &state, {{"timeout", 40}}, 0.05);
    CHECK(second.status == check_status::timeout);
    CHECK_THAT(second.message, contains("timed out after 1 s") && contains("its limit was cut from 2 s to 1 s"));
    lab_state busy;
    (void)run_against("spin", &busy, {{"timeout", 40}}, 0.05);  // computing, not blocked: no cut
    CHECK_FALSE(busy.sat_blocked);
}

TEST_CASE("misbehaving student code gets the right status, quickly", "[grader][isolation]") {
    const auto deadlock = run_against("deadlock");
    CHECK(deadlock.status == check_status::timeout);
    CHECK_THAT(deadlock.message, contains("timed out after 2 s with its processes blocked (1 process waiting on a "
                                          "semaphore, mutex or condition variable (a futex); "));
    CHECK(deadlock.score == 0);
    CHECK(deadlock.hint == "./parlab hint race-condition 1 4");  // the hint on hangs, not the next one

    const auto spin = run_against("spin");  // busy, not blocked: not called a deadlock
    CHECK(spin.status == check_status::timeout);
    CHECK_THAT(spin.message, contains("timed out after 2 s while computing"));
    CHECK(spin.hint == "./parlab hint race-condition 1");

    const auto crash = run_against("crash");
    CHECK(crash.status == check_status::crashed);
    CHECK_THAT(crash.message, contains("SIGSEGV"));

    const auto exit0 = run_against("exit0");
    CHECK(exit0.status == check_status::error);  // exit(0) is not a pass
    CHECK_THAT(exit0.message, contains("ended without an answer"));
    CHECK(exit0.score == 0);

    const auto flood = run_against("flood");
    CHECK(flood.status == check_status::error);
    CHECK_THAT(flood.message, contains("printed more than"));

    const auto wrong = run_against("wrong-answer");
    CHECK(wrong.status == check_status::failed);
    CHECK_THAT(wrong.message, contains("wrong in 3 of 3 runs"));
    CHECK(wrong.hint == "./parlab hint race-condition 1");

    const auto right = run_against("right-answer");
    CHECK(right.status == check_status::passed);
    CHECK(right.score == 10);
}

TEST_CASE("a program that prints a test summary and leaves gets nothing for it", "[grader][forgery]") {
    const auto fake = run_against("fake-summary");
    CHECK(fake.status == check_status::error);
    CHECK_THAT(fake.message, contains("ended without an answer"));
    CHECK(fake.score == 0);
}

TEST_CASE("a run over its memory limit says so and fails that check only", "[grader][forgery]") {
    lab_state state;
    // a small limit, so that reaching it takes a moment even where filling memory is slow
    const auto hog = run_against("memory-hog", &state, {{"timeout", 30}, {"memory_gib", 0.25}});
    CHECK(hog.status == check_status::failed);
    CHECK_THAT(hog.message, contains("used more than 0.25 GiB of memory"));
    CHECK(state.never_started.empty());
}

TEST_CASE("a program that hangs before main() costs one time limit, not one per check", "[grader][forgery]") {
    lab_state state;
    const auto started = std::chrono::steady_clock::now();
    const auto first = run_against("hang-at-start", &state);
    CHECK(first.status == check_status::timeout);
    CHECK_THAT(first.message, contains("before the program reached main()"));
    REQUIRE_FALSE(state.never_started.empty());
    const auto second = run_against("hang-at-start", &state);  // the lab's next check
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(second.status == check_status::timeout);
    CHECK_THAT(second.message, contains("not run: an earlier check of this lab"));
    CHECK(seconds < 3.5);  // one 2-second limit, not two
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

TEST_CASE("the grader's planted race is told apart from the student's", "[grader][parse]") {
    const std::string output = R"(==================
WARNING: ThreadSanitizer: data race (pid=77)
  Write of size 8 at 0x55 by thread T3:
    #0 parlab::probe::parlab_probe_canary_race()::{lambda()#2}::operator()() const probe.hpp:97 (probe+0x1)

  Previous write of size 8 at 0x55 by thread T2:
    #0 parlab::probe::parlab_probe_canary_race()::{lambda()#1}::operator()() const probe.hpp:94 (probe+0x2)
==================
WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=77)
  Cycle in lock order graph: M1 => M2 => M1
)";
    const auto reports = parse_race_reports(output);
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].canary);
    CHECK(reports[0].kind == "data race");
    CHECK_FALSE(reports[1].canary);
    CHECK(reports[1].kind == "lock-order-inversion");
}

TEST_CASE("constructs that silence ThreadSanitizer are found after the preprocessor", "[grader][forgery]") {
    const std::string file = "/stage/labs/01-race-condition/bank.cpp";
    const std::string text = "# 1 \"" + file + "\"\n"
                             "long balance;\n"
                             "# 1 \"/usr/include/c++/12/thread\" 1 3\n"
                             "void __tsan_acquire(void*);\n"  // a system header may name these
                             "# 5 \"" + file + "\" 2\n"
                             "__attribute__((no_sanitize(\"thread\"))) void deposit() { ++balance; }\n"
                             "extern \"C\" const char* __tsan_default_options() { return \"report_bugs=0\"; }\n"
                             "void f() { AnnotateIgnoreWritesBegin(0, 0); }\n";
    CHECK(forbidden_constructs(text, file) == "AnnotateIgnoreWritesBegin, __tsan_default_options, no_sanitize");
    CHECK(forbidden_constructs("# 1 \"" + file + "\"\nlong balance;\nvoid deposit() { ++balance; }\n", file).empty());
}

TEST_CASE("a folder in /var/tmp is the grader's own, and goes when what it serves is gone", "[grader][build]") {
    const parlab::testing::temp_folder kit("shared-place-test");
    const std::string prefix = "parlab-shared-place-test-";
    const auto place = shared_place(prefix, kit.path);
    REQUIRE(place);
    CHECK(shared_place(prefix, kit.path) == place);  // the same path, the same folder
    CHECK((fs::status(*place).permissions() & (fs::perms::group_write | fs::perms::others_write)) == fs::perms::none);
    const fs::path gone = kit.path / "gone";
    fs::create_directory(gone);
    const auto orphan = shared_place(prefix, gone);
    REQUIRE(orphan);
    CHECK(*orphan != *place);
    fs::remove(gone);
    REQUIRE(shared_place(prefix, kit.path));
    CHECK_FALSE(fs::exists(*orphan));  // its path is gone: removed on the way
    CHECK(fs::exists(*place));
    if (::geteuid() == 0) {
        // a folder of that name another user made first is refused
        fs::remove_all(*place);
        fs::create_directory(*place);
        REQUIRE(::chown(place->c_str(), 65534, 65534) == 0);
        CHECK_FALSE(shared_place(prefix, kit.path));
    }
    fs::remove_all(*place);
}

TEST_CASE("options the grader gives ThreadSanitizer win over the program's own", "[grader][forgery]") {
    // The stand-in races and compiles in __tsan_default_options() with report_bugs=0.
    run_request request;
    request.argv = {PARLAB_TSAN_SILENCED};
    request.env = clean_environment(fs::temp_directory_path());
    request.workdir = fs::temp_directory_path();
    request.timeout = std::chrono::seconds(20);
    const auto silenced = run_sandboxed(request);
    CHECK(parse_race_reports(silenced.output).empty());  // the program silenced itself
    const fs::path suppressions = fs::temp_directory_path() / "parlab-empty.supp";
    std::ofstream(suppressions) << "\n";
    request.env = clean_environment(fs::temp_directory_path(), {"TSAN_OPTIONS=" + tsan_options(suppressions)});
    const auto checked = run_sandboxed(request);
    INFO(checked.output);
    CHECK(parse_race_reports(checked.output).size() == 1);
    fs::remove(suppressions);
}


TEST_CASE("timing verdicts need two thirds of the pairs", "[grader][timing]") {
    CHECK(decide_timing({5, 6, 7}, 4) == timing_verdict::passed);
    CHECK(decide_timing({1, 2, 3}, 4) == timing_verdict::failed);
    CHECK(decide_timing({5, 1, 5, 1}, 4) == timing_verdict::undecided);
    CHECK(decide_timing({}, 4) == timing_verdict::undecided);
    // a pass needs three quiet pairs: the one or two left of a disturbed round may be lucky ones
    CHECK(decide_timing({5}, 4) == timing_verdict::undecided);
    CHECK(decide_timing({5, 6}, 4) == timing_verdict::undecided);
    CHECK(decide_timing({1, 2, 3}, 4, 10) == timing_verdict::undecided);  // too few pairs to fail
    CHECK(decide_timing(std::vector<double>(10, 1.0), 4, 10) == timing_verdict::failed);
    CHECK(decide_timing({5, 6, 7}, 4, 10) == timing_verdict::passed);
    // three pairs each a tenth above the threshold need no more; one pair nearer to it does
    CHECK(clearly_passed({5, 6, 7}, 4));
    CHECK(clearly_passed({4.5, 4.5, 4.5}, 4));
    CHECK_FALSE(clearly_passed({5, 6}, 4));
    CHECK_FALSE(clearly_passed({5, 4.3, 7}, 4));
    // out of pairs undecided: a median well above the threshold passes, one near it does not
    const std::vector<double> bimodal{20, 2, 20, 2, 20, 2, 20, 2, 20, 20};
    CHECK(decide_timing(bimodal, 4, 10) == timing_verdict::undecided);
    CHECK(decide_out_of_pairs(bimodal, 4, 10) == timing_verdict::passed);
    CHECK(decide_out_of_pairs({20, 2, 20, 2, 20}, 4, 10) == timing_verdict::undecided);  // too few pairs
    CHECK(decide_out_of_pairs({4.5, 2, 4.5, 2, 4.5, 2, 4.5, 2, 4.5, 4.5}, 4, 10) == timing_verdict::undecided);
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
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
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

TEST_CASE("a rubric entry is parsed into a typed check, and a mistake names the file, the check and the key",
          "[grader][rubric]") {
    const std::string where = "grader/labs/01-race-condition/rubric.json";
    const auto parse = [&](const std::string& folder, nlohmann::json entry) { return parse_check(entry, folder, where); };
    const nlohmann::json mutex = {{"name", "mutex-threads"}, {"task", 1}, {"points", 20}, {"type", "probe"}};

    SECTION("the verifier's declared keys get their defaults, the common ones their types") {
        const check_spec spec = parse("01-race-condition", mutex);
        REQUIRE(spec.as<probe_kind>() != nullptr);
        CHECK(std::string(spec.type()) == "probe");
        CHECK(spec.run()->probe == "mutex-threads");
        CHECK(spec.run()->params.at("runs") == 5);
        CHECK_FALSE(spec.timeout.has_value());
        CHECK(spec.when_not_run == not_run_policy::defer);
        nlohmann::json entry = mutex;
        entry["runs"] = 3;
        entry["timeout"] = 7;
        entry["when_not_run"] = "exclude";
        const check_spec tuned = parse("01-race-condition", entry);
        CHECK(tuned.run()->params.at("runs") == 3);
        CHECK(tuned.timeout == 7);
        CHECK(tuned.when_not_run == not_run_policy::exclude);
    }
    SECTION("an unknown key") {
        nlohmann::json entry = mutex;
        entry["rnus"] = 5;
        CHECK_THROWS_WITH(parse("01-race-condition", entry),
                          where + ": check \"mutex-threads\": unknown key \"rnus\"");
    }
    SECTION("a key another lab's verifier takes is unknown here") {
        const nlohmann::json entry = {{"name", "atomic-per-chunk"}, {"points", 15}, {"type", "probe"}, {"runs", 5}};
        CHECK_THROWS_WITH(parse("lock-placement", entry), contains("check \"atomic-per-chunk\": unknown key \"runs\""));
    }
    SECTION("a value of the wrong type") {
        nlohmann::json entry = mutex;
        entry["runs"] = "five";
        CHECK_THROWS_WITH(parse("01-race-condition", entry),
                          where + ": check \"mutex-threads\": \"runs\" must be a whole number, not \"five\"");
        entry = mutex;
        entry["timeout"] = 1.5;
        CHECK_THROWS_WITH(parse("01-race-condition", entry), contains("\"timeout\" must be a whole number, not 1.5"));
        entry = mutex;
        entry["points"] = "20";
        CHECK_THROWS_WITH(parse("01-race-condition", entry), contains("\"points\" must be a number"));
        entry = mutex;
        entry["points"] = -5;
        CHECK_THROWS_WITH(parse("01-race-condition", entry), contains("\"points\" is -5; a check's points are 0 or more"));
    }
    SECTION("a missing key, an unknown type or policy") {
        const nlohmann::json race = {{"name", "mutex-race-free"}, {"points", 10}, {"type", "race"}};
        CHECK_THROWS_WITH(parse("01-race-condition", race), where + ": check \"mutex-race-free\": \"probe\" is missing");
        nlohmann::json entry = mutex;
        entry["type"] = "tests";
        CHECK_THROWS_WITH(parse("01-race-condition", entry), contains("type \"tests\"; the types are probe, race, timing and manual"));
        entry = mutex;
        entry["when_not_run"] = "later";
        CHECK_THROWS_WITH(parse("01-race-condition", entry), contains("\"when_not_run\" is \"later\""));
    }
    SECTION("a timing check's sides") {
        nlohmann::json timing = {{"name", "fast"}, {"points", 10}, {"type", "timing"}, {"min_speedup", 1.5},
                                 {"a", {{"probe", "edge-filter/filter"}, {"program", "reference"}}},
                                 {"b", {{"probe", "threads"}, {"args", {"--workers=1"}}, {"label", "yours, 1 worker"}}}};
        const check_spec spec = parse("edge-filter", timing);
        const timing_kind* kind = spec.as<timing_kind>();
        REQUIRE(kind != nullptr);
        CHECK(spec.run() == nullptr);
        CHECK(kind->a.reference);
        CHECK(kind->a.label == "baseline");
        CHECK_FALSE(kind->b.reference);
        CHECK(kind->b.args == std::vector<std::string>{"--workers=1"});
        CHECK(kind->b.label == "yours, 1 worker");
        CHECK(kind->pairs == 5);
        timing["b"]["arg"] = nlohmann::json::array();
        CHECK_THROWS_WITH(parse("edge-filter", timing), where + ": check \"fast\": \"b\": unknown key \"arg\"");
        timing["b"].erase("arg");
        timing["b"]["args"] = {"--workers=1", 2};
        CHECK_THROWS_WITH(parse("edge-filter", timing), contains("\"b\": \"args\" must be a list of strings"));
        timing.erase("b");
        CHECK_THROWS_WITH(parse("edge-filter", timing), contains("check \"fast\": \"b\" is missing"));
    }
}

TEST_CASE("loading a rubric with a mistake names the rubric as the kit knows it", "[grader][rubric]") {
    const fs::path kit = fs::temp_directory_path() / ("parlab-rubric-test-" + std::to_string(::getpid()));
    fs::create_directories(kit / "labs" / "01-race-condition");
    fs::create_directories(kit / "grader" / "labs" / "01-race-condition");
    std::ofstream(kit / "labs" / "01-race-condition" / "lab.json")
        << R"({"number": 1, "name": "race-condition", "sources": ["bank.cpp"], "tasks": [{"id": 1}]})";
    // Each rubric has one mistake, and loading it must be refused with this message.
    const std::pair<std::string, std::string> mistakes[] = {
        {R"({"checks": [{"name": "mutex-threads", "task": 1, "points": 100, "type": "probe", "rnus": 5}]})",
         "grader/labs/01-race-condition/rubric.json: check \"mutex-threads\": unknown key \"rnus\""},
        {R"({"checks": [{"name": "mutex-threads", "task": 1, "points": 100, "type": "probe"}], "abut": ""})",
         "grader/labs/01-race-condition/rubric.json: unknown key \"abut\""},
        {R"({"checks": [{"name": "mutex-threads", "task": 5, "points": 100, "type": "probe"}]})",
         "grader/labs/01-race-condition/rubric.json: check \"mutex-threads\": task 5; "
         "labs/01-race-condition/lab.json has tasks 1"},
        // a timing check waits only for probe checks listed before it
        {R"({"checks": [{"name": "speed", "task": 1, "points": 50, "type": "timing", "min_speedup": 2,
                         "a": {"probe": "x"}, "b": {"probe": "y"}, "needs_passed": ["mutex-threads"]},
                        {"name": "mutex-threads", "task": 1, "points": 50, "type": "probe"}]})",
         "grader/labs/01-race-condition/rubric.json: check \"speed\": \"needs_passed\" names "
         "\"mutex-threads\", which is not a probe check listed before it"},
        // points below zero, or not a number, are refused with the rubric and the check named
        {R"({"checks": [{"name": "mutex-threads", "task": 1, "points": -10, "type": "probe"}]})",
         "grader/labs/01-race-condition/rubric.json: check \"mutex-threads\": \"points\" is -10; "
         "a check's points are 0 or more"},
        {R"({"checks": [{"name": "mutex-threads", "task": 1, "points": "ten", "type": "probe"}]})",
         "grader/labs/01-race-condition/rubric.json: check \"mutex-threads\": \"points\" must be a number, "
         "not \"ten\""},
    };
    for (const auto& [rubric, message] : mistakes) {
        INFO(rubric);
        std::ofstream(kit / "grader" / "labs" / "01-race-condition" / "rubric.json") << rubric;
        CHECK_THROWS_WITH(load_labs(kit / "labs", kit / "grader" / "labs"), message);
    }
    fs::remove_all(kit);
}

namespace {

// A last grade of `lab` with one check per task, of the status given.
std::optional<grade_report> graded_tasks(const lab_info& lab, const std::vector<std::pair<int, check_status>>& tasks) {
    lab_result graded{lab, {}, false};
    for (const auto& [task, status] : tasks) {
        check_result c;
        c.task = task;
        c.status = status;
        graded.checks.push_back(c);
    }
    grade_report report;
    report.labs.push_back(graded);
    return report;
}

}  // namespace

TEST_CASE("hints come one at a time, then say there are no more", "[grader][hint]") {
    const auto hints = parse_hints("# Lab\n\n## Task 1\n\n### Hint 1\nfirst\n\n### Hint 2\nsecond\n\n## Task 2\n### Hint 1\nonly\n");
    REQUIRE(hints.size() == 2);
    REQUIRE(hints.at(1).size() == 2);
    CHECK(hints.at(1)[0].text == "first");
    CHECK(hints.at(1)[1].text == "second");
    lab_info lab;
    lab.name = "race-condition";
    lab.folder = "01-race-condition";
    lab.tasks = {{1, "one"}, {2, "two"}};
    nlohmann::json state = nlohmann::json::object();
    CHECK(next_hint(lab, hints, 1, std::nullopt, state).text == "first");
    CHECK(next_hint(lab, hints, 1, std::nullopt, state).text == "second");
    const auto done = next_hint(lab, hints, 1, std::nullopt, state);
    CHECK_THAT(done.text, contains("That was the last hint for task 1"));
    CHECK_THROWS_WITH(next_hint(lab, hints, 3, std::nullopt, state), contains("no hints for task 3"));

    // Without a task, the first task the last grade run did not pass.
    const auto answer = next_hint(lab, hints, 0, graded_tasks(lab, {{1, check_status::passed}, {2, check_status::failed}}), state);
    CHECK(answer.task == 2);
    CHECK(answer.text == "only");
}

TEST_CASE("a hint headed (if it hangs) is the one a deadlocked check points at", "[grader][hint]") {
    const auto hints = parse_hints("## Task 1\n### Hint 1\nstart here\n### Hint 2 (if it hangs)\nclose the ends\n"
                                   "## Task 2\n### Hint 1\nno hang here\n");
    CHECK_FALSE(hints.at(1)[0].on_hangs);
    CHECK(hints.at(1)[1].on_hangs);
    CHECK(hang_hints(hints) == std::map<int, int>{{1, 2}});

    // the labs whose tasks block on pipes and semaphores each mark one
    const fs::path root = PARLAB_KIT_ROOT;
    for (const char* name : {"array-splitting", "worker-pool", "messages-vs-shared-memory", "distributed-memory"}) {
        INFO(name);
        const auto labs = load_labs(root / "labs", root / "grader" / "labs");
        const lab_info* lab = find_lab(labs, name);
        REQUIRE(lab != nullptr);
        CHECK_FALSE(lab->hang_hints.empty());
    }
}

TEST_CASE("list shows each task and whether it passed", "[grader][list]") {
    lab_info lab;
    lab.name = "race-condition";
    lab.folder = "01-race-condition";
    lab.title = "The race condition";
    lab.tasks = {{1, "a mutex"}, {2, "an atomic"}, {3, "the speedup"}};
    CHECK_THAT(list_labs({lab}, std::nullopt, false), contains("not graded"));
    const std::string text = list_labs(
        {lab}, graded_tasks(lab, {{1, check_status::passed}, {2, check_status::timeout}, {3, check_status::skipped}}), false);
    CHECK_THAT(text, contains("task 1  a mutex"));
    CHECK(text.find("passes") < text.find("not yet"));
    // a task whose only check was not run here (a deferred timing check) does not pass
    CHECK(text.find("not all run here") > text.find("not yet"));
    CHECK(text.find("passes", text.find("task 3")) == std::string::npos);
}

TEST_CASE("every lab's hints.md has hints for every task", "[grader][hint]") {
    const fs::path root = PARLAB_KIT_ROOT;
    for (const auto& lab : load_labs(root / "labs", root / "grader" / "labs")) {
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

TEST_CASE("a timing check never fails while other programs take the processor", "[grader][timing]") {
    // Both sides are the stand-in's timed runs, one computing twice as long as the other: a
    // speedup of 2 where 3 is needed, which a quiet machine fails. With a busy thread on every
    // core from start to end (other programs, to the grader), every pair is disturbed and the
    // check waits for a quiet machine instead of failing.
    const lab_info lab = lock_placement_lab();
    grading_context context;
    context.root = PARLAB_KIT_ROOT;
    context.reference_probe = PARLAB_MISBEHAVE;
    context.run_dir = fs::temp_directory_path() / ("parlab-timing-test-" + std::to_string(::getpid()));
    fs::create_directories(context.run_dir);
    lab_programs programs;
    programs.release.ok = true;
    programs.release.probe = PARLAB_MISBEHAVE;
    // one core needed: the free-core check made before the pairs is not made, so only what the
    // check sees during the pairs can keep it from failing
    const check_spec spec = make_spec("02-lock-placement", "faster", 2, "timing",
                                      {{"needs_cores", 1}, {"min_speedup", 3}, {"pairs", 3}, {"max_pairs", 6}, {"min_pairs_to_fail", 3}, {"timeout", 20},
                                       {"a", {{"probe", "work-2"}, {"program", "reference"}}},
                                       {"b", {{"probe", "work-1"}, {"program", "reference"}}}});
    std::atomic<bool> stop{false};
    std::vector<std::thread> busy;
    for (unsigned i = 0; i < std::max(1u, std::thread::hardware_concurrency()); ++i)
        busy.emplace_back([&] {
            while (!stop.load(std::memory_order_relaxed)) {
            }
        });
    become_subreaper();
    lab_state state;
    const check_result loaded = run_check(context, lab, spec, programs, state);
    stop = true;
    for (auto& t : busy) t.join();
    fs::remove_all(context.run_dir);
    INFO(loaded.message);
    CHECK(loaded.status == check_status::skipped);
    CHECK_THAT(loaded.message, contains("other programs took up to"));
    CHECK(loaded.score == 0);
    CHECK(loaded.max_score == 10);  // deferred: its points wait
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

namespace {

// A folder with the given files (relative path -> content), removed at the end of the test.
struct upload {
    fs::path dir = fs::temp_directory_path() / ("parlab-upload-" + std::to_string(::getpid()));
    explicit upload(const std::vector<std::string>& files) {
        fs::remove_all(dir);
        fs::create_directories(dir);
        for (const auto& f : files) {
            fs::create_directories((dir / f).parent_path());
            std::ofstream(dir / f) << "// " << f << "\n";
        }
    }
    ~upload() { fs::remove_all(dir); }
};

std::vector<lab_info> kit_labs() {
    const fs::path root = PARLAB_KIT_ROOT;
    return load_labs(root / "labs", root / "grader" / "labs");
}

}  // namespace

TEST_CASE("a submission's files are found however they were uploaded", "[grader][submission]") {
    const auto labs = kit_labs();
    SECTION("loose files at the top, with a stray one") {
        const upload u({"bank.cpp", "filter.cpp", "notes.txt", "Bank (1).cpp"});
        const auto files = find_submission_files(u.dir, labs);
        CHECK(files.found.at("01-race-condition/bank.cpp") == u.dir / "bank.cpp");
        CHECK(files.found.at("04-edge-filter/filter.cpp") == u.dir / "filter.cpp");
        CHECK(files.labs_present(labs).size() == 2);
        CHECK(files.ignored == std::vector<std::string>{"Bank (1).cpp", "notes.txt"});
    }
    SECTION("a whole repository at the top: its build files are no stray lab files") {
        const upload u({"labs/01-race-condition/bank.cpp", "CMakeLists.txt", "README.md", "labs/CMakeLists.txt"});
        const auto files = find_submission_files(u.dir, labs);
        CHECK(files.found.at("01-race-condition/bank.cpp") == u.dir / "labs/01-race-condition/bank.cpp");
        CHECK(files.ignored.empty());
    }
    SECTION("a whole repository in a folder, with build output and another copy elsewhere") {
        const upload u({"parlab-main/labs/01-race-condition/bank.cpp", "parlab-main/labs/01-race-condition/bank.hpp",
                        "parlab-main/build/stage/01-race-condition/bank.cpp", "parlab-main/old/bank.cpp"});
        const auto files = find_submission_files(u.dir, labs);
        CHECK(files.found.at("01-race-condition/bank.cpp") == u.dir / "parlab-main/labs/01-race-condition/bank.cpp");
        CHECK(files.labs_present(labs).size() == 1);
    }
    SECTION("two files of the same name and no folder to tell them apart") {
        const upload u({"a/bank.cpp", "b/bank.cpp"});
        const auto files = find_submission_files(u.dir, labs);
        CHECK(files.found.count("01-race-condition/bank.cpp") == 0);
        CHECK_THAT(files.ambiguous.at("01-race-condition/bank.cpp"), contains("several files named bank.cpp"));
    }
    SECTION("an empty upload") {
        const upload u({});
        const auto files = find_submission_files(u.dir, labs);
        CHECK(files.file_count == 0);
        CHECK(files.labs_present(labs).empty());
    }
}

TEST_CASE("a check the machine cannot run is worth what the rubric says, for everyone", "[grader][timing]") {
    const lab_info lab = lock_placement_lab();
    grading_context context;
    lab_programs programs;
    programs.release.ok = true;
    programs.release.probe = PARLAB_MISBEHAVE;
    const auto with_policy = [&](const char* policy) {
        nlohmann::json params = {{"needs_cores", 100000}, {"min_speedup", 2}, {"a", {{"probe", "lock-per-element"}}},
                                  {"b", {{"probe", "lock-per-chunk"}}}};
        if (policy != nullptr) params["when_not_run"] = policy;
        const check_spec spec = make_spec("02-lock-placement", "faster", 2, "timing", params);
        lab_state state;
        return run_check(context, lab, spec, programs, state);
    };
    const auto deferred = with_policy(nullptr);
    CHECK(deferred.status == check_status::skipped);
    CHECK(deferred.score == 0);
    CHECK(deferred.max_score == 10);
    CHECK_THAT(deferred.message, contains("not run here (needs 100000 cores"));
    const auto awarded = with_policy("award");
    CHECK(awarded.score == 10);
    CHECK(awarded.max_score == 10);
    const auto excluded = with_policy("exclude");
    CHECK(excluded.max_score == 0);

    // a task whose correctness checks failed is not timed at all, whatever the machine
    const check_spec spec = make_spec("02-lock-placement", "faster", 2, "timing",
                                      {{"min_speedup", 2}, {"a", {{"probe", "lock-per-element"}}}, {"b", {{"probe", "lock-per-chunk"}}}});
    lab_state failed_task;
    failed_task.failed_tasks = {2};
    const auto untimed = run_check(context, lab, spec, programs, failed_task);
    CHECK(untimed.status == check_status::failed);
    CHECK(untimed.score == 0);
    CHECK(untimed.max_score == 10);
    CHECK_THAT(untimed.message, contains("not timed: task 2 does not pass its other checks yet"));
    CHECK(untimed.seconds < 1.0);
    // nor one whose needs_passed names a probe check that did not pass
    const check_spec measured = make_spec("02-lock-placement", "faster", 2, "timing",
                                          {{"min_speedup", 2}, {"a", {{"probe", "lock-per-element"}}},
                                           {"b", {{"probe", "lock-per-chunk"}}}, {"needs_passed", {"lock-per-chunk"}}});
    lab_state failed_check;
    failed_check.failed_checks = {"lock-per-chunk"};
    const auto waiting = run_check(context, lab, measured, programs, failed_check);
    CHECK(waiting.status == check_status::failed);
    CHECK(waiting.score == 0);
    CHECK_THAT(waiting.message, contains("not timed: lock-per-chunk must pass first (the timed runs use the code it checks)"));

    grade_report report;
    lab_result result;
    result.lab = lab;
    result.checks = {deferred};
    report.labs = {result};
    report.seconds = 12.4;
    const auto gradescope = gradescope_report(report);
    CHECK(gradescope["execution_time"] == 12);
    CHECK_FALSE(gradescope["tests"][0].contains("status"));  // neither passed nor failed
    CHECK_THAT(gradescope["tests"][0]["name"].get<std::string>(), contains("(not run here)"));
}

TEST_CASE("a submission that cannot be graded says why in every report", "[grader][report]") {
    grade_report report;
    report.error = "the submission is empty";
    CHECK_THAT(gradescope_report(report)["output"].get<std::string>(), contains("Nothing could be graded: the submission is empty"));
    CHECK(json_report(report)["error"] == "the submission is empty");
    CHECK_THAT(markdown_report(report), contains("Nothing could be graded"));
    CHECK_THAT(terminal_report(report, false, false), contains("nothing graded: the submission is empty"));
}
