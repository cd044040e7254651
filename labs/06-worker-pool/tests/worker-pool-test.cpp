// Lab 06 tests: the pool with bodies that say which process ran them (their value is the
// worker's process id) or that sleep known, uneven times; failures (a body that throws, a worker
// killed in the middle of a task); chunks; the Amdahl fit on exact data; and the given median
// filter and FITS files against a plain reference that sorts every window, in both precisions
// (float32 and float64 files, written and read by hand to check the format itself).
// Images and windows are small so that every task's tests take well under a second, also under
// the sanitizers.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "idle_worker.hpp"
#include "parlab/testing.hpp"
#include "worker_pool.hpp"

namespace {

namespace lab06 = parlab::lab06;
using lab06::image;
using lab06::process_pool;
using lab06::task_outcome;

double own_pid(std::size_t) { return static_cast<double>(::getpid()); }

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Every outcome of map_unordered, in the order on_result saw them.
std::vector<task_outcome> run_unordered(process_pool& pool, std::size_t tasks, std::size_t chunksize = 1) {
    std::vector<task_outcome> seen;
    pool.map_unordered(tasks, [&](const task_outcome& o) { seen.push_back(o); }, chunksize);
    return seen;
}

std::string order_of(const std::vector<task_outcome>& seen) {
    std::string text;
    for (const auto& o : seen) text += std::to_string(o.task) + " ";
    return text;
}

// The median filter as worker_pool.hpp defines it, sorting every window.
image reference_median(const image& frame, std::size_t size) {
    image out(frame.rows, frame.cols);
    const auto half = static_cast<std::ptrdiff_t>(size / 2);
    std::vector<double> window;
    for (std::size_t y = 0; y < frame.rows; ++y) {
        for (std::size_t x = 0; x < frame.cols; ++x) {
            window.clear();
            for (std::size_t dy = 0; dy < size; ++dy)
                for (std::size_t dx = 0; dx < size; ++dx)
                    window.push_back(frame.at(
                        lab06::reflect_index(static_cast<std::ptrdiff_t>(y + dy) - half, frame.rows),
                        lab06::reflect_index(static_cast<std::ptrdiff_t>(x + dx) - half, frame.cols)));
            std::sort(window.begin(), window.end());
            out.at(y, x) = window[size * size / 2];
        }
    }
    return out;
}

// A limit for test cases that make a pool: its calls take well under a second here (0.4 s at
// most under AddressSanitizer), so a case still running after 10 s sits in a deadlock, and this
// names the usual one.
constexpr unsigned pool_seconds = 10;
const std::string pool_hang =
    "a call of the pool or its destructor never returned. The usual cause: a worker never sees end-of-file on its "
    "task pipe because another child kept a copy of that pipe's write end, so the destructor waits for it for ever "
    "(./parlab hint worker-pool 1 3)";


}  // namespace

// ---- task 1 ----------------------------------------------------------------------------------

TEST_CASE("map runs every task in a worker process started once, not in the caller", "[lab06][task1]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    const std::size_t workers = GENERATE(1u, 2u, 3u);
    process_pool pool(workers, own_pid);
    REQUIRE(pool.workers() == workers);
    const auto first = pool.map(7);
    const auto second = pool.map(5);
    std::set<double> pids(first.begin(), first.end());
    pids.insert(second.begin(), second.end());
    INFO(workers << " workers: the tasks ran in " << pids.size() << " process(es)");
    CHECK(pids.count(static_cast<double>(::getpid())) == 0);
    CHECK(pids.size() <= workers);  // the same workers serve both maps
    CHECK(first.size() == 7);
    CHECK(second.size() == 5);
}

TEST_CASE("map returns the values in input order, even when the first task ends last", "[lab06][task1]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    const std::size_t tasks = GENERATE(0u, 1u, 9u);
    process_pool pool(3, [](std::size_t t) {
        if (t == 0) sleep_ms(150);
        return 10.0 * static_cast<double>(t) + 0.5;
    });
    const std::vector<double> values = pool.map(tasks);
    REQUIRE(values.size() == tasks);
    for (std::size_t t = 0; t < tasks; ++t) {
        INFO("values[" << t << "]");
        CHECK(values[t] == 10.0 * static_cast<double>(t) + 0.5);
    }
}

