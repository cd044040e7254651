#include "known_bad.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <regex>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "grade.hpp"
#include "model.hpp"
#include "parlab/splitmix.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

namespace {

// One known-bad variant of a solution, as its kit.json lists it.
struct variant {
    std::string name, file, patch, why;
    std::string fails;  // the Catch2 test spec of the lab's tests that fail it, as "[task2]"
    int task = 0;       // the task whose tests fail it
};

variant variant_of(const nlohmann::json& bad, const lab_info& lab, const fs::path& kit_file) {
    variant v;
    v.name = bad.at("name").get<std::string>();
    v.file = bad.value("file", lab.sources.front());
    v.patch = bad.at("patch").get<std::string>();
    v.why = bad.value("why", "");
    std::smatch task_match;
    v.fails = bad.at("fails").get<std::string>();
    if (!std::regex_search(v.fails, task_match, std::regex(R"(\[task(\d+)\])")))
        throw std::runtime_error(fmt::format("{}: variant {} has no [taskN] in \"fails\"", kit_file.string(), v.name));
    v.task = std::stoi(task_match[1]);
    return v;
}

// Lays the files a student edits of `lab`, as they are in `from`, into `submission` (one folder
// for every variant and the skeleton, so that each build recompiles only the changed files).
void lay_sources(const fs::path& from, const lab_info& lab, const fs::path& submission) {
    fs::remove_all(submission);
    fs::create_directories(submission / lab.folder);
    for (const auto& source : lab.sources) fs::copy_file(from / source, submission / lab.folder / source);
}

// Lays the solution with the variant's patch applied into `submission`.
void lay_variant(const fs::path& solution, const lab_info& lab, const variant& v, const fs::path& submission) {
    lay_sources(solution, lab, submission);
    const fs::path patched = submission / lab.folder / v.file;
    fs::remove(patched);
    const auto applied = run_command({"/usr/bin/env", "patch", "--quiet", "--force", "--reject-file=-", "-o", patched.string(),
                                      (solution / v.file).string(), (solution / v.patch).string()},
                                     60);
    if (applied.code != 0)
        throw std::runtime_error(
            fmt::format("the patch of known-bad variant {}/{} no longer applies:\n{}", lab.folder, v.name, applied.output));
}

// Whether the lab's tests failed the variant as a test fails: a failed assertion, or a test case
// stopped at its time limit by the kit's test runner (common/tests/test_main.cpp); not a crash
// nobody reported, and not a test spec that matched nothing (as the kit tests of the skeletons
// decide it, cmake/ParlabLabs.cmake).
bool tests_fail(const lab_tests_run& run) {
    static const std::regex failed(R"(test cases: +[0-9]+ +\| +([0-9]+ passed +\| +)?[1-9][0-9]* failed|stopped: the test case ")");
    return run.code > 0 && std::regex_search(run.output, failed);
}

// Grades one variant, seed by seed, and keeps where its time went (the suite's longest test is
// this loop): the checks it ran, each with its seconds. Its first grade also runs the lab's own
// tests named by the variant's "fails" against it, in the tree where it is compiled for the
// checks: the variant is compiled once for both.
class variant_grading {
public:
    variant_grading(grade_options options, const lab_info& lab, const variant& v)
        : options_(std::move(options)), lab_(lab), task_(v.task) {
        options_.lab_tests = fmt::format("[lab{:02}]{}", lab.number, v.fails);
        tests_.output = "the lab's tests were not run";
    }

    /// The run of the lab's tests (after the first caught_with).
    [[nodiscard]] const lab_tests_run& tests() const { return tests_; }

    // The first check of the task that the variant does not pass with `seed`, or empty. A
    // deadlocked variant waits out a check's whole limit, which a loaded machine (this runs beside
    // the kit's other tests) makes up to 4 times the rubric's; a run that sat blocked that long is
    // a deadlock whatever the load, so the rubric's limits come first, and only a run stopped while
    // it was still computing is graded again with the limits grown for the load.
    std::string caught_with(unsigned long long seed) {
        options_.seed = seed;
        options_.limits_without_load = true;
        bool computing = false;
        std::string caught = first_loss(computing);
        if (computing) {
            options_.limits_without_load = false;
            caught = first_loss(computing);
        }
        return caught;
    }

    [[nodiscard]] double checks_seconds() const { return checks_seconds_; }
    [[nodiscard]] const std::string& check_times() const { return check_times_; }

private:
    grade_options options_;
    const lab_info& lab_;
    int task_;
    double checks_seconds_ = 0;
    std::string check_times_;
    lab_tests_run tests_;

