#include "kit_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "lab_api.hpp"
#include "model.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

// One name a rubric check uses: the answer of a probe or race check, or the timed run of the
// student's side of a timing check. Each needs a verifier in verify.cpp and an entry in probe.cpp
// of its kind (a timing verifier and table.timed for a timed run).
struct name_use {
    const check_spec* check;
    std::string name;
    bool timed;
};

// The names of each kind: answers (probe verifiers, table.checks) and timed runs (timing
// verifiers, table.timed).
struct names {
    std::set<std::string> answers, timed;
    std::set<std::string>& of(bool is_timed) { return is_timed ? timed : answers; }
    [[nodiscard]] const std::set<std::string>& of(bool is_timed) const { return is_timed ? timed : answers; }
};

// The names a lab's rubric uses: each use, in the rubric's order, and the names of each kind.
struct rubric_names {
    std::vector<name_use> uses;
    names used;
};

// The names a lab's checks use, in the rubric's order. A timing check's reference side is the
// grader's own baseline (baseline.cpp): nothing of the lab's answers or verifies it.
rubric_names rubric_uses(const lab_info& lab) {
    rubric_names out;
    for (const auto& spec : lab.checks) {
        if (const probe_run* run = spec.run()) out.uses.push_back({&spec, run->probe, false});
        if (const auto* timing = spec.as<timing_kind>())
            for (const auto* side : {&timing->a, &timing->b})
                if (!side->reference) out.uses.push_back({&spec, side->probe, true});
    }
    for (const auto& use : out.uses) out.used.of(use.timed).insert(use.name);
    return out;
}

// Every name the rubric uses has its verifier in verify.cpp, and every verifier there is used.
void check_verifiers(const lab_info& lab, const lab_verifiers* verifiers, const rubric_names& named,
                     const std::string& rubric, std::vector<std::string>& problems) {
    const std::string verify = fmt::format("grader/labs/{}/verify.cpp", lab.folder);
    for (const auto& use : named.uses) {
        const bool found =
            verifiers != nullptr && (use.timed ? verifiers->timing.count(use.name) : verifiers->probes.count(use.name)) != 0;
        if (found) continue;
        problems.push_back(use.timed ? fmt::format("{}: check \"{}\": timed run \"{}\" has no timing verifier in {}", rubric,
                                                   use.check->name, use.name, verify)
                                     : fmt::format("{}: check \"{}\": probe \"{}\" has no verifier in {}", rubric,
                                                   use.check->name, use.name, verify));
    }
    if (verifiers == nullptr) return;
    for (const auto& entry : verifiers->probes)
        if (named.used.answers.count(entry.first) == 0)
            problems.push_back(fmt::format("{}: verifier \"{}\" is used by no check of {}", verify, entry.first, rubric));
    for (const auto& entry : verifiers->timing)
        if (named.used.timed.count(entry.first) == 0)
            problems.push_back(fmt::format("{}: timing verifier \"{}\" is used by no timing check of {}", verify, entry.first, rubric));
}