TEST_CASE("a task that throws fails alone: map throws for the lowest failed task, the pool goes on",
          "[lab06][task1]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    process_pool pool(2, [](std::size_t t) -> double {
        if (t == 3 || t == 5) throw std::runtime_error("bad frame " + std::to_string(t));
        return static_cast<double>(::getpid());
    });
    try {
        (void)pool.map(8);
        FAIL("map returned although tasks 3 and 5 threw");
    } catch (const lab06::task_error& error) {
        CHECK(error.task() == 3);
        CHECK(std::string(error.what()) == "task 3 failed: bad frame 3");
    }
    const auto seen = run_unordered(pool, 8);
    REQUIRE(seen.size() == 8);
    std::size_t failed = 0;
    for (const auto& o : seen) {
        if (o.ok) {
            CHECK(o.value != static_cast<double>(::getpid()));
            continue;
        }
        ++failed;
        CHECK(o.error == "task " + std::to_string(o.task) + " failed: bad frame " + std::to_string(o.task));
    }
    CHECK(failed == 2);
}

TEST_CASE("a worker killed during a task fails that task only; a new worker takes its place", "[lab06][task1]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    const pid_t caller = ::getpid();
    process_pool pool(2, [caller](std::size_t t) -> double {
        if (t == 2 && ::getpid() != caller) ::kill(::getpid(), SIGKILL);
        if (t == 2) throw std::runtime_error("task 2 ran in the caller, where it cannot crash a worker");
        return static_cast<double>(::getpid());
    });
    const auto seen = run_unordered(pool, 6);
    INFO("reported: " << order_of(seen));
    REQUIRE(seen.size() == 6);
    std::set<std::size_t> tasks;
    for (const auto& o : seen) {
        tasks.insert(o.task);
        INFO("task " << o.task << ": " << (o.ok ? "ok" : o.error));
        CHECK(o.ok == (o.task != 2));
        if (o.task == 2) {
            CHECK_THAT(o.error, parlab::testing::contains("task 2 failed: worker "));
            CHECK_THAT(o.error, parlab::testing::contains("SIGKILL"));
        }
    }
    CHECK(tasks.size() == 6);
    const auto again = pool.map(2);  // the pool still has its two workers (task 2 would crash again)
    CHECK(again.size() == 2);
    CHECK(std::find(again.begin(), again.end(), static_cast<double>(caller)) == again.end());
}

TEST_CASE("a worker that died while idle is replaced when the pool next hands it work", "[lab06][task1]") {
    // In a child of its own, so that a SIGPIPE ending the program fails this test case by name.
    using parlab::lab06::scenarios::idle_death_end;
    const auto run = parlab::call_with_time_limit<idle_death_end>(30.0, parlab::lab06::scenarios::kill_an_idle_worker);
    // Writing to a pipe nobody reads raises SIGPIPE, which ends the whole program unless the pool
    // expects it (README, "What happens on failure"; hint 6 of task 1).
    INFO("the test's pool: " << (run.value ? parlab::lab06::scenarios::describe(*run.value)
                                           : "ended its program: " + run.message));
    CHECK(run.value == std::optional<idle_death_end>(idle_death_end::replaced));
}

TEST_CASE("the pool's workers end with the pool; 0 workers is refused", "[lab06][task1]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    std::vector<double> pids;
    {
        process_pool pool(2, own_pid);
        pids = pool.map(4);
    }
    for (const double pid : pids) {
        INFO("process " << pid << " still exists after the pool was destroyed");
        CHECK(static_cast<pid_t>(pid) != ::getpid());
        CHECK(::kill(static_cast<pid_t>(pid), 0) != 0);
    }
    CHECK_THROWS_AS(process_pool(0, own_pid), std::invalid_argument);
}

// ---- task 2 ----------------------------------------------------------------------------------

TEST_CASE("map_unordered reports each task as it ends: a slow first task comes last", "[lab06][task2]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    process_pool pool(2, [](std::size_t t) {
        if (t == 0) sleep_ms(400);
        return static_cast<double>(::getpid());
    });
    const pid_t caller = ::getpid();
    std::vector<task_outcome> seen;
    bool in_caller = true;
    pool.map_unordered(6, [&](const task_outcome& o) {
        in_caller = in_caller && ::getpid() == caller;
        seen.push_back(o);
    });
    INFO("reported in the order " << order_of(seen) << "(task 0 sleeps 400 ms, the others not at all)");
    CHECK(in_caller);
    REQUIRE(seen.size() == 6);
    CHECK(seen.back().task == 0);
    std::set<std::size_t> tasks;
    for (const auto& o : seen) {
        tasks.insert(o.task);
        CHECK(o.ok);
        CHECK(o.value != static_cast<double>(caller));
    }
    CHECK(tasks.size() == 6);
}

