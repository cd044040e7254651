#include "kit_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "lab_api.hpp"
#include "model.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

// The verifiers a lab's checks use (probe verifiers and timing verifiers apart: the same name
// may be both), and what is missing: a check whose verifier is not registered.
struct used_names {
    std::set<std::string> probes, timing;
};

used_names used_verifiers(const lab_info& lab, const std::string& rubric, std::vector<std::string>& problems) {
    const std::string verify = fmt::format("grader/labs/{}/verify.cpp", lab.folder);
    used_names used;
    for (const auto& spec : lab.checks) {
        if (spec.type == "probe" || spec.type == "race") {
            used.probes.insert(spec.probe);
            if (all_labs().probe(lab.name, spec.probe) == nullptr)
                problems.push_back(fmt::format("{}: check \"{}\": probe \"{}\" has no verifier in {} (registered for lab \"{}\")",
                                               rubric, spec.name, spec.probe, verify, lab.name));
        } else if (spec.type == "timing") {
            for (const auto* side : {&spec.a, &spec.b}) {
                if (side->reference) continue;  // the grader's own baseline: no answer to verify
                used.timing.insert(side->probe);
                if (all_labs().timing(lab.name, side->probe) == nullptr)
                    problems.push_back(fmt::format("{}: check \"{}\": timed run \"{}\" has no timing verifier in {}", rubric,
                                                   spec.name, side->probe, verify));
            }
        }
    }
    return used;
}

// Every verifier registered for `lab` is used by a check of its rubric.
void unused_verifiers(const lab_info& lab, const used_names& used, const std::string& rubric,
                      std::vector<std::string>& problems) {
    const auto& registered = all_labs().labs();
    const auto verifiers = registered.find(lab.name);
    if (verifiers == registered.end()) return;
    const std::string verify = fmt::format("grader/labs/{}/verify.cpp", lab.folder);
    for (const auto& entry : verifiers->second.probes)
        if (used.probes.count(entry.first) == 0)
            problems.push_back(fmt::format("{}: verifier \"{}\" is used by no check of {}", verify, entry.first, rubric));
    for (const auto& entry : verifiers->second.timing)
        if (used.timing.count(entry.first) == 0)
            problems.push_back(fmt::format("{}: timing verifier \"{}\" is used by no timing check of {}", verify, entry.first, rubric));
}

// What the lab's probe.cpp answers, against what its rubric asks: every probe or race check's
// probe has a table.checks["NAME"] there, every timed run a table.timed["NAME"], and every name
// registered there is used by a check. The README's "Adding a lab" asks for that form of
// registration, so that the probe, which is only built to grade, is held to the rubric here too.
void probe_entries(const fs::path& root, const lab_info& lab, const std::string& rubric, std::vector<std::string>& problems) {
    const std::string probe = fmt::format("grader/labs/{}/probe.cpp", lab.folder);
    const std::string text = read_text(root / probe);
    // per table ("checks", "timed"): the names probe.cpp registers, and those the rubric uses
    std::map<std::string, std::set<std::string>> registered{{"checks", {}}, {"timed", {}}}, used = registered;
    const std::regex entry(R"re(table\.(checks|timed)\["([^"]+)"\])re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), entry); it != std::sregex_iterator(); ++it)
        registered[(*it)[1]].insert((*it)[2]);
    const auto need = [&](const std::string& table, const check_spec& spec, const std::string& name) {
        used[table].insert(name);
        if (registered[table].count(name) == 0)
            problems.push_back(fmt::format("{}: check \"{}\": {} has no table.{}[\"{}\"]", rubric, spec.name, probe, table, name));
    };
    for (const auto& spec : lab.checks) {
        if (spec.type == "probe" || spec.type == "race") need("checks", spec, spec.probe);
        if (spec.type == "timing")
            for (const auto* side : {&spec.a, &spec.b})
                if (!side->reference) need("timed", spec, side->probe);
    }
    for (const auto& [table, names] : registered)
        for (const auto& name : names)
            if (used[table].count(name) == 0)
                problems.push_back(fmt::format("{}: table.{}[\"{}\"] is used by no check of {}", probe, table, name, rubric));

    // A rubric key a verifier declares has its default there, and the grader always passes it to
    // the probe: a default in probe.cpp as well is a second one, free to drift.
    const auto& all = all_labs().labs();
    const auto verifiers = all.find(lab.name);
    if (verifiers == all.end()) return;
    std::set<std::string> declared;
    for (const auto& [name, verifier] : verifiers->second.probes)
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
        labs = load_labs(root / "labs", root / "grader" / "labs");
    } catch (const std::exception& error) {
        return {error.what()};  // the rest needs the labs
    }
    std::set<std::string> names;
    for (const auto& lab : labs) {
        names.insert(lab.name);
        const std::string rubric = fmt::format("grader/labs/{}/rubric.json", lab.folder);
        unused_verifiers(lab, used_verifiers(lab, rubric, problems), rubric, problems);
        probe_entries(root, lab, rubric, problems);
        known_bad_patches(root, lab, problems);
    }
    for (const auto& [lab, verifiers] : all_labs().labs())
        if (names.count(lab) == 0)
            problems.push_back(fmt::format("a verify.cpp registers verifiers for lab \"{}\", which no labs/NN-{}/lab.json names",
                                           lab, lab));
    return problems;
}

}  // namespace parlab::grader
