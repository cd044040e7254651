// ./parlab watch: rebuild and rerun a lab's tests, task by task, whenever a watched file changes.

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli.hpp"
#include "kit_build.hpp"
#include "kit_tools.hpp"
#include "model.hpp"
#include "sandbox.hpp"
#include "student.hpp"

extern char** environ;

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

struct style {
    std::string bold, red, green, reset;
};

style terminal_style() {
    if (::isatty(1) == 0 || std::getenv("NO_COLOR") != nullptr) return {};
    return {"\033[1m", "\033[31m", "\033[32m", "\033[0m"};
}

/// A snapshot of the watched files: modification times and sizes ("missing" for a deleted one).
std::string file_signature(const std::vector<fs::path>& files) {
    std::string signature;
    for (const auto& f : files) {
        struct stat info {};
        if (::stat(f.c_str(), &info) != 0) {
            signature += "missing;";
            continue;
        }
        signature += fmt::format("{}.{}:{};", info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_size);
    }
    return signature;
}

std::string clock_time() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

/// How one run of the watch loop ended.
enum class watch_outcome { passed, failed, timed_out, not_built };

/// The line for tests stopped at the time limit: still computing, or sat blocked (and on what,
/// when the kernel says), judged as the grade judges a timed-out check.
std::string stopped_text(int seconds, const run_result& result) {
    if (!result.sat_blocked(seconds))
        return fmt::format("stopped after {}s, still computing: a loop that never ends?", seconds);
    if (!result.blocked.empty()) return fmt::format("stopped after {}s, blocked: {} (a deadlock?)", seconds, result.blocked);
    return fmt::format("stopped after {}s with nothing running: a deadlock?", seconds);
}

/// Builds the lab's tests and runs them task by task: the first failing task (or the one asked
/// for) is shown with its first few failures, every other task as one line.
watch_outcome run_lab_tests(const watch_options& options, const lab_info& lab, const style& s) {
    try {
        build_targets(options.root, "dev", {lab.target_prefix() + "_tests"});
    } catch (const std::runtime_error& error) {
        fmt::print(stderr, "parlab: {}\n", error.what());  // after the compiler's own messages
        return watch_outcome::not_built;
    }
    const auto program = options.root / "build" / "dev" / (lab.target_prefix() + "_tests");
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e)
        if (std::string_view(*e).rfind("TMPDIR=", 0) != 0) environment.emplace_back(*e);
    environment.emplace_back("TMPDIR=/tmp");
    bool shown_one = false, any_failed = false;
    for (const auto& task : lab.tasks) {
        if (options.task != 0 && task.id != options.task) continue;
        run_request request;
        request.argv = {program.string(), fmt::format("{}[task{}]", lab.tag(), task.id)};
        request.env = environment;
        request.workdir = options.root;
        request.timeout = std::chrono::seconds(options.timeout_seconds);
        request.output_cap = 4 << 20;
        request.open_files = 4096;
        request.extra_processes = 4096;
        // In namespaces where the machine has them, like graded code: the kit read-only, a private
        // /tmp, no network and no home.
        request.isolate = isolation{{}, {options.root}};
        const run_result result = run_sandboxed(request);
        const test_run tests = read_test_output(result.output, options.all ? 0 : 3);
        const std::string label = fmt::format("task {}", task.id);
        if (result.timed_out) {
            fmt::print("{}{}  {}{}\n", s.red, label, stopped_text(options.timeout_seconds, result), s.reset);
            if (const auto on_hangs = lab.hang_hints.find(task.id);
                result.sat_blocked(options.timeout_seconds) && on_hangs != lab.hang_hints.end())
                fmt::print("stuck? ./parlab hint {} {} {} is the hint on hangs\n", lab.name, task.id, on_hangs->second);
            return watch_outcome::timed_out;
        }
        // Catch2's summary is printed last, so a program that printed it did not crash (inside
        // bubblewrap, a count of failed assertions above 128 looks like a signal's exit status)
        const bool crashed = !tests.summary_seen;
        const bool passed = result.status.ok() && tests.summary_seen && tests.failed_cases == 0;
        if (passed) {
            fmt::print("{}{}  passes ({} test case{}){}\n", s.green, label, tests.cases, tests.cases == 1 ? "" : "s", s.reset);
            continue;
        }
        any_failed = true;
        // the test runner's own limit (common/tests/test_main.cpp) stops a test case by name
        const bool stopped = crashed && result.output.find("\nstopped: the test case \"") != std::string::npos;
        const std::string what =
            stopped   ? std::string("a test case ran over its time limit (below); the test cases after it did not run")
            : crashed ? fmt::format("crashed ({}); the test cases after the one shown did not run", result.status.describe())
                      : fmt::format("{} of {} test case{} fail", tests.failed_cases, tests.cases, tests.cases == 1 ? "" : "s");
        if (shown_one && !options.all) {
            fmt::print("{}{}  {} (./parlab watch {} {} shows it){}\n", s.red, label, what, lab.name, task.id, s.reset);
            continue;
        }
        shown_one = true;
        fmt::print("{}{}  {}{}\n\n{}\n", s.red, label, what, s.reset, tests.shown);
    }
    return any_failed ? watch_outcome::failed : watch_outcome::passed;
}

}  // namespace