TEST_CASE("map_unordered with uneven tasks reports them by their end times", "[lab06][task2]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    // 3 workers start tasks 0, 1, 2 at once: they end after 300, 20 and 160 ms.
    process_pool pool(3, [](std::size_t t) {
        const int ms[] = {300, 20, 160};
        sleep_ms(ms[t]);
        return static_cast<double>(t);
    });
    const auto seen = run_unordered(pool, 3);
    INFO("reported in the order " << order_of(seen) << "(expected 1 2 0)");
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].task == 1);
    CHECK(seen[1].task == 2);
    CHECK(seen[2].task == 0);
}

TEST_CASE("highpass_batch filters a folder through the pool; a bad file fails alone", "[lab06][task2]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    const parlab::testing::temp_folder in("lab06-batch-in"), out("lab06-batch-out");
    auto files = lab06::write_fake_batch(in.path, 3, 9, 11, 42);
    const auto bad = in.path / "notes.fits";
    std::ofstream(bad) << "this is not a FITS file\n";
    files.insert(files.begin() + 1, bad);
    std::size_t calls = 0;
    const auto outcomes = lab06::highpass_batch(files, out.path, 3, 2, 1,
                                                [&](std::size_t done, std::size_t total, const lab06::file_outcome&) {
                                                    ++calls;
                                                    CHECK(done == calls);
                                                    CHECK(total == 4);
                                                });
    CHECK(calls == 4);
    REQUIRE(outcomes.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        INFO(files[i].filename().string() << ": " << outcomes[i].error);
        CHECK(outcomes[i].input == files[i]);
        CHECK(outcomes[i].ok == (i != 1));
        if (i == 1) {
            CHECK_THAT(outcomes[i].error, parlab::testing::contains("notes.fits"));
            continue;
        }
        const image got = lab06::read_fits(out.path / files[i].filename());
        const image frame = lab06::read_fits(files[i]);
        const image median = reference_median(frame, 3);
        REQUIRE(got.pixels.size() == frame.pixels.size());
        // float32 files: the difference is rounded to float, as SciPy computes it on float32 arrays
        REQUIRE(got.type == lab06::pixel_type::float32);
        for (std::size_t p = 0; p < got.pixels.size(); ++p)
            CHECK(got.pixels[p] == static_cast<float>(frame.pixels[p] - median.pixels[p]));
    }
}

// ---- task 3 ----------------------------------------------------------------------------------

TEST_CASE("chunksize hands out consecutive tasks together", "[lab06][task3]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    // Task 0 sleeps: with chunks of 3, tasks 1 and 2 wait in the same worker, and the other worker
    // takes the next chunk, [3, 6).
    process_pool pool(2, [](std::size_t t) {
        if (t == 0) sleep_ms(150);
        return static_cast<double>(::getpid());
    });
    const auto pid = pool.map(10, 3);
    REQUIRE(pid.size() == 10);
    INFO("the tasks ran in processes " << pid[0] << " " << pid[1] << " " << pid[2] << " | " << pid[3] << " " << pid[4]
                                       << " " << pid[5] << " | ...");
    CHECK(pid[0] != static_cast<double>(::getpid()));
    for (const std::size_t first : {0u, 3u, 6u})
        for (std::size_t t = first; t < first + 3; ++t) CHECK(pid[t] == pid[first]);
    CHECK(pid[3] != pid[0]);
}

TEST_CASE("chunks of any size give the same values in order; chunksize 0 is refused", "[lab06][task3]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    const std::size_t chunksize = GENERATE(1u, 2u, 4u, 50u);
    process_pool pool(2, [](std::size_t t) { return std::sqrt(static_cast<double>(t)); });
    const auto values = pool.map(13, chunksize);
    REQUIRE(values.size() == 13);
    for (std::size_t t = 0; t < 13; ++t) CHECK(values[t] == std::sqrt(static_cast<double>(t)));
    const auto seen = run_unordered(pool, 13, chunksize);
    CHECK(seen.size() == 13);
    CHECK_THROWS_AS(pool.map(3, 0), std::invalid_argument);
}

