#include "build.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "sandbox.hpp"

extern char** environ;

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Copies a file only when its content differs, so that unchanged files keep their timestamps and
// the build stays incremental.
void copy_if_changed(const fs::path& from, const fs::path& to) {
    if (fs::exists(to) && read_text(from) == read_text(to)) return;
    fs::create_directories(to.parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

void mirror_tree(const fs::path& from, const fs::path& to) {
    for (const auto& entry : fs::recursive_directory_iterator(from)) {
        const auto target = to / fs::relative(entry.path(), from);
        if (entry.is_directory()) fs::create_directories(target);
        else if (entry.is_regular_file()) copy_if_changed(entry.path(), target);
    }
}

// The compiler's error lines, with the build's staging paths shortened.
std::string first_errors(const std::string& output, const std::string& strip) {
    std::istringstream lines(output);
    std::string line, errors;
    int count = 0;
    while (std::getline(lines, line) && count < 12) {
        if (line.find("error") == std::string::npos && line.find("undefined reference") == std::string::npos) continue;
        if (line.rfind("FAILED:", 0) == 0 || line.rfind("ninja:", 0) == 0) continue;
        for (auto at = line.find(strip); !strip.empty() && at != std::string::npos; at = line.find(strip))
            line.erase(at, strip.size());
        errors += line + "\n";
        ++count;
    }
    return errors.empty() ? output.substr(output.size() > 2000 ? output.size() - 2000 : 0) : errors;
}

}  // namespace

command_result run_command(const std::vector<std::string>& argv, int timeout_seconds) {
    run_request request;
    request.argv = argv;
    for (char** e = environ; *e != nullptr; ++e) request.env.emplace_back(*e);
    request.workdir = fs::current_path();
    request.timeout = std::chrono::seconds(timeout_seconds);
    request.output_cap = 1 << 20;
    request.open_files = 4096;
    request.extra_processes = 4096;
    request.file_size_limit = std::size_t{1} << 40;
    const run_result result = run_sandboxed(request);
    return {result.timed_out ? -1 : (result.status.exited ? result.status.code : 128 + result.status.signal),
            result.output, result.timed_out};
}

submission_build::submission_build(fs::path root, fs::path lab_source, fs::path work, bool overlay)
    : root_(std::move(root)), source_(std::move(lab_source)), work_(std::move(work)), overlay_(overlay) {}

fs::path submission_build::stage_dir() const { return overlay_ ? work_ / "stage" : source_; }

fs::path submission_build::tree(build_kind kind) const {
    return work_ / (kind == build_kind::release ? "release" : "tsan");
}

std::string submission_build::stage(const lab_info& lab) {
    if (!overlay_) return {};
    const fs::path kit_lab = root_ / "labs" / lab.folder;
    const fs::path staged = stage_dir() / lab.folder;
    mirror_tree(kit_lab, staged);
    for (const auto& file : lab.sources) {
        const fs::path mine = source_ / lab.folder / file;
        if (!fs::exists(mine)) return fmt::format("the submission has no {}/{}", lab.folder, file);
        copy_if_changed(mine, staged / file);
    }
    return {};
}

void submission_build::configure(build_kind kind) {
    if (configured_[kind]) return;
    const fs::path dir = tree(kind);
    std::vector<std::string> argv{"/usr/bin/env", "cmake", "-S", root_.string(), "-B", dir.string(), "-G", "Ninja",
                                  "-DPARLAB_LAB_SOURCE=" + stage_dir().string(), "-DPARLAB_KIT_CHECK=OFF"};
    if (kind == build_kind::release) {
        argv.emplace_back("-DCMAKE_BUILD_TYPE=Release");
    } else {
        argv.emplace_back("-DCMAKE_BUILD_TYPE=RelWithDebInfo");
        argv.emplace_back("-DPARLAB_SANITIZER=thread");
    }
    const auto result = run_command(argv, 600);
    configured_[kind] = true;
    if (result.code != 0) configure_errors_[kind] = "configuring the build failed:\n" + first_errors(result.output, "");
}

lab_build submission_build::build(const lab_info& lab, build_kind kind) {
    lab_build out;
    if (const std::string missing = stage(lab); !missing.empty()) {
        out.errors = missing;
        return out;
    }
    configure(kind);
    if (!configure_errors_[kind].empty()) {
        out.errors = configure_errors_[kind];
        return out;
    }
    const fs::path dir = tree(kind);
    std::vector<std::string> argv{"/usr/bin/env", "cmake", "--build", dir.string(), "--target", lab.target_prefix() + "_tests"};
    const bool has_probe = fs::exists(root_ / "grader" / "probes" / fmt::format("lab{:02}.cpp", lab.number));
    const std::string probe_target = fmt::format("parlab_probe_lab{:02}", lab.number);
    if (has_probe) argv.push_back(probe_target);
    const auto result = run_command(argv, 900);
    if (result.code != 0) {
        out.errors = result.timed_out ? "the build took longer than 15 minutes"
                                      : first_errors(result.output, (stage_dir() / lab.folder).string() + "/");
        return out;
    }
    out.ok = true;
    out.tests = dir / (lab.target_prefix() + "_tests");
    if (has_probe) out.probe = dir / "grader" / probe_target;
    return out;
}

}  // namespace parlab::grader
