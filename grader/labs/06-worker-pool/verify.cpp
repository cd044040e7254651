// The grader's verifiers for lab 06: every high-passed image the student's pool wrote is compared
// bit for bit with the grader's own serial reference (reference.hpp) on images the grader makes
// from the seed; every value map or map_unordered gave back must be the value the grader
// computes for its task, in the order the check requires; failures must carry the texts the
// grader's tasks threw. Nothing else the probe says counts.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"
#include "reference.hpp"

namespace parlab::grader {
namespace lab06_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

namespace ref = lab06_reference;
using lab06::outcome_record;

std::string describe(const lab06::image_case& c) {
    return fmt::format("{} x {}, window {} ({})", c.rows, c.cols, c.size, c.about);
}

// What is wrong with one high-pass file (empty when it is right).
std::string check_image(const std::string& file, const lab06::image_case& c, const verify_context& context) {
    if (file.empty() || file.find('/') != std::string::npos || file.front() == '.')
        return fmt::format("the probe's answer names no proper file ('{}')", file);
    const std::vector<float> expected = ref::highpass(lab06::case_pixels(c), c.rows, c.cols, c.size);
    const std::filesystem::path path = context.run_dir / file;
    std::error_code error;
    const auto bytes = std::filesystem::file_size(path, error);
    if (error || bytes != expected.size() * sizeof(float))
        return fmt::format("the task wrote {} bytes, expected {} ({} pixels)", error ? 0 : bytes,
                           expected.size() * sizeof(float), expected.size());
    std::vector<float> got(expected.size());
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(got.data()), static_cast<std::streamsize>(bytes));
    if (!in) return "the task's file cannot be read";
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (std::memcmp(&got[i], &expected[i], sizeof(float)) == 0) continue;
        return fmt::format("pixel (row {}, column {}): expected {}, got {}", i / c.cols, i % c.cols, expected[i], got[i]);
    }
    return {};
}

probe_verdict highpass_verdict(const check_spec&, const lab06::highpass_answer& answer, const verify_context& context) {
    const auto cases = lab06::image_cases(context.seed);
    if (answer.files.size() != cases.size() || answer.values.size() != cases.size())
        return failed(fmt::format("map returned {} values for {} tasks", answer.values.size(), cases.size()));
    std::size_t right = 0;
    std::string first;
    for (std::size_t t = 0; t < cases.size(); ++t) {
        std::string problem = check_image(answer.files[t], cases[t], context);
        if (problem.empty() && answer.values[t] == static_cast<double>(answer.caller_pid))
            problem = "the task ran in the caller's process: tasks must run in the pool's forked workers";
        if (problem.empty()) {
            ++right;
        } else if (first.empty()) {
            first = fmt::format("task {} ({}): {}", t, describe(cases[t]), problem);
        }
    }
    const std::set<double> processes(answer.values.begin(), answer.values.end());
    const std::size_t workers = lab06::pool_workers(context.seed, 67);
    if (right == cases.size() && processes.size() > workers)
        return failed(fmt::format("the {} tasks ran in {} processes, but the pool has {} workers: start the workers "
                                  "once, in the constructor, not one per task", cases.size(), processes.size(), workers),
                      0.5);
    if (right == cases.size())
        return passed(fmt::format("all {} high-passed images match the serial reference bit for bit, each made in a "
                                  "worker", cases.size()));
    return failed(fmt::format("{} of {} images right; {}", right, cases.size(), first),
                  static_cast<double>(right) / static_cast<double>(cases.size()));
}

probe_verdict order_verdict(const check_spec&, const lab06::values_answer& answer, const verify_context& context) {
    const auto plan = lab06::order_plan(context.seed);
    const std::size_t tasks = plan.sleep_ms.size();
    if (answer.values.size() != tasks)
        return failed(fmt::format("map returned {} values for {} tasks", answer.values.size(), tasks));
    for (std::size_t t = 0; t < tasks; ++t) {
        if (answer.values[t] == lab06::task_value(context.seed, t)) continue;
        if (answer.values[t] == lab06::ran_in_caller)
            return failed(fmt::format("task {} ran in the caller's process: map must hand the tasks to the pool's "
                                      "workers", t));
        for (std::size_t other = 0; other < tasks; ++other)
            if (answer.values[t] == lab06::task_value(context.seed, other))
                return failed(fmt::format("values[{}] is task {}'s value ({} tasks, {} workers, task 0 the slowest): map "
                                          "must return the values in input order, not in the order they finish",
                                          t, other, tasks, plan.workers));
        return failed(fmt::format("values[{}] is {:.17g}, which no task returned", t, answer.values[t]));
    }
    return passed(fmt::format("map returned all {} values in input order although task 0 finished last", tasks));
}

