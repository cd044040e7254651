// main() for the kit's test programs (with Catch2 3.x, Catch2::Catch2WithMain provides it), and
// a time limit on every test case: a test case still running after PARLAB_TEST_CASE_SECONDS
// (90 s unless set; PARLAB_TIMEOUT_SCALE stretches it on slow machines) stops the program with a
// line that names it, instead of a suite that hangs until ctest gives up without saying where.
// The helpers of parlab/testing.hpp are in testing.cpp: this file names no path of the kit, so
// that the compiler cache serves its long compile (Catch2 2's runner) to every copy of the kit.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#if defined(PARLAB_CATCH2_OWN_MAIN)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
using parlab_listener_base = Catch::TestEventListenerBase;
#else
#include <catch2/catch_test_case_info.hpp>
#include <catch2/reporters/catch_reporter_event_listener.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
using parlab_listener_base = Catch::EventListenerBase;
#endif

#include "parlab/testing.hpp"

namespace {

// What the alarm prints, made before the test case starts (a signal handler may only write it).
char stop_message[1024];
std::size_t stop_message_length = 0;

// Whether the program leads its own process group (run by ./parlab watch, or by a shell as a
// job): then the processes a test forked are stopped with it.
bool group_leader = false;

extern "C" void on_time_limit(int) {
    (void)!::write(STDERR_FILENO, stop_message, stop_message_length);
    if (group_leader) ::kill(0, SIGKILL);
    ::_exit(124);
}

// `seconds` stretched by PARLAB_TIMEOUT_SCALE, at least 1.
unsigned scaled(double seconds) {
    if (const char* scale = std::getenv("PARLAB_TIMEOUT_SCALE")) seconds *= std::atof(scale);
    return seconds >= 1 ? static_cast<unsigned>(seconds) : 1;
}

unsigned case_seconds() {
    double seconds = 90;
    if (const char* set = std::getenv("PARLAB_TEST_CASE_SECONDS")) seconds = std::atof(set);
    return scaled(seconds > 0 ? seconds : 90);
}

// The running test case's name, for a limit set from inside it.
char case_name[512];

// Arms the alarm: after `seconds`, the message "stopped: the test case ... `why`" and the end.
void arm(unsigned seconds, const char* why) {
    const int n = std::snprintf(stop_message, sizeof stop_message, "\nstopped: the test case \"%s\" ran for more than %u s: %s\n",
                                case_name, seconds, why);
    stop_message_length = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof stop_message - 1);
    ::alarm(seconds);  // not inherited by a forked child
}

class time_limit_listener : public parlab_listener_base {
public:
    using parlab_listener_base::parlab_listener_base;

    void testCaseStarting(Catch::TestCaseInfo const& info) override {
        std::snprintf(case_name, sizeof case_name, "%s", std::string(info.name).c_str());
        struct sigaction action {};
        action.sa_handler = on_time_limit;
        ::sigaction(SIGALRM, &action, nullptr);
        group_leader = ::getpgrp() == ::getpid();
        arm(case_seconds(),
            "a deadlock (a process or thread waiting on a pipe, a lock or a semaphore that nobody will release), or a "
            "loop that never ends?");
    }

    void testCaseEnded(Catch::TestCaseStats const& stats) override {
        ::alarm(0);
        parlab_listener_base::testCaseEnded(stats);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(time_limit_listener)

void parlab::testing::limit_test_case(unsigned seconds, const std::string& why) {
    arm(scaled(seconds), why.c_str());
}
