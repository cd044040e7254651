// The student's loop: reading a lab's test output for `./parlab watch`.

#include "parlab/testing.hpp"
#include "student.hpp"

using parlab::grader::read_test_output;
using parlab::testing::contains;

namespace {

// A Catch2 console run with `failures` failed assertions in one test case.
std::string failing_run(int failures) {
    std::string out = "Filters: [lab03][task1]\n\n~~~~~~~~\nparlab_lab03_tests is a Catch v2.13.10 host application.\n"
                      "Run with -? for options\n\n-------\nprocesses copy every photo\n-------\ntest.cpp:130\n.......\n\n";
    for (int i = 1; i <= failures; ++i)
        out += "test.cpp:118: FAILED:\n  CHECK( problem.empty() )\nwith message:\n  photo " + std::to_string(i) + " is blank\n\n";
    out += "=======\ntest cases:  4 | 2 passed |  2 failed\nassertions: 98 | 2 passed | " + std::to_string(failures) +
           " failed\n\n";
    return out;
}

}  // namespace

TEST_CASE("watch shows the first failures of a task and counts the rest", "[grader][student]") {
    const auto run = read_test_output(failing_run(10), 3);
    CHECK(run.summary_seen);
    CHECK(run.cases == 4);
    CHECK(run.failed_cases == 2);
    CHECK(run.failed_assertions == 10);
    CHECK_THAT(run.shown, contains("photo 3 is blank"));
    CHECK_THAT(run.shown, !contains("photo 4 is blank"));
    CHECK_THAT(run.shown, contains("... and 7 more failed assertions not shown"));
    CHECK_THAT(run.shown, contains("test cases:  4 | 2 passed |  2 failed"));
    CHECK_THAT(run.shown, !contains("host application"));
}

TEST_CASE("watch --all shows every failure", "[grader][student]") {
    const auto run = read_test_output(failing_run(10), 0);
    CHECK_THAT(run.shown, contains("photo 10 is blank"));
    CHECK_THAT(run.shown, !contains("not shown"));
}

TEST_CASE("a passing run and a run that crashed before its summary", "[grader][student]") {
    const auto passed = read_test_output("Filters: [lab01]\n\n===\nAll tests passed (12 assertions in 3 test cases)\n", 3);
    CHECK(passed.summary_seen);
    CHECK(passed.cases == 3);
    CHECK(passed.failed_cases == 0);
    const auto crashed = read_test_output("-----\nworkers split rows\n-----\nterminate called after throwing\n"
                                          "  what():  rows_of_worker: worker 2 does not exist\n", 3);
    CHECK_FALSE(crashed.summary_seen);
    CHECK_THAT(crashed.shown, contains("what():  rows_of_worker: worker 2 does not exist"));
}

TEST_CASE("a run in which no test case passed is a failed run, not a crash", "[grader][student]") {
    // Catch2 leaves out "| 0 passed": an untouched skeleton's task printed this and watch called
    // it a crash
    const auto run = read_test_output("-----\natomic_threads loses no update\n-----\ntest.cpp:71: FAILED:\n\n"
                                      "=======\ntest cases: 2 | 2 failed\nassertions: 5 | 5 failed\n\n", 3);
    CHECK(run.summary_seen);
    CHECK(run.cases == 2);
    CHECK(run.failed_cases == 2);
    CHECK(run.failed_assertions == 5);
}