std::string order_text(const std::vector<outcome_record>& seen) {
    std::string text;
    for (const auto& o : seen) {
        if (!text.empty()) text += ' ';
        text += std::to_string(o.task);
    }
    return text;
}

// Every task reported once, each ok one with its value (empty when so).
std::string check_outcomes(const std::vector<outcome_record>& seen, std::size_t tasks, std::uint64_t seed,
                           const std::set<std::size_t>& failing) {
    if (seen.size() != tasks)
        return fmt::format("on_result was called {} times for {} tasks (reported: {})", seen.size(), tasks, order_text(seen));
    std::set<std::size_t> reported;
    for (const auto& o : seen) {
        if (o.task >= tasks || !reported.insert(o.task).second)
            return fmt::format("task {} was reported twice or does not exist (reported: {})", o.task, order_text(seen));
        const bool should_fail = failing.count(o.task) != 0;
        if (o.ok && should_fail) return fmt::format("task {} failed but was reported as done (value {:.17g})", o.task, o.value);
        if (!o.ok && !should_fail) return fmt::format("task {} should have succeeded but was reported as \"{}\"", o.task, o.error);
        if (o.ok && o.value != lab06::task_value(seed, o.task))
            return fmt::format("task {} was reported with value {:.17g}, expected {:.17g}", o.task, o.value,
                               lab06::task_value(seed, o.task));
    }
    return {};
}

probe_verdict failure_verdict(const check_spec&, const lab06::failure_answer& answer, const verify_context& context) {
    const auto plan = lab06::failure_cases(context.seed);
    std::set<std::size_t> failing(plan.throwing.begin(), plan.throwing.end());
    failing.insert(plan.crashing);
    const std::string setting = fmt::format("{} tasks on {} workers; task {} kills its worker, tasks {} throw", plan.tasks,
                                            plan.workers, plan.crashing, fmt::join(plan.throwing, ", "));
    if (std::string problem = check_outcomes(answer.outcomes, plan.tasks, context.seed, failing); !problem.empty())
        return failed(fmt::format("map_unordered ({}): {}", setting, problem));
    for (const auto& o : answer.outcomes) {
        if (o.ok) continue;
        if (o.task == plan.crashing) {
            const std::string start = fmt::format("task {} failed: worker ", o.task);
            // tasks run in the caller (the untouched skeleton) earn nothing here: no pool, no worker
            if (o.error.find("ran in the caller's process") != std::string::npos)
                return failed(fmt::format("task {} ran in the caller's process ({}): map_unordered must run every task "
                                          "in a worker process", o.task, setting));
            if (o.error.rfind(start, 0) != 0 || o.error.find("SIGKILL") == std::string::npos)
                return failed(fmt::format("task {} killed its worker ({}); expected \"{}W killed by signal SIGKILL "
                                          "...\", got \"{}\"", o.task, setting, start, o.error), 0.5);
            continue;
        }
        const std::string expected = fmt::format("task {} failed: {} {}", o.task, plan.text, o.task);
        if (o.error != expected)
            return failed(fmt::format("task {} threw ({}); expected \"{}\", got \"{}\"", o.task, setting, expected, o.error), 0.5);
    }
    if (answer.idle_death != "returned") {
        const bool sigpipe = answer.idle_death.find("SIGPIPE") != std::string::npos;
        return failed(fmt::format("a worker killed while idle, then 4 more tasks: the pool {}{}", answer.idle_death,
                                  sigpipe ? " (writing to a dead worker's task pipe raises SIGPIPE, which ends the "
                                            "whole program unless the pool expects it: README, 'What happens on "
                                            "failure', hint 6 of task 1)"
                                          : ""),
                      0.7);
    }
    const std::size_t lowest = *failing.begin();
    if (!answer.map_threw)
        return failed(fmt::format("map returned normally although tasks failed ({}): it must throw task_error for task {}",
                                  setting, lowest), 0.7);
    if (answer.map_task != lowest)
        return failed(fmt::format("map threw task_error for task {}, expected the lowest failed task, {} ({})",
                                  answer.map_task, lowest, setting), 0.7);
    return passed(fmt::format("a killed worker and {} throwing task(s) each failed only their task, with the right "
                              "message; the pool went on", plan.throwing.size()));
}