int watch_lab(const watch_options& options) {
    const auto labs = kit_labs(options.root);
    const lab_info& lab = resolve_lab(labs, options.lab);
    if (options.task != 0 && std::none_of(lab.tasks.begin(), lab.tasks.end(), [&](const auto& t) { return t.id == options.task; }))
        throw usage_error(fmt::format("{} has no task {}", lab.name, options.task));
    const fs::path dir = options.dir.empty() ? options.root / "labs" / lab.folder : options.dir;
    std::vector<fs::path> files;
    std::string shown;
    for (const auto& source : lab.sources) {
        files.push_back(dir / source);
        const auto relative = files.back().lexically_relative(options.root);
        const bool inside = !relative.empty() && *relative.begin() != "..";
        if (!shown.empty()) shown.push_back(' ');
        shown.append(inside ? relative.string() : files.back().string());
    }
    const style s = terminal_style();
    fmt::print("watching {} (every {}s; Ctrl-C stops)\n", shown, options.interval_seconds);
    std::fflush(stdout);
    std::string last;
    for (int runs = 0;;) {
        // Polling, not inotify: it works on network drives and under WSL too.
        if (const std::string now = file_signature(files); now != last) {
            last = now;
            ++runs;
            fmt::print("\n{}[{}] change seen, run {}{}\n", s.bold, clock_time(), runs, s.reset);
            std::fflush(stdout);
            watch_outcome outcome = watch_outcome::passed;
            if (!options.run_command.empty()) {
                run_request request;
                request.argv = {"/bin/bash", "-c", options.run_command};
                for (char** e = environ; *e != nullptr; ++e) request.env.emplace_back(*e);
                request.workdir = options.root;
                request.timeout = std::chrono::seconds(options.timeout_seconds);
                const run_result result = run_sandboxed(request);
                fmt::print("{}", result.output);
                outcome = result.timed_out ? watch_outcome::timed_out
                                           : result.status.ok() ? watch_outcome::passed : watch_outcome::failed;
                if (outcome == watch_outcome::timed_out)
                    fmt::print("{}{}{}\n", s.red, stopped_text(options.timeout_seconds, result), s.reset);
            } else {
                outcome = run_lab_tests(options, lab, s);
            }
            if (outcome == watch_outcome::passed)
                fmt::print("{}{}{}\n", s.green, options.task == 0 ? "all of the lab's tests pass" : "this task's tests pass", s.reset);
            else if (outcome == watch_outcome::failed)
                fmt::print("{}some tests fail (see above); ./parlab hint {} shows a hint{}\n", s.red, lab.name, s.reset);
            else if (outcome == watch_outcome::not_built)
                fmt::print("{}your code does not compile: fix the first error above and save again{}\n", s.red, s.reset);
            std::fflush(stdout);
            if (options.max_runs > 0 && runs >= options.max_runs) return 0;
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(options.interval_seconds));
    }
}

}  // namespace parlab::grader
