#include "parlab/workers.hpp"

#include <sched.h>

#include <cstdlib>
#include <stdexcept>

#include "parlab/testing.hpp"

namespace {
// Sets or clears PARLAB_WORKERS for one scope.
struct scoped_env {
    explicit scoped_env(const char* value) {
        if (value != nullptr) ::setenv("PARLAB_WORKERS", value, 1);
        else ::unsetenv("PARLAB_WORKERS");
    }
    ~scoped_env() { ::unsetenv("PARLAB_WORKERS"); }
};
}  // namespace

TEST_CASE("available_cpus follows the affinity mask", "[common][workers]") {
    cpu_set_t original;
    REQUIRE(sched_getaffinity(0, sizeof original, &original) == 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &original)) {
            CPU_SET(cpu, &one);
            break;
        }
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    const std::size_t pinned = parlab::available_cpus();
    REQUIRE(sched_setaffinity(0, sizeof original, &original) == 0);
    CHECK(pinned == 1);
    CHECK(parlab::available_cpus() == static_cast<std::size_t>(CPU_COUNT(&original)));
}

TEST_CASE("default_workers honours PARLAB_WORKERS", "[common][workers]") {
    {
        scoped_env env("3");
        CHECK(parlab::default_workers() == 3);
    }
    {
        scoped_env env(nullptr);
        CHECK(parlab::default_workers() == parlab::available_cpus());
    }
    {
        scoped_env env("many");
        CHECK_THROWS_WITH(parlab::default_workers(), parlab::testing::contains("PARLAB_WORKERS must be a positive integer, got 'many'"));
    }
}

TEST_CASE("parse_positive rejects what is not a positive integer", "[common][workers]") {
    CHECK(parlab::parse_positive("8", "--workers") == 8);
    CHECK(parlab::parse_positive("+2", "--workers") == 2);
    const char* bad = GENERATE("", "0", "-1", "2x", "x", "1.5", "99999999999999999999999", "5000");
    CHECK_THROWS_AS(parlab::parse_positive(bad, "--workers"), std::invalid_argument);
    CHECK_THROWS_WITH(parlab::parse_positive(bad, "--workers"), parlab::testing::contains("--workers must be a positive integer"));
}

TEST_CASE("parse_positive takes a larger limit for counts that are not workers", "[common][workers]") {
    CHECK(parlab::parse_positive("100000", "TRANSACTIONS", 10'000'000) == 100'000);
    CHECK_THROWS_WITH(parlab::parse_positive("10000001", "TRANSACTIONS", 10'000'000),
                      parlab::testing::contains("too large, at most 10000000"));
}
