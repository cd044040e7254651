// The grader's probe for lab 06: the student's process_pool on work made from the seed. Each
// task's result is either a raw file of the high-passed image (for the grader to compare with
// its own reference) or a value the grader can recompute; the probe reports what map and
// map_unordered gave back, in the order they gave it. Timed runs high-pass a batch made from
// each run's nonce.

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "answers.hpp"
#include "inputs.hpp"
#include "parlab/process.hpp"
#include "parlab/shared_memory.hpp"
#include "probe.hpp"
#include "tests/idle_worker.hpp"
#include "worker_pool.hpp"

namespace {

namespace lab06 = parlab::lab06;
namespace answers = parlab::grader::lab06;
using parlab::probe::arguments;

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The hidden images are float32 (inputs.hpp): their pixels and their high-passes are floats.
lab06::image image_of(std::size_t rows, std::size_t cols, std::uint64_t seed) {
    const std::vector<float> pixels = answers::case_pixels(rows, cols, seed);
    lab06::image frame(rows, cols, lab06::pixel_type::float32);
    frame.pixels.assign(pixels.begin(), pixels.end());
    return frame;
}

std::vector<float> floats_of(const lab06::image& frame) { return {frame.pixels.begin(), frame.pixels.end()}; }

answers::outcome_record record_of(const lab06::task_outcome& o) { return {o.task, o.ok, o.value, o.error}; }

std::vector<answers::outcome_record> unordered(lab06::process_pool& pool, std::size_t tasks) {
    std::vector<answers::outcome_record> seen;
    pool.map_unordered(tasks, [&](const lab06::task_outcome& o) { seen.push_back(record_of(o)); });
    return seen;
}

// highpass-map: one task per image case; each writes its high-pass as highpass-T.raw and
// returns its process id.
nlohmann::json highpass_check(const arguments& a) {
    const auto seed = a.number("seed");
    const auto cases = answers::image_cases(seed);
    answers::highpass_answer answer;
    answer.caller_pid = static_cast<long>(::getpid());
    for (std::size_t t = 0; t < cases.size(); ++t) answer.files.push_back("highpass-" + std::to_string(t) + ".raw");
    lab06::process_pool pool(answers::pool_workers(seed, 67), [&](std::size_t t) {
        const answers::image_case& c = cases.at(t);
        const std::vector<float> out = floats_of(lab06::highpass(image_of(c.rows, c.cols, c.pixels_seed), c.size));
        std::FILE* file = std::fopen(answer.files[t].c_str(), "wb");
        if (file == nullptr) throw std::runtime_error("cannot write " + answer.files[t]);
        const std::size_t written = std::fwrite(out.data(), sizeof(float), out.size(), file);
        if (std::fclose(file) != 0 || written != out.size()) throw std::runtime_error("cannot write " + answer.files[t]);
        return static_cast<double>(::getpid());
    });
    answer.values = pool.map(cases.size());
    return answer;
}

nlohmann::json order_check(const arguments& a) {
    const auto seed = a.number("seed");
    const answers::order_case plan = answers::order_plan(seed);
    const pid_t caller = ::getpid();
    lab06::process_pool pool(plan.workers, [&](std::size_t t) {
        sleep_ms(plan.sleep_ms.at(t));
        return ::getpid() == caller ? answers::ran_in_caller : answers::task_value(seed, t);
    });
    answers::values_answer answer;
    answer.caller_pid = static_cast<long>(::getpid());
    answer.values = pool.map(plan.sleep_ms.size());
    return answer;
}

// A worker killed while idle (tests/idle_worker.hpp), run in a child under a time limit, whose
// end is the answer.
std::string idle_death_end() {
    using lab06::scenarios::idle_death_end;
    const auto run = parlab::call_with_time_limit<idle_death_end>(20.0, lab06::scenarios::kill_an_idle_worker);
    if (run.value == std::optional<idle_death_end>(idle_death_end::replaced)) return "returned";
    if (run.value) return std::string("threw: ") + lab06::scenarios::describe(*run.value);
    if (run.end == parlab::limited_end::timed_out) return "timed out";
    return (run.end == parlab::limited_end::threw ? "threw: " : "crashed: ") + run.message;
}

nlohmann::json failure_check(const arguments& a) {
    const auto seed = a.number("seed");
    const answers::failure_plan plan = answers::failure_cases(seed);
    const pid_t caller = ::getpid();
    lab06::process_pool pool(plan.workers, [&](std::size_t t) {
        if (t == plan.crashing && ::getpid() == caller) throw std::runtime_error("ran in the caller's process");
        if (t == plan.crashing) ::kill(::getpid(), SIGKILL);
        for (const std::size_t bad : plan.throwing)
            if (t == bad) throw std::runtime_error(plan.text + " " + std::to_string(t));
        return answers::task_value(seed, t);
    });
    answers::failure_answer answer;
    answer.outcomes = unordered(pool, plan.tasks);
    try {
        (void)pool.map(plan.tasks);
    } catch (const lab06::task_error& error) {
        answer.map_threw = true;
        answer.map_task = error.task();
        answer.map_message = error.what();
    }
    answer.idle_death = idle_death_end();
    return answer;
}

nlohmann::json completion_check(const arguments& a) {
    const auto seed = a.number("seed");
    const std::vector<int> durations = answers::uneven_durations(seed);
    answers::completion_answer answer;
    {
        lab06::process_pool pool(3, [&](std::size_t t) {
            sleep_ms(durations.at(t));
            return answers::task_value(seed, t);
        });
        answer.uneven = unordered(pool, durations.size());
    }
    lab06::process_pool pool(2, [&](std::size_t t) {
        if (t == 0) sleep_ms(400);
        return answers::task_value(seed, t);
    });
    answer.slow_first = unordered(pool, 6);
    return answer;
}

nlohmann::json chunk_check(const arguments& a) {
    const auto seed = a.number("seed");
    const answers::chunk_plan plan = answers::chunk_case(seed);
    answers::values_answer answer;
    answer.caller_pid = static_cast<long>(::getpid());
    {
        // Each task notes its process in shared memory by its own number, so that which worker ran
        // which task does not depend on the order map returns the values in (checked apart).
        parlab::shared_array<double> ran_in(plan.tasks);
        lab06::process_pool pool(2, [&](std::size_t t) {
            if (t == 0) sleep_ms(200);
            if (t < ran_in.size()) ran_in[t] = static_cast<double>(::getpid());
            return static_cast<double>(::getpid());
        });
        (void)pool.map(plan.tasks, plan.chunksize);
        answer.pids.assign(ran_in.begin(), ran_in.end());
    }
    lab06::process_pool pool(3, [&](std::size_t t) { return answers::task_value(seed, t); });
    answer.values = pool.map(plan.tasks + 5, plan.chunksize + 1);
    return answer;
}

nlohmann::json amdahl_check(const arguments& a) {
    std::vector<lab06::speedup_point> points;
    for (const auto& p : answers::amdahl_points(a.number("seed"))) points.push_back({p.workers, p.speedup});
    answers::amdahl_answer answer;
    answer.fraction = lab06::fit_serial_fraction(points);
    const std::vector<lab06::speedup_point> one = {{1, 1.0}};
    try {
        (void)lab06::fit_serial_fraction(one);
    } catch (const std::invalid_argument&) {
        answer.refused_one_worker = true;
    }
    return answer;
}

// A timed batch: a pool made once; each run puts its nonce in shared memory, where the workers
// read it, and high-passes timing_tasks images made from it. The answer is each task's
// weighted sum of its high-pass.
parlab::probe::timed_body timed_batch(const arguments& a) {
    const auto workers = static_cast<std::size_t>(a.number("workers", 1));
    const auto seed = a.number("seed");
    auto nonce_slot = std::make_shared<parlab::shared_value<std::uint64_t>>(0);
    auto pool = std::make_shared<lab06::process_pool>(workers, [seed, nonce_slot](std::size_t t) {
        const auto size = answers::timing_side;
        const lab06::image frame = image_of(size, size, answers::timing_image_seed(seed, **nonce_slot, t));
        return answers::weighted_sum(floats_of(lab06::highpass(frame, answers::timing_window)));
    });
    return [pool, nonce_slot](std::uint64_t nonce) {
        **nonce_slot = nonce;
        std::string text;
        for (const double v : pool->map(answers::timing_tasks)) text += parlab::grader::digest_double(v) + " ";
        return text;
    };
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["highpass-map"] = highpass_check;
    table.checks["map-order"] = order_check;
    table.checks["task-failure"] = failure_check;
    table.checks["completion-order"] = completion_check;
    table.checks["chunks"] = chunk_check;
    table.checks["amdahl-fit"] = amdahl_check;
    table.timed["batch"] = timed_batch;
    return parlab::probe::run(argc, argv, table);
}