probe_verdict completion_verdict(const check_spec&, const lab06::completion_answer& answer, const verify_context& context) {
    const std::vector<int> durations = lab06::uneven_durations(context.seed);
    if (std::string problem = check_outcomes(answer.uneven, durations.size(), context.seed, {}); !problem.empty())
        return failed("map_unordered with 3 tasks on 3 workers: " + problem);
    std::vector<std::size_t> expected = {0, 1, 2};
    std::sort(expected.begin(), expected.end(), [&](std::size_t a, std::size_t b) { return durations[a] < durations[b]; });
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (answer.uneven[i].task != expected[i])
            return failed(fmt::format("3 tasks on 3 workers taking {}, {} and {} ms were reported in the order {}, "
                                      "expected {}: on_result must be called as each task ends",
                                      durations[0], durations[1], durations[2], order_text(answer.uneven),
                                      fmt::join(expected, " ")));
    if (std::string problem = check_outcomes(answer.slow_first, 6, context.seed, {}); !problem.empty())
        return failed("map_unordered with 6 tasks on 2 workers: " + problem, 0.5);
    if (answer.slow_first.back().task != 0)
        return failed(fmt::format("6 tasks on 2 workers, task 0 sleeping 400 ms and the others not at all, were "
                                  "reported in the order {}: the slow first task held the others back",
                                  order_text(answer.slow_first)), 0.5);
    return passed("results were reported in the order the tasks ended; a slow first task held nothing back");
}

probe_verdict chunk_verdict(const check_spec&, const lab06::values_answer& answer, const verify_context& context) {
    const auto plan = lab06::chunk_case(context.seed);
    const std::size_t c = plan.chunksize;
    if (answer.pids.size() != plan.tasks) return failed("the probe noted the wrong number of tasks");
    for (std::size_t t = 0; t < plan.tasks; ++t) {
        if (answer.pids[t] == 0) return failed(fmt::format("map with chunksize {} never ran task {}", c, t));
        if (answer.pids[t] == static_cast<double>(answer.caller_pid))
            return failed(fmt::format("task {} ran in the caller's process", t));
        if (answer.pids[t] != answer.pids[t - t % c])
            return failed(fmt::format("tasks {} and {} are in one chunk of {} (chunksize {}) but ran in different "
                                      "processes: hand each worker {} consecutive tasks at once", t - t % c, t, c, c, c));
    }
    if (answer.pids[c] == answer.pids[0])
        return failed(fmt::format("the second chunk (tasks {} to {}) waited for the worker busy with the first, whose "
                                  "task 0 sleeps 200 ms: an idle worker must take the next chunk", c, 2 * c - 1), 0.5);
    const std::size_t tasks = plan.tasks + 5;
    if (answer.values.size() != tasks)
        return failed(fmt::format("map with chunksize {} returned {} values for {} tasks", c + 1, answer.values.size(), tasks), 0.5);
    std::vector<double> expected(tasks);
    for (std::size_t t = 0; t < tasks; ++t) expected[t] = lab06::task_value(context.seed, t);
    for (std::size_t t = 0; t < tasks; ++t)
        if (answer.values[t] != expected[t]) {
            const bool reordered = std::is_permutation(answer.values.begin(), answer.values.end(), expected.begin());
            return failed(fmt::format("map with chunksize {} on {} tasks: values[{}] is wrong{}", c + 1, tasks, t,
                                      reordered ? " (every value is there, in another order: map returns task t's "
                                                  "value at index t, whatever order the chunks end in)"
                                                : ""),
                          0.5);
        }
    return passed(fmt::format("chunks of {} ran together in one worker each; values right and in order with chunks of {}",
                              c, c + 1));
}

