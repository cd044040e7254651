#include "sandbox.hpp"

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "parlab/testing.hpp"

using namespace parlab::grader;
using parlab::testing::contains;
namespace fs = std::filesystem;

namespace {
run_request misbehave(const std::string& what, std::vector<std::string> more = {}) {
    run_request request;
    request.argv = {PARLAB_MISBEHAVE, what};
    request.argv.insert(request.argv.end(), more.begin(), more.end());
    request.env = clean_environment(fs::temp_directory_path());
    request.workdir = fs::temp_directory_path();
    request.timeout = std::chrono::seconds(2);
    return request;
}
}  // namespace

TEST_CASE("a deadlock is stopped at the wall-clock limit", "[grader][sandbox]") {
    const auto result = run_sandboxed(misbehave("deadlock"));
    CHECK(result.timed_out);
    CHECK_FALSE(result.ok());
    CHECK(result.seconds < 4.0);
}

TEST_CASE("a crash is reported with the signal", "[grader][sandbox]") {
    const auto result = run_sandboxed(misbehave("crash"));
    CHECK(result.status.signaled);
    CHECK(result.status.signal == SIGSEGV);
    CHECK_THAT(result.status.describe(), contains("SIGSEGV"));
}

TEST_CASE("an output flood is cut off and stopped", "[grader][sandbox]") {
    auto request = misbehave("flood");
    request.output_kill = 4 * 1024 * 1024;
    request.timeout = std::chrono::seconds(20);
    const auto result = run_sandboxed(request);
    CHECK(result.output_flooded);
    CHECK(result.output.size() <= request.output_cap);
    CHECK(result.seconds < 10.0);
}

TEST_CASE("a process that escapes with setsid() does not outlive the run", "[grader][sandbox]") {
    become_subreaper();
    const fs::path pid_file = fs::temp_directory_path() / ("parlab-escape-" + std::to_string(::getpid()));
    const auto result = run_sandboxed(misbehave("escape", {pid_file.string()}));
    REQUIRE(fs::exists(pid_file));
    std::ifstream in(pid_file);
    pid_t escaped = 0;
    in >> escaped;
    fs::remove(pid_file);
    REQUIRE(escaped > 0);
    CHECK(result.leftovers_killed >= 1);
    CHECK(::kill(escaped, 0) == -1);
}

TEST_CASE("a control channel carries the answer", "[grader][sandbox]") {
    auto request = misbehave("answer", {R"({"value": 42})"});
    request.control_channel = true;
    const auto result = run_sandboxed(request);
    CHECK(result.ok());
    CHECK(result.control == "{\"value\": 42}\n");
}

TEST_CASE("the environment is clean", "[grader][sandbox]") {
    const auto env = clean_environment("/tmp/x", {"EXTRA=1"});
    CHECK(std::find(env.begin(), env.end(), "HOME=/tmp/x") != env.end());
    CHECK(std::find(env.begin(), env.end(), "EXTRA=1") != env.end());
    for (const auto& e : env) CHECK(e.rfind("PARLAB_", 0) != 0);
}