// What the lab's probe.cpp answers, against what its rubric asks: every name the rubric uses has a
// table.checks["NAME"] there (table.timed["NAME"] for a timed run), and every name registered
// there is used by a check. The README's "Adding a lab" asks for that form of registration, so
// that the probe, which is only built to grade, is held to the rubric here too.
void check_probe(const fs::path& root, const lab_info& lab, const lab_verifiers* verifiers,
                 const rubric_names& named, const std::string& rubric, std::vector<std::string>& problems) {
    const std::string probe = fmt::format("grader/labs/{}/probe.cpp", lab.folder);
    const std::string text = read_text(root / probe);
    const auto table = [](bool timed) { return timed ? "timed" : "checks"; };
    names registered;
    const std::regex entry(R"re(table\.(checks|timed)\["([^"]+)"\])re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), entry); it != std::sregex_iterator(); ++it)
        registered.of((*it)[1] == "timed").insert((*it)[2]);
    for (const auto& use : named.uses)
        if (registered.of(use.timed).count(use.name) == 0)
            problems.push_back(fmt::format("{}: check \"{}\": {} has no table.{}[\"{}\"]", rubric, use.check->name, probe,
                                           table(use.timed), use.name));
    for (const bool timed : {false, true})
        for (const auto& name : registered.of(timed))
            if (named.used.of(timed).count(name) == 0)
                problems.push_back(fmt::format("{}: table.{}[\"{}\"] is used by no check of {}", probe, table(timed), name, rubric));

    // A rubric key a verifier declares has its default there, and the grader always passes it to
    // the probe: a default in probe.cpp as well is a second one, free to drift.
    if (verifiers == nullptr) return;
    std::set<std::string> declared;
    for (const auto& [name, verifier] : verifiers->probes)
        for (const auto& param : verifier.params) declared.insert(param.key);
    const std::regex defaulted(R"re(args\.number\("([^"]+)",)re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), defaulted); it != std::sregex_iterator(); ++it)
        if (declared.count((*it)[1]) != 0)
            problems.push_back(fmt::format("{}: args.number(\"{}\", ...) gives rubric key \"{}\" a second default; the "
                                           "one in grader/labs/{}/verify.cpp is passed to every run: read it as "
                                           "args.number(\"{}\")",
                                           probe, (*it)[1].str(), (*it)[1].str(), lab.folder, (*it)[1].str()));
}

// Every known-bad variant of solutions/NN-name/kit.json names a patch that applies to the model answer.
void known_bad_patches(const fs::path& root, const lab_info& lab, std::vector<std::string>& problems) {
    const fs::path solution = root / "solutions" / lab.folder;
    const std::string kit = fmt::format("solutions/{}/kit.json", lab.folder);
    std::ifstream in(solution / "kit.json");
    if (!in) return;
    nlohmann::json variants;
    try {
        variants = nlohmann::json::parse(in).value("bad", nlohmann::json::array());
    } catch (const std::exception& error) {
        problems.push_back(fmt::format("{}: {}", kit, error.what()));
        return;
    }
    for (const auto& bad : variants) {
        const std::string name = bad.value("name", "?");
        const std::string patch = bad.value("patch", "");
        const std::string file = bad.value("file", lab.sources.empty() ? std::string() : lab.sources.front());
        if (patch.empty() || !fs::is_regular_file(solution / patch)) {
            problems.push_back(fmt::format("{}: variant \"{}\": \"patch\" names no file of solutions/{}", kit, name, lab.folder));
            continue;
        }
        const auto applied = run_command({"/usr/bin/env", "patch", "--dry-run", "--quiet", "--force", "-o", "/dev/null",
                                          (solution / file).string(), (solution / patch).string()},
                                         60);
        if (applied.code != 0)
            problems.push_back(fmt::format("{}: variant \"{}\": {} no longer applies to solutions/{}/{}", kit, name, patch,
                                           lab.folder, file));
    }
}

}  // namespace

std::vector<std::string> kit_problems(const fs::path& root) {
    std::vector<std::string> problems;
    std::vector<lab_info> labs;
    try {
        labs = kit_labs(root);
    } catch (const std::exception& error) {
        return {error.what()};  // the rest needs the labs
    }
    std::set<std::string> lab_folders;
    for (const auto& lab : labs) {
        lab_folders.insert(lab.folder);
        const std::string rubric = fmt::format("grader/labs/{}/rubric.json", lab.folder);
        const auto registered = all_labs().labs().find(lab.folder);
        const auto* verifiers = registered == all_labs().labs().end() ? nullptr : &registered->second;
        const rubric_names named = rubric_uses(lab);
        check_verifiers(lab, verifiers, named, rubric, problems);
        check_probe(root, lab, verifiers, named, rubric, problems);
        known_bad_patches(root, lab, problems);
    }
    for (const auto& [folder, verifiers] : all_labs().labs())
        if (lab_folders.count(folder) == 0)
            problems.push_back(fmt::format("grader/labs/{}/verify.cpp registers verifiers, but there is no labs/{}/lab.json",
                                           folder, folder));
    return problems;
}

}  // namespace parlab::grader