probe_verdict amdahl_verdict(const check_spec&, const lab06::amdahl_answer& answer, const verify_context& context) {
    const auto points = lab06::amdahl_points(context.seed);
    const std::span<const lab06::speedup_sample> view(points);
    const ref::fit_judgement fit = ref::judge_fit(view, answer.fraction);
    if (!fit.least) {
        std::string listed;
        for (const auto& p : points) listed += fmt::format("{}{}: {:.4f}", listed.empty() ? "" : ", ", p.workers, p.speedup);
        if (!std::isfinite(answer.fraction))
            return failed(fmt::format("fit_serial_fraction gave {} for the speedups {} (workers: speedup)",
                                      answer.fraction, listed));
        return failed(fmt::format("fit_serial_fraction gave f = {:.10g} for the speedups {} (workers: speedup), but "
                                  "f = {:.10g} fits them better: the squared error on 1/S, the sum of "
                                  "(1/S - (f + (1 - f)/p))^2, is {:.6g} there and {:.6g} at your f. The fit must make "
                                  "that sum as small as it can be (least squares on 1/S, worker_pool.hpp)",
                                  answer.fraction, listed, fit.nearer, fit.nearer_error, fit.error));
    }
    if (!answer.refused_one_worker)
        return failed("fit_serial_fraction accepted a single point with 1 worker, which tells nothing about f: throw "
                      "std::invalid_argument", 0.7);
    return passed(fmt::format("the serial fraction {:.6f} makes the squared error on 1/S smallest: moving it by {:.0e} "
                              "either way does not lower the error",
                              answer.fraction, fit.step));
}

// A timed run answers one digest per task. The grader checks a few tasks per run, drawn from its
// own randomness (not from the nonce, which the probe sees): a run that skipped a task cannot
// know whether that task is checked, and over the runs of a check every task is checked many
// times. "?" marks the tasks not checked in this run.
constexpr std::size_t checked_per_run = 4;

timing_verifier timed_batch() {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>&, std::uint64_t seed, std::uint64_t nonce) {
        static std::mt19937_64 draw{std::random_device{}()};
        std::vector<std::size_t> tasks(lab06::timing_tasks);
        std::iota(tasks.begin(), tasks.end(), std::size_t{0});
        std::shuffle(tasks.begin(), tasks.end(), draw);
        tasks.resize(std::min(checked_per_run, tasks.size()));
        std::string text;
        for (std::size_t t = 0; t < lab06::timing_tasks; ++t) {
            if (std::find(tasks.begin(), tasks.end(), t) == tasks.end()) {
                text += "? ";
                continue;
            }
            const auto pixels = lab06::case_pixels(lab06::timing_side, lab06::timing_side, lab06::timing_image_seed(seed, nonce, t));
            const auto out = ref::highpass(pixels, lab06::timing_side, lab06::timing_side, lab06::timing_window);
            text += digest_double(lab06::weighted_sum(out)) + " ";
        }
        return text;
    };
    v.matches = [](const std::string& expected, const std::string& got) {
        std::istringstream want(expected), have(got);
        std::string w, h;
        std::size_t count = 0;
        while (want >> w) {
            if (!(have >> h) || (w != "?" && w != h)) return false;
            ++count;
        }
        return count == lab06::timing_tasks && !(have >> h);
    };
    return v;
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    lab.probes["highpass-map"] = typed_verifier<lab06::highpass_answer>(highpass_verdict);
    lab.probes["map-order"] = typed_verifier<lab06::values_answer>(order_verdict);
    lab.probes["task-failure"] = typed_verifier<lab06::failure_answer>(failure_verdict);
    lab.timing["batch"] = timed_batch();  // the pool-speedup check's (the rubric's order)
    lab.probes["completion-order"] = typed_verifier<lab06::completion_answer>(completion_verdict);
    lab.probes["chunks"] = typed_verifier<lab06::values_answer>(chunk_verdict);
    lab.probes["amdahl-fit"] = typed_verifier<lab06::amdahl_answer>(amdahl_verdict);
}

}  // namespace lab06_checks
}  // namespace parlab::grader