TEST_CASE("a crash inside a chunk fails one task; the rest of the chunk still runs", "[lab06][task3]") {
    parlab::testing::limit_test_case(pool_seconds, pool_hang);
    const pid_t caller = ::getpid();
    process_pool pool(2, [caller](std::size_t t) -> double {
        if (t == 4 && ::getpid() != caller) ::kill(::getpid(), SIGKILL);
        return static_cast<double>(t);
    });
    const auto seen = run_unordered(pool, 9, 3);
    INFO("reported: " << order_of(seen));
    REQUIRE(seen.size() == 9);
    for (const auto& o : seen) {
        INFO("task " << o.task << ": " << (o.ok ? "ok" : o.error));
        CHECK(o.ok == (o.task != 4));
    }
}

// ---- task 4 ----------------------------------------------------------------------------------

TEST_CASE("fit_serial_fraction recovers f from exact Amdahl speedups", "[lab06][task4]") {
    const double f = GENERATE(0.0, 0.1, 0.37, 1.0);
    std::vector<lab06::speedup_point> points;
    for (std::size_t p = 1; p <= 8; ++p)
        points.push_back({p, 1.0 / (f + (1.0 - f) / static_cast<double>(p))});
    CHECK(lab06::fit_serial_fraction(points) == parlab::testing::Approx(f).margin(1e-12));
}

TEST_CASE("fit_serial_fraction is the least-squares fit on 1/S, and refuses empty information", "[lab06][task4]") {
    // a = 1/2, b = 1/1.6 - 1/2 = 0.125; a = 3/4, b = 1/2.5 - 1/4 = 0.15: f = 0.175 / 0.8125
    const std::vector<lab06::speedup_point> points = {{2, 1.6}, {4, 2.5}};
    CHECK(lab06::fit_serial_fraction(points) == parlab::testing::Approx(0.175 / 0.8125).epsilon(1e-12));
    const std::vector<lab06::speedup_point> only_one = {{1, 1.0}};
    CHECK_THROWS_AS(lab06::fit_serial_fraction(only_one), std::invalid_argument);
    CHECK_THROWS_AS(lab06::fit_serial_fraction({}), std::invalid_argument);
    const std::vector<lab06::speedup_point> zero = {{2, 0.0}, {4, 2.0}};
    CHECK_THROWS_AS(lab06::fit_serial_fraction(zero), std::invalid_argument);
}

// The given filter and files (they are not yours to change, but the batch rests on them).

TEST_CASE("median_filter matches a window-sorting reference bit for bit", "[lab06][task4]") {
    const std::size_t rows = GENERATE(1u, 2u, 5u, 13u);
    const std::size_t cols = GENERATE(1u, 4u, 9u);
    const std::size_t size = GENERATE(1u, 2u, 3u, 4u, 7u);
    image frame = lab06::fake_sky(rows, cols, rows * 100 + cols);
    for (std::size_t i = 0; i < frame.pixels.size(); i += 3) frame.pixels[i] = std::round(frame.pixels[i] / 50);  // ties
    const image expected = reference_median(frame, size);
    const image got = lab06::median_filter(frame, size);
    INFO(rows << " x " << cols << ", window " << size);
    REQUIRE(got.rows == rows);
    REQUIRE(got.cols == cols);
    CHECK(got.pixels == expected.pixels);
}

TEST_CASE("median_filter agrees with scipy.ndimage.median_filter", "[lab06][task4]") {
    // Printed by SciPy 1.10 (scipy.ndimage.median_filter(a, size), all defaults) for
    // a = [[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]] as float32; size 7 is larger than the image.
    image a(3, 4);
    a.pixels = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
    CHECK(lab06::median_filter(a, 2).pixels == std::vector<double>{3, 3, 4, 4, 5, 5, 4, 4, 5, 5, 5, 6});
    CHECK(lab06::median_filter(a, 3).pixels == std::vector<double>{3, 3, 2, 2, 5, 4, 4, 5, 5, 5, 5, 6});
    CHECK(lab06::median_filter(a, 4).pixels == std::vector<double>{5, 4, 4, 4, 3, 4, 4, 4, 5, 5, 5, 5});
    CHECK(lab06::median_filter(a, 7).pixels == std::vector<double>{5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4});
    CHECK_THROWS_AS(lab06::median_filter(a, 0), std::invalid_argument);
}

