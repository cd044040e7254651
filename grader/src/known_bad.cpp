#include "known_bad.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "grade.hpp"
#include "model.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

int grade_known_bad_variants(const fs::path& root, const std::vector<std::string>& lab_names,
                             unsigned long long seed, int seeds) {
    if (!fs::is_directory(root / "solutions"))
        throw std::invalid_argument("this copy of the kit has no solutions/ (it is the student edition)");
    const auto labs = load_labs(root / "labs", root / "grader" / "labs");
    std::vector<const lab_info*> chosen;
    for (const auto& name : lab_names) {
        const lab_info* lab = find_lab(labs, name);
        if (lab == nullptr) throw std::invalid_argument(fmt::format("no lab '{}'; ./parlab list shows them", name));
        chosen.push_back(lab);
    }
    if (chosen.empty())
        for (const auto& lab : labs) chosen.push_back(&lab);

    // One submission folder for every variant, so that each build recompiles only the changed file.
    const fs::path work = root / "build" / "grade" / "known-bad";
    const fs::path submission = work / "submission";
    int variants = 0, missed = 0;
    for (const lab_info* lab : chosen) {
        const fs::path solution = root / "solutions" / lab->folder;
        std::ifstream kit_file(solution / "kit.json");
        if (!kit_file) continue;
        const auto kit = nlohmann::json::parse(kit_file);
        for (const auto& bad : kit.value("bad", nlohmann::json::array())) {
            const std::string name = bad.at("name").get<std::string>();
            const std::string file = bad.value("file", lab->sources.front());
            std::smatch task_match;
            const std::string fails = bad.at("fails").get<std::string>();
            if (!std::regex_search(fails, task_match, std::regex(R"(\[task(\d+)\])")))
                throw std::runtime_error(fmt::format("{}: variant {} has no [taskN] in \"fails\"", (solution / "kit.json").string(), name));
            const int task = std::stoi(task_match[1]);

            fs::remove_all(submission);
            fs::create_directories(submission / lab->folder);
            for (const auto& source : lab->sources)
                fs::copy_file(solution / source, submission / lab->folder / source);
            const fs::path patched = submission / lab->folder / file;
            fs::remove(patched);
            const auto applied = run_command({"/usr/bin/env", "patch", "--quiet", "--force", "--reject-file=-", "-o",
                                              patched.string(), (solution / file).string(),
                                              (solution / bad.at("patch").get<std::string>()).string()},
                                             60);
            if (applied.code != 0)
                throw std::runtime_error(fmt::format("the patch of known-bad variant {}/{} no longer applies:\n{}", lab->folder,
                                                     name, applied.output));

            // The task's checks, but not its timing checks: a busy machine may skip those, and a
            // mistake the grader can only see by timing is not a verdict it can promise every run.
            // The probes come first (one build); the race checks (a second, ThreadSanitizer build)
            // only for a variant the probes let through.
            grade_options options;
            options.root = root;
            options.lab_source = submission;
            options.overlay = true;
            options.submission_label = fmt::format("{}/bad/{}", lab->folder, name);
            options.work = work / "build";
            options.lab_names = {lab->folder};
            options.progress = false;
            options.light_optimisation = true;  // no check here times anything
            options.stop_at_first_loss = true;
            fs::create_directories(options.work);
            ++variants;
            int caught_on = 0;
            std::string first_caught;
            // Where the variant's time went (the suite's longest test is this loop): the checks
            // it ran, each with its seconds, and the rest (building, mostly).
            const auto variant_start = std::chrono::steady_clock::now();
            std::string check_times;
            double checks_seconds = 0;
            // The first check of the task that the variant does not pass, or empty (the checks
            // after it are not run: they would not change the verdict). `computing`: that check
            // ran out of time while computing.
            const auto first_loss = [&](bool& computing) {
                std::string caught;
                computing = false;
                for (const char* type : {"probe", "race"}) {
                    options.only_checks.clear();
                    for (const auto& spec : lab->checks)
                        if (spec.task == task && spec.type == type) options.only_checks.push_back(spec.name);
                    if (options.only_checks.empty()) continue;
                    const grade_report report = grade(options);
                    for (const auto& graded : report.labs)
                        for (const auto& check : graded.checks) {
                            if (check.status != check_status::passed && caught.empty()) {
                                caught = fmt::format("{} {}: {}", check.name, to_string(check.status), check.message);
                                computing = check.status == check_status::timeout && !check.blocked;
                            }
                            check_times += fmt::format(", {} {:.1f} s", check.name, check.seconds);
                            checks_seconds += check.seconds;
                        }
                    if (!caught.empty()) break;
                }
                return caught;
            };
            for (unsigned long long s = seed; s < seed + seeds; ++s) {
                options.seed = s;
                // A deadlocked variant (lab 06's keeps-other-workers-ends) waits out a check's whole
                // limit, which a loaded machine (this runs beside the kit's other tests) makes up
                // to 4 times the rubric's. A run that sat blocked that long is a deadlock whatever
                // the load, so the rubric's limits come first; only a run stopped while it was
                // still computing is graded again with the limits grown for the load.
                options.limits_without_load = true;
                bool computing = false;
                std::string caught = first_loss(computing);
                if (computing) {
                    options.limits_without_load = false;
                    caught = first_loss(computing);
                }
                if (caught.empty()) continue;
                ++caught_on;
                if (first_caught.empty()) first_caught = caught;
            }
            const double variant_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - variant_start).count();
            const std::string took = fmt::format(" [{:.1f} s: builds and set-up {:.1f} s{}]", variant_seconds,
                                                 variant_seconds - checks_seconds, check_times);
            if (caught_on < seeds) {
                ++missed;
                fmt::print("MISSED  {}/{} (task {}): every check of the task passed with {} of {} seeds, yet the lab's tests "
                           "fail it: {}{}\n",
                           lab->folder, name, task, seeds - caught_on, seeds, bad.value("why", ""), took);
            } else {
                fmt::print("caught  {}/{} (task {}) with every seed: {}{}\n", lab->folder, name, task, first_caught, took);
            }
            std::fflush(stdout);
        }
    }
    fmt::print("{} of {} known-bad variants lose points in the task their tests fail (seeds {} to {})\n",
               variants - missed, variants, seed, seed + seeds - 1);
    return missed == 0 ? 0 : 1;
}

}  // namespace parlab::grader
