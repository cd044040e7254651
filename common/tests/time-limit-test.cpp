#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "parlab/testing.hpp"

using parlab::testing::contains;

namespace {

// True while `pid` runs; a zombie (killed, not yet reaped by whoever adopted it) counts as gone.
bool running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("a call under a time limit gives back its result", "[common][time-limit]") {
    const auto got = parlab::call_with_time_limit<long>(5.0, [] { return 6L * 7L; });
    CHECK(got.end == parlab::limited_end::returned);
    REQUIRE(got.value.has_value());
    CHECK(*got.value == 42);
    CHECK(got.message.empty());
}

TEST_CASE("an exception under a time limit is reported with its message", "[common][time-limit]") {
    const auto got = parlab::call_with_time_limit<int>(5.0, []() -> int {
        throw std::logic_error("task 3 is not done yet");
    });
    CHECK(got.end == parlab::limited_end::threw);
    CHECK_FALSE(got.value.has_value());
    CHECK(got.message == "task 3 is not done yet");
}

TEST_CASE("a hang is stopped at the time limit, with every process it started", "[common][time-limit]") {
    parlab::shared_value<pid_t> grandchild(0);
    const auto start = std::chrono::steady_clock::now();
    const parlab::limited_run run = parlab::run_with_time_limit(
        [&] {
            const pid_t pid = ::fork();
            if (pid == 0) {
                for (;;) ::pause();
            }
            *grandchild = pid;
            for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        },
        0.2);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(run.end == parlab::limited_end::timed_out);
    CHECK(seconds >= 0.2);
    CHECK(seconds < 5.0);
    REQUIRE(*grandchild > 0);
    // SIGKILL to the group is delivered at once, but the process may take a moment to end.
    for (int i = 0; i < 200 && running(*grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK_FALSE(running(*grandchild));
}

TEST_CASE("a crash under a time limit is reported with the signal", "[common][time-limit]") {
    const auto got = parlab::call_with_time_limit<int>(5.0, []() -> int {
        ::raise(SIGSEGV);
        return 0;
    });
    CHECK(got.end == parlab::limited_end::crashed);
    CHECK_FALSE(got.value.has_value());
    CHECK_THAT(got.message, contains("SIGSEGV"));

    const parlab::limited_run exited = parlab::run_with_time_limit([] { ::_exit(3); }, 5.0);
    CHECK(exited.end == parlab::limited_end::crashed);
    CHECK(exited.message == "exited with code 3");
}