    // The task's checks, but not its timing checks: a busy machine may skip those, and a mistake
    // the grader can only see by timing is not a verdict it can promise every run. The probes
    // come first (one build); the race checks (a second, ThreadSanitizer build) only for a
    // variant the probes let through. The checks after the first loss are not run: they would
    // not change the verdict. `computing`: that check ran out of time while computing.
    std::string first_loss(bool& computing) {
        std::string caught;
        computing = false;
        for (const bool under_tsan : {false, true}) {
            options_.only_checks.clear();
            for (const auto& spec : lab_.checks)
                if (spec.task == task_ && (under_tsan ? spec.as<race_kind>() != nullptr : spec.as<probe_kind>() != nullptr))
                    options_.only_checks.push_back(spec.name);
            if (options_.only_checks.empty()) continue;
            const grade_report report = grade(options_);
            for (const auto& graded : report.labs) {
                if (graded.lab_tests) {
                    tests_ = *graded.lab_tests;
                    options_.lab_tests.clear();  // once per variant
                }
                for (const auto& check : graded.checks) {
                    if (check.status != check_status::passed && caught.empty()) {
                        caught = fmt::format("{} {}: {}", check.name, to_string(check.status), check.message);
                        computing = check.status == check_status::timeout && !check.blocked;
                    }
                    check_times_ += fmt::format(", {} {:.1f} s", check.name, check.seconds);
                    checks_seconds_ += check.seconds;
                }
            }
            if (!caught.empty()) break;
        }
        return caught;
    }
};

// How the self-check grades the lab's files laid into work/submission (`label`: what they are).
grade_options self_check_options(const known_bad_options& known_bad, const lab_info& lab, const fs::path& work,
                                 std::string label) {
    grade_options options;
    options.root = known_bad.root;
    options.lab_source = work / "submission";
    options.overlay = true;
    options.submission_label = std::move(label);
    // Its trees beside the submission (work/release, work/stage), as deep in the kit as those of
    // ./parlab grade: the compiler cache then serves either one what the other compiled.
    options.work = work;
    options.lab_names = {lab.folder};
    options.progress = false;
    options.light_optimisation = true;  // no check here times anything
    fs::create_directories(options.work);
    return options;
}

// Grades one variant laid into work/submission and prints its line; returns whether it was caught
// by the lab's tests and by the grader with every seed.
bool grade_variant(const known_bad_options& known_bad, const lab_info& lab, const variant& v, const fs::path& work) {
    grade_options options = self_check_options(known_bad, lab, work, fmt::format("{}/bad/{}", lab.folder, v.name));
    options.stop_at_first_loss = true;
    const auto started = std::chrono::steady_clock::now();
    variant_grading grading(options, lab, v);
    const int seeds = known_bad.seeds;
    int caught_on = 0;
    std::string first_caught;
    for (unsigned long long s = known_bad.seed; s < known_bad.seed + seeds; ++s) {
        const std::string caught = grading.caught_with(s);
        if (caught.empty()) continue;
        ++caught_on;
        if (first_caught.empty()) first_caught = caught;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const lab_tests_run& tests = grading.tests();
    const std::string took = fmt::format(" [{:.1f} s: builds and set-up {:.1f} s, the lab's tests {:.1f} s{}]", seconds,
                                         seconds - grading.checks_seconds() - tests.seconds, tests.seconds,
                                         grading.check_times());
    bool ok = false;
    if (!tests_fail(tests)) {
        const std::string& out = tests.output;
        fmt::print("UNTESTED {}/{} (task {}): the lab's tests {} do not fail it (exit code {}), so it shows "
                   "nothing about the grader:\n{}{}\n",
                   lab.folder, v.name, v.task, v.fails, tests.code, out.substr(out.size() > 1500 ? out.size() - 1500 : 0),
                   took);
    } else if (caught_on < seeds) {
        fmt::print("MISSED  {}/{} (task {}): every check of the task passed with {} of {} seeds, yet the lab's tests "
                   "fail it: {}{}\n",
                   lab.folder, v.name, v.task, seeds - caught_on, seeds, v.why, took);
    } else {
        fmt::print("caught  {}/{} (task {}) with every seed, and by its tests: {}{}\n", lab.folder, v.name, v.task,
                   first_caught, took);
        ok = true;
    }
    std::fflush(stdout);
    return ok;
}

// Grades the lab's untouched skeleton (labs/NN-name/) with every seed, in the variants' tree
// (work/submission), and prints its line: it may score only the checks its README gives
// (lab.json "given_checks"). Nothing it does is timed, and its timing checks are not run.
bool grade_skeleton(const known_bad_options& known_bad, const lab_info& lab, const fs::path& work) {
    lay_sources(known_bad.root / "labs" / lab.folder, lab, work / "submission");
    grade_options options = self_check_options(known_bad, lab, work, fmt::format("labs/{} (untouched)", lab.folder));
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> earned;
    double given = 0;
    for (unsigned long long s = known_bad.seed; s < known_bad.seed + known_bad.seeds; ++s) {
        options.seed = s;
        for (const auto& graded : grade(options).labs)
            for (const auto& check : graded.checks) {
                const bool is_given =
                    std::find(lab.given_checks.begin(), lab.given_checks.end(), check.name) != lab.given_checks.end();
                if (is_given) given += check.score;
                else if (check.score > 0)
                    earned.push_back(fmt::format("{} gave it {:.2f} points with seed {} ({})", check.name, check.score,
                                                 s, check.message));
            }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!earned.empty()) {
        fmt::print("EARNS   {} skeleton: points an untouched skeleton did nothing for: {} [{:.1f} s]\n", lab.folder,
                   fmt::join(earned, "; "), seconds);
    } else {
        fmt::print("clean   {} skeleton: the untouched skeleton scores only its given checks ({:.2f} points a seed) "
                   "[{:.1f} s]\n",
                   lab.folder, given / known_bad.seeds, seconds);
    }
    std::fflush(stdout);
    return earned.empty();
}

std::vector<const lab_info*> chosen_labs(const std::vector<lab_info>& labs, const std::vector<std::string>& names) {
    std::vector<const lab_info*> chosen;
    for (const auto& name : names) {
        const lab_info* lab = find_lab(labs, name);
        if (lab == nullptr) throw std::invalid_argument(fmt::format("no lab '{}'; ./parlab list shows them", name));
        chosen.push_back(lab);
    }
    if (chosen.empty())
        for (const auto& lab : labs) chosen.push_back(&lab);
    return chosen;
}

}  // namespace

std::vector<bool> variants_to_grade(std::size_t count, const known_bad_options& options, int lab_number) {
    std::vector<bool> graded(count, options.sample == 0);
    if (options.sample == 0 || count == 0) return graded;
    const std::size_t sample = std::min(count, static_cast<std::size_t>(options.sample));
    if (options.turn) {
        for (std::size_t i = 0; i < sample; ++i) graded[(*options.turn % count * sample + i) % count] = true;
        return graded;
    }
    std::vector<std::size_t> order(count);
    for (std::size_t i = 0; i < count; ++i) order[i] = i;
    splitmix64 random(options.seed * 100 + static_cast<unsigned long long>(lab_number));
    for (std::size_t i = count; i > 1; --i) std::swap(order[i - 1], order[random.next() % i]);  // Fisher-Yates
    for (std::size_t i = 0; i < sample; ++i) graded[order[i]] = true;
    return graded;
}

int grade_known_bad_variants(const known_bad_options& options) {
    const fs::path& root = options.root;
    if (!fs::is_directory(root / "solutions"))
        throw std::invalid_argument("this copy of the kit has no solutions/ (it is the student edition)");
    const auto labs = kit_labs(root);
    const std::vector<const lab_info*> chosen = chosen_labs(labs, options.lab_names);

    // A tree for each set of labs, so that two such grades of different labs can run at once.
    std::string names;
    for (const lab_info* lab : chosen) names += lab->folder + "\n";
    const fs::path work = root / "build" / "grade" /
                          (options.lab_names.empty() ? std::string("known-bad")
                                                     : fmt::format("known-bad-{:016x}", std::hash<std::string>{}(names)));
    int graded = 0, missed = 0, not_drawn = 0;
    std::size_t skeletons_earning = 0;
    for (const lab_info* lab : chosen) {
        const fs::path solution = root / "solutions" / lab->folder;
        std::ifstream kit_file(solution / "kit.json");
        const auto bad = kit_file ? nlohmann::json::parse(kit_file).value("bad", nlohmann::json::array())
                                  : nlohmann::json::array();
        const std::vector<bool> to_grade = variants_to_grade(bad.size(), options, lab->number);
        for (std::size_t i = 0; i < bad.size(); ++i) {
            const variant v = variant_of(bad[i], *lab, solution / "kit.json");
            if (!to_grade[i]) {  // its patch still applies: the grader's build checks every one (check-kit)
                ++not_drawn;
                continue;
            }
            lay_variant(solution, *lab, v, work / "submission");
            ++graded;
            if (!grade_variant(options, *lab, v, work)) ++missed;
        }
        if (!grade_skeleton(options, *lab, work)) ++skeletons_earning;
    }
    fmt::print("{} of {} known-bad variants fail the lab's tests and lose points in that task, and {} of {} untouched "
               "skeletons score only their given checks (seeds {} to {})\n",
               graded - missed, graded, chosen.size() - skeletons_earning, chosen.size(), options.seed,
               options.seed + options.seeds - 1);
    if (not_drawn > 0) {
        const std::string chosen_by =
            options.turn ? fmt::format("--sample {} --turn {}: the next turns grade them", options.sample, *options.turn)
                         : fmt::format("--sample {} drew {} of each lab's with seed {}", options.sample, options.sample,
                                       options.seed);
        fmt::print("{} more variants were not graded this time ({}; without --sample every variant is graded)\n",
                   not_drawn, chosen_by);
    }
    return missed == 0 && skeletons_earning == 0 ? 0 : 1;
}

}  // namespace parlab::grader
