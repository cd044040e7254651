#include "parlab/shared_memory.hpp"

#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <system_error>

#include "parlab/process.hpp"
#include "parlab/testing.hpp"

using parlab::testing::contains;

TEST_CASE("an anonymous segment is zero-filled and shared with forked children", "[common][shm]") {
    parlab::shared_segment segment(10000);
    REQUIRE(segment.size() == 10000);
    const auto bytes = segment.bytes();
    CHECK(std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; }));
    auto child = parlab::process::start([&] { std::memset(segment.data(), 7, segment.size()); });
    child.join_or_throw();
    CHECK(bytes[0] == std::byte{7});
    CHECK(bytes[9999] == std::byte{7});
}

TEST_CASE("segments move without double unmapping", "[common][shm]") {
    parlab::shared_segment a(64);
    void* where = a.data();
    parlab::shared_segment b(std::move(a));
    CHECK(a.data() == nullptr);  // NOLINT: checking the moved-from state on purpose
    CHECK(b.data() == where);
    parlab::shared_segment c;
    c = std::move(b);
    CHECK(c.data() == where);
    CHECK(c.size() == 64);
}

TEST_CASE("shared_value and shared_array carry children's writes back", "[common][shm]") {
    parlab::shared_value<std::atomic<long>> counter(0);
    parlab::shared_array<double> values(100);
    parlab::fork_for_each(100, 4, [&](std::size_t i) {
        values[i] = static_cast<double>(i) * 0.5;
        counter->fetch_add(1);
    });
    CHECK(counter->load() == 100);
    CHECK(values[99] == 49.5);
    CHECK(values.span().size() == 100);
}

TEST_CASE("a named segment is opened by name and unlinked by its owner", "[common][shm]") {
    const std::string name = parlab::named_shared_segment::unique_name("parlab-test");
    {
        auto owner = parlab::named_shared_segment::create(name, 4096);
        CHECK(owner.owner());
        // A child opens it by name, as an unrelated process would, and writes.
        auto child = parlab::process::start([&] {
            auto other = parlab::named_shared_segment::open(name);
            if (other.size() != 4096) throw std::runtime_error("wrong size");
            std::memcpy(other.data(), "hello", 6);
        });
        child.join_or_throw();
        CHECK(std::string(static_cast<const char*>(owner.data())) == "hello");
        CHECK_THROWS_AS(parlab::named_shared_segment::create(name, 16), std::system_error);
    }
    // gone once the owner is destroyed
    CHECK_THROWS_WITH(parlab::named_shared_segment::open(name), contains("cannot open shared memory '" + name + "'"));
}

TEST_CASE("process_mutex excludes other processes", "[common][shm]") {
    struct shared_state {
        parlab::process_mutex mutex;
        long value = 0;
    };
    parlab::shared_value<shared_state> state;
    constexpr int rounds = 20000;
    parlab::fork_for_each(2, 2, [&](std::size_t) {
        for (int i = 0; i < rounds; ++i) {
            std::lock_guard lock(state->mutex);
            // a separate load and store: without the lock, updates would be lost
            const long seen = __atomic_load_n(&state->value, __ATOMIC_RELAXED);
            __atomic_store_n(&state->value, seen + 1, __ATOMIC_RELAXED);
        }
    });
    CHECK(state->value == 2 * rounds);
}
