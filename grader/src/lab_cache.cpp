#include "lab_cache.hpp"

#include <fmt/format.h>

#include <system_error>

#include "build.hpp"
#include "gradebook.hpp"
#include "report.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

// The grader program's own digest, once per process: a rebuilt grader (a verifier mended, say)
// never takes a result an older one gave.
const std::string& grader_digest() {
    static const std::string digest = text_hash(read_text("/proc/self/exe"));
    return digest;
}

// Everything the result depends on, byte for byte: a hit compares it whole, so two different
// submissions can never share a result through a collision of the key's hash.
std::string identity(const lab_info& lab, const submission_files& files, unsigned long long seed) {
    std::string text = fmt::format("grader {}\nlab {}\nseed {}\n", grader_digest(), lab.folder, seed);
    for (const auto& spec : lab.checks) text += spec.settings.dump() + fmt::format(" points {}\n", spec.points);
    for (const auto& source : lab.sources) {
        const auto found = files.found.find(lab.folder + "/" + source);
        const std::string content = found == files.found.end() ? std::string() : read_text(found->second);
        text += fmt::format("file {} {}\n", source, found == files.found.end() ? "missing" : std::to_string(content.size()));
        text += content;
    }
    return text;
}

fs::path entry(const fs::path& cache, const lab_identity& id, const char* extension) { return cache / (id.key + extension); }

}  // namespace

lab_identity identify_lab(const lab_info& lab, const submission_files& files, unsigned long long seed) {
    lab_identity id;
    id.bytes = identity(lab, files, seed);
    id.key = lab.folder + "-" + text_hash(id.bytes);
    return id;
}

std::optional<lab_result> cached_lab(const fs::path& cache, const lab_identity& id, const lab_info& lab,
                                     const fs::path& artifacts) {
    if (cache.empty() || !fs::exists(entry(cache, id, ".json")) || read_text(entry(cache, id, ".identity")) != id.bytes)
        return std::nullopt;
    const auto stored = read_json(entry(cache, id, ".json"));
    const auto report = stored ? read_report(*stored, {lab}) : std::nullopt;
    if (!report || report->labs.size() != 1) return std::nullopt;
    lab_result result = report->labs.front();
    for (auto& check : result.checks) {
        if (check.artifact.empty() || !fs::exists(check.artifact)) continue;
        std::error_code ignored;
        fs::create_directories(artifacts, ignored);
        const fs::path copy = artifacts / fs::path(check.artifact).filename();
        if (fs::copy_file(check.artifact, copy, fs::copy_options::overwrite_existing, ignored)) check.artifact = copy.string();
    }
    return result;
}

void store_lab(const fs::path& cache, const lab_identity& id, const lab_result& result) {
    if (cache.empty()) return;
    for (const auto& check : result.checks) {
        if (check.status == check_status::error) return;
        if (check.type == "timing" && (check.status == check_status::skipped || check.status == check_status::inconclusive))
            return;
    }
    grade_report one;
    one.labs = {result};
    fs::create_directories(cache);
    // the result first: a reader that finds the identity finds the result beside it
    write_file(entry(cache, id, ".json"), json_report(one).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    write_file(entry(cache, id, ".identity"), id.bytes);
}

}  // namespace parlab::grader
