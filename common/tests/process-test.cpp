#include "parlab/process.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "parlab/shared_memory.hpp"
#include "parlab/testing.hpp"

using parlab::testing::contains;

TEST_CASE("a child that returns exits with code 0", "[common][process]") {
    parlab::shared_value<int> seen(0);
    auto child = parlab::process::start([&] { *seen = 41 + 1; });
    const auto status = child.join();
    CHECK(status.ok());
    CHECK(status.describe() == "exited with code 0");
    CHECK(*seen == 42);  // written through shared memory
    CHECK_FALSE(child.joinable());
}

TEST_CASE("a child's writes to private memory stay in the child", "[common][process]") {
    int private_value = 1;
    auto child = parlab::process::start([&] { private_value = 2; });
    child.join_or_throw();
    CHECK(private_value == 1);
}

TEST_CASE("a child that throws is reported with its message", "[common][process]") {
    auto child = parlab::process::start([] { throw std::runtime_error("row 7 is out of range"); });
    const auto status = child.join();
    CHECK_FALSE(status.ok());
    CHECK(status.exited);
    CHECK(status.code == 1);
    CHECK(status.error == "row 7 is out of range");

    auto again = parlab::process::start([] { throw std::runtime_error("boom"); });
    CHECK_THROWS_AS(again.join_or_throw(), parlab::process_error);
}

TEST_CASE("a child that crashes is reported with the signal's name", "[common][process]") {
    auto child = parlab::process::start([] { ::raise(SIGSEGV); });
    const auto status = child.join();
    CHECK(status.signaled);
    CHECK(status.signal == SIGSEGV);
    CHECK_THAT(status.describe(), contains("killed by signal SIGSEGV"));

    auto aborting = parlab::process::start([] { ::abort(); });
    try {
        aborting.join_or_throw();
        FAIL("join_or_throw should have thrown");
    } catch (const parlab::process_error& error) {
        CHECK_THAT(error.what(), contains("SIGABRT"));
        CHECK(error.status().signal == SIGABRT);
    }
}

TEST_CASE("exit codes are passed through", "[common][process]") {
    auto child = parlab::process::start([] { ::_exit(3); });
    const auto status = child.join();
    CHECK(status.code == 3);
    CHECK(status.describe() == "exited with code 3");
}

TEST_CASE("an unjoined child is killed and reaped by the destructor", "[common][process]") {
    pid_t pid = 0;
    {
        auto child = parlab::process::start([] { ::pause(); });
        pid = child.pid();
        REQUIRE(::kill(pid, 0) == 0);
    }
    CHECK(::kill(pid, 0) == -1);  // gone, and not a zombie either
}

TEST_CASE("join_all joins every child after one failed, then reports the first failure", "[common][process]") {
    parlab::shared_value<std::atomic<int>> finished(0);
    std::vector<parlab::process> children;
    children.push_back(parlab::process::start([] { throw std::runtime_error("first child failed"); }));
    children.push_back(parlab::process::start([] { throw std::runtime_error("second child failed"); }));
    children.push_back(parlab::process::start([&] {
        ::usleep(200'000);  // still running when the first failure is known
        finished->fetch_add(1);
    }));
    CHECK_THROWS_WITH(parlab::join_all(children), contains("first child failed"));
    CHECK(finished->load() == 1);
    for (const auto& child : children) CHECK_FALSE(child.joinable());
}

TEST_CASE("fork_for_each runs every task exactly once", "[common][process]") {
    const std::size_t tasks = GENERATE(0u, 1u, 5u, 64u);
    const std::size_t workers = GENERATE(1u, 2u, 4u);
    parlab::shared_array<int> hits(tasks + 1);
    parlab::fork_for_each(tasks, workers, [&](std::size_t t) { hits[t] += 1; });
    for (std::size_t t = 0; t < tasks; ++t) CHECK(hits[t] == 1);
    CHECK(hits[tasks] == 0);
}

TEST_CASE("fork_map returns results in task order", "[common][process]") {
    const auto results = parlab::fork_map<long>(10, 3, [](std::size_t t) { return static_cast<long>(t * t); });
    REQUIRE(results.size() == 10);
    for (std::size_t t = 0; t < 10; ++t) CHECK(results[t] == static_cast<long>(t * t));
}

TEST_CASE("fork_for_each reports a failing worker", "[common][process]") {
    CHECK_THROWS_WITH(parlab::fork_for_each(8, 2, [](std::size_t t) {
        if (t == 5) throw std::runtime_error("task 5 failed");
    }), contains("task 5 failed"));
    CHECK_THROWS_AS(parlab::fork_for_each(1, 0, [](std::size_t) {}), std::invalid_argument);
}

TEST_CASE("signal_name names common signals", "[common][process]") {
    CHECK(parlab::signal_name(SIGKILL) == "SIGKILL");
    CHECK(parlab::signal_name(SIGFPE) == "SIGFPE");
}