TEST_CASE("FITS files: a round trip, and one clear error for a bad file", "[lab06][task4]") {
    using parlab::testing::contains;
    const parlab::testing::temp_folder folder("lab06-fits");
    const image sky = lab06::fake_sky(6, 9, 7);
    lab06::write_fits(folder.path / "sky.fits", sky);
    const image back = lab06::read_fits(folder.path / "sky.fits");
    CHECK(back.rows == 6);
    CHECK(back.cols == 9);
    CHECK(back.pixels == sky.pixels);
    CHECK(back.type == lab06::pixel_type::float32);
    std::ofstream(folder.path / "text.fits") << "SIMPLE? no.\n";
    CHECK_THROWS_WITH(lab06::read_fits(folder.path / "text.fits"), contains("text.fits: not a FITS image"));
    CHECK_THROWS_WITH(lab06::read_fits(folder.path / "missing.fits"), contains("missing.fits: no such file"));
    CHECK_THROWS_AS(lab06::write_fits(folder.path / "no-such-folder" / "x.fits", sky), lab06::fits_error);
    // Blank pixels (NaN in a float image) cannot be ordered for a median: the file is refused.
    image holes = sky;
    holes.at(2, 3) = std::numeric_limits<float>::quiet_NaN();
    holes.at(4, 1) = std::numeric_limits<float>::infinity();
    lab06::write_fits(folder.path / "holes.fits", holes);
    CHECK_THROWS_WITH(lab06::read_fits(folder.path / "holes.fits"), contains("holes.fits: 2 pixel(s) are blank or not finite"));
    // The same in 64-bit floats: a round trip keeps the type, and holes are refused as well.
    const image sky64 = lab06::fake_sky(6, 9, 7, lab06::pixel_type::float64);
    lab06::write_fits(folder.path / "sky64.fits", sky64);
    const image back64 = lab06::read_fits(folder.path / "sky64.fits");
    CHECK(back64.type == lab06::pixel_type::float64);
    CHECK(back64.pixels == sky64.pixels);
    holes.type = lab06::pixel_type::float64;
    lab06::write_fits(folder.path / "holes64.fits", holes);
    CHECK_THROWS_WITH(lab06::read_fits(folder.path / "holes64.fits"), contains("holes64.fits: 2 pixel(s) are blank"));
}

// FITS files written and read here by hand, without CFITSIO, so that the given read_fits and
// write_fits are checked against the format itself: 80-character header cards in blocks of 2880
// bytes ending with END, then the pixels row after row, big-endian, padded to 2880 bytes.
namespace {

constexpr std::size_t fits_block = 2880;

std::string fits_card(const std::string& key, const std::string& value) {
    std::string card = key;
    card.resize(8, ' ');
    card += "= " + std::string(value.size() < 20 ? 20 - value.size() : 0, ' ') + value;
    card.resize(80, ' ');
    return card;
}

template <class Float>
void write_fits_by_hand(const std::filesystem::path& file, std::size_t rows, std::size_t cols,
                        const std::vector<Float>& pixels) {
    std::string text = fits_card("SIMPLE", "T") + fits_card("BITPIX", sizeof(Float) == 8 ? "-64" : "-32") +
                       fits_card("NAXIS", "2") + fits_card("NAXIS1", std::to_string(cols)) +
                       fits_card("NAXIS2", std::to_string(rows)) + std::string("END").append(77, ' ');
    text.resize((text.size() + fits_block - 1) / fits_block * fits_block, ' ');
    for (const Float p : pixels) {
        char bytes[sizeof(Float)];
        std::memcpy(bytes, &p, sizeof(Float));
        std::reverse(bytes, bytes + sizeof(Float));  // the machine is little-endian, FITS big-endian
        text.append(bytes, sizeof(Float));
    }
    text.resize((text.size() + fits_block - 1) / fits_block * fits_block, '\0');
    std::ofstream(file, std::ios::binary) << text;
}

struct fits_by_hand {
    long bitpix = 0;
    std::size_t rows = 0, cols = 0;
    std::vector<double> pixels;  // each pixel as its type holds it, widened to double
};

template <class Float>
std::vector<double> big_endian_pixels(const std::string& data, std::size_t count) {
    std::vector<double> pixels;
    for (std::size_t i = 0; i < count && (i + 1) * sizeof(Float) <= data.size(); ++i) {
        char bytes[sizeof(Float)];
        std::memcpy(bytes, data.data() + i * sizeof(Float), sizeof(Float));
        std::reverse(bytes, bytes + sizeof(Float));
        Float value;
        std::memcpy(&value, bytes, sizeof(Float));
        pixels.push_back(value);
    }
    return pixels;
}

fits_by_hand read_fits_by_hand(const std::filesystem::path& file) {
    std::string text(std::filesystem::file_size(file), '\0');
    std::ifstream(file, std::ios::binary).read(text.data(), static_cast<std::streamsize>(text.size()));
    fits_by_hand got;
    std::size_t at = 0;
    for (; at + 80 <= text.size(); at += 80) {
        const std::string key = text.substr(at, 8);
        if (key == "END     ") break;
        if (text.compare(at + 8, 2, "= ") != 0) continue;
        const long value = std::strtol(text.c_str() + at + 10, nullptr, 10);
        if (key == "BITPIX  ") got.bitpix = value;
        if (key == "NAXIS1  ") got.cols = static_cast<std::size_t>(value);
        if (key == "NAXIS2  ") got.rows = static_cast<std::size_t>(value);
    }
    const std::size_t data = (at / fits_block + 1) * fits_block;
    const std::string bytes = data < text.size() ? text.substr(data) : "";
    if (got.bitpix == -64) got.pixels = big_endian_pixels<double>(bytes, got.rows * got.cols);
    if (got.bitpix == -32) got.pixels = big_endian_pixels<float>(bytes, got.rows * got.cols);
    return got;
}

// frame - its median in plain double arithmetic: every window sorted (borders mirrored with the
// edge pixel repeated; the windows here are smaller than the image).
std::vector<double> highpass_in_double(const std::vector<double>& frame, std::size_t rows, std::size_t cols,
                                       std::size_t size) {
    auto mirror = [](std::ptrdiff_t i, std::size_t n) {
        const auto last = static_cast<std::ptrdiff_t>(n);
        return static_cast<std::size_t>(i < 0 ? -i - 1 : i >= last ? 2 * last - 1 - i : i);
    };
    const auto half = static_cast<std::ptrdiff_t>(size / 2);
    std::vector<double> out(frame.size()), window;
    for (std::size_t y = 0; y < rows; ++y) {
        for (std::size_t x = 0; x < cols; ++x) {
            window.clear();
            for (std::ptrdiff_t dy = -half; dy < static_cast<std::ptrdiff_t>(size) - half; ++dy)
                for (std::ptrdiff_t dx = -half; dx < static_cast<std::ptrdiff_t>(size) - half; ++dx)
                    window.push_back(frame[mirror(static_cast<std::ptrdiff_t>(y) + dy, rows) * cols +
                                           mirror(static_cast<std::ptrdiff_t>(x) + dx, cols)]);
            std::sort(window.begin(), window.end());
            out[y * cols + x] = frame[y * cols + x] - window[size * size / 2];
        }
    }
    return out;
}

}  // namespace

