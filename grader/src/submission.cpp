#include "submission.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

// Folders that never hold a student's work: build output, version control, archive debris.
bool skipped_folder(const fs::path& path) {
    const std::string name = path.filename().string();
    return name.empty() || name.front() == '.' || name == "build" || name == "__MACOSX" || name == "node_modules";
}

// A loose file that may be a lab file under another name ("Bank (1).cpp", "bank.cpp.txt"), worth
// a note when it is ignored. The build files of a whole repository uploaded as it is are not.
bool source_like(const fs::path& path) {
    static const std::set<std::string> extensions{".cpp", ".cc", ".cxx", ".hpp", ".h", ".hh", ".txt"};
    return extensions.count(path.extension().string()) > 0 && path.filename() != "CMakeLists.txt";
}

// Among several files of the same name, the one a person meant: in a folder named after the lab,
// then under labs/; nullptr when that still leaves more than one.
const fs::path* pick(const std::vector<fs::path>& candidates, const std::string& folder) {
    const auto narrowed = [](const std::vector<const fs::path*>& from, auto keep) {
        std::vector<const fs::path*> kept;
        for (const fs::path* p : from)
            if (keep(*p)) kept.push_back(p);
        return kept;
    };
    std::vector<const fs::path*> all;
    for (const auto& c : candidates) all.push_back(&c);
    if (all.size() == 1) return all.front();
    auto in_lab = narrowed(all, [&](const fs::path& p) { return p.parent_path().filename() == folder; });
    if (in_lab.size() == 1) return in_lab.front();
    if (in_lab.empty()) in_lab = all;
    const auto under_labs = narrowed(in_lab, [](const fs::path& p) { return p.parent_path().parent_path().filename() == "labs"; });
    return under_labs.size() == 1 ? under_labs.front() : nullptr;
}

}  // namespace

std::vector<const lab_info*> submission_files::labs_present(const std::vector<lab_info>& labs) const {
    std::vector<const lab_info*> present;
    for (const auto& lab : labs)
        for (const auto& file : lab.sources)
            if (found.count(lab.folder + "/" + file) > 0 || ambiguous.count(lab.folder + "/" + file) > 0) {
                present.push_back(&lab);
                break;
            }
    return present;
}

std::string no_submission(const lab_info& lab) {
    std::string files;
    for (const auto& file : lab.sources) files += (files.empty() ? "" : ", ") + file;
    return fmt::format("no submission for {}: the submission has {} {}", lab.folder, lab.sources.size() == 1 ? "no" : "none of",
                       files);
}

submission_files find_submission_files(const fs::path& dir, const std::vector<lab_info>& labs) {
    submission_files result;
    std::map<std::string, std::vector<fs::path>> by_name;
    std::vector<fs::path> loose;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, error);
         !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_directory() && skipped_folder(it->path())) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || ++result.file_count > 20000) continue;
        by_name[it->path().filename().string()].push_back(it->path());
        if (it.depth() == 0 && source_like(it->path())) loose.push_back(it->path());
    }
    std::set<std::string> lab_file_names;
    for (const auto& lab : labs)
        for (const auto& file : lab.sources) {
            lab_file_names.insert(fs::path(file).filename().string());
            const auto found = by_name.find(fs::path(file).filename().string());
            if (found == by_name.end()) continue;
            const std::string key = lab.folder + "/" + file;
            if (const fs::path* chosen = pick(found->second, lab.folder)) {
                result.found[key] = *chosen;
                continue;
            }
            std::string places;
            for (const auto& p : found->second) places += (places.empty() ? "" : ", ") + fs::relative(p, dir).string();
            result.ambiguous[key] = fmt::format("the submission has several files named {} ({}): keep one, or put it in "
                                                "a folder named {}",
                                                fs::path(file).filename().string(), places, lab.folder);
        }
    for (const auto& p : loose)
        if (lab_file_names.count(p.filename().string()) == 0) result.ignored.push_back(p.filename().string());
    std::sort(result.ignored.begin(), result.ignored.end());
    return result;
}

}  // namespace parlab::grader