TEST_CASE("FITS precision: a -64 image is high-passed in double and written as -64; a -32 one stays float",
          "[lab06][task4]") {
    const parlab::testing::temp_folder folder("lab06-precision");
    const std::size_t rows = 7, cols = 9;
    const std::size_t size = GENERATE(3u, 4u);
    // Values no float can hold: a float keeps 24 bits of mantissa, these use all 53.
    std::vector<double> sky(rows * cols);
    for (std::size_t i = 0; i < sky.size(); ++i)
        sky[i] = 100 + 37 * std::sin(0.7 * static_cast<double>(i)) + 1e-7 * static_cast<double>(i + 1);
    REQUIRE(std::none_of(sky.begin(), sky.end(), [](double v) { return static_cast<float>(v) == v; }));
    INFO("window " << size);

    write_fits_by_hand(folder.path / "sky64.fits", rows, cols, sky);
    lab06::write_fits(folder.path / "out64.fits", lab06::highpass(lab06::read_fits(folder.path / "sky64.fits"), size));
    const fits_by_hand got64 = read_fits_by_hand(folder.path / "out64.fits");
    CHECK(got64.bitpix == -64);
    REQUIRE(got64.rows == rows);
    REQUIRE(got64.cols == cols);
    CHECK(got64.pixels == highpass_in_double(sky, rows, cols, size));

    // The same sky as float32 keeps float32: the difference of two floats, rounded to float.
    const std::vector<float> sky32(sky.begin(), sky.end());
    const std::vector<double> widened(sky32.begin(), sky32.end());
    write_fits_by_hand(folder.path / "sky32.fits", rows, cols, sky32);
    lab06::write_fits(folder.path / "out32.fits", lab06::highpass(lab06::read_fits(folder.path / "sky32.fits"), size));
    const fits_by_hand got32 = read_fits_by_hand(folder.path / "out32.fits");
    CHECK(got32.bitpix == -32);
    std::vector<double> expected32;
    for (const double d : highpass_in_double(widened, rows, cols, size)) expected32.push_back(static_cast<float>(d));
    CHECK(got32.pixels == expected32);
}
