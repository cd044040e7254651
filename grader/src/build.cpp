#include "build.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "machine_turn.hpp"
#include "sandbox.hpp"

extern char** environ;

namespace parlab::grader {
namespace fs = std::filesystem;

namespace {

// Copies a file only when its content differs, so that unchanged files keep their timestamps and
// the build stays incremental.
void copy_if_changed(const fs::path& from, const fs::path& to) {
    if (fs::exists(to) && read_text(from) == read_text(to)) return;
    fs::create_directories(to.parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// Copies what changed of `from` into `to`, except the files named in `keep` (relative paths),
// which the caller puts there itself: copying the kit's version over them first would give them
// a new time on every grade, and the build would recompile them each time.
void mirror_tree(const fs::path& from, const fs::path& to, const std::vector<std::string>& keep = {}) {
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_directory() && it->path().filename() == "build") {
            it.disable_recursion_pending();
            continue;
        }
        const auto relative = fs::relative(it->path(), from);
        const auto target = to / relative;
        if (it->is_directory()) fs::create_directories(target);
        else if (it->is_regular_file() && std::find(keep.begin(), keep.end(), relative.generic_string()) == keep.end())
            copy_if_changed(it->path(), target);
    }
}

// The compiler's error lines about the student's own files (`lab_dir` + one of `files`), with
// the staging path cut off, and the linker's missing and twice-defined symbols. Nothing else of
// the compiler's output is shown: it could quote a file the student has no business reading.
std::string student_errors(const std::string& output, const std::string& lab_dir, const std::vector<std::string>& files) {
    std::istringstream lines(output);
    std::string line, errors;
    int count = 0;
    bool after_error = false;  // GCC follows an error with the source line and a caret, indented
    while (std::getline(lines, line) && count < 12) {
        const bool twice = line.find("multiple definition of") != std::string::npos;
        const bool linker = twice || line.find("undefined reference") != std::string::npos;
        bool mine = false;
        for (const auto& f : files) mine = mine || line.rfind(lab_dir + f + ":", 0) == 0;
        if (after_error && !line.empty() && line.front() == ' ') {
            errors += line + "\n";
            continue;
        }
        after_error = false;
        if (!linker && !(mine && line.find("error") != std::string::npos)) continue;
        after_error = !linker;
        for (auto at = line.find(lab_dir); at != std::string::npos; at = line.find(lab_dir)) line.erase(at, lab_dir.size());
        if (linker && line.find(": ") != std::string::npos && !mine)
            line = line.substr(line.rfind(twice ? "multiple definition" : "undefined reference"));
        if (twice)  // the other definition is in a file of the lab, often a frozen one giving that function
            line = line.substr(0, line.find("; ")) + ": two of the lab's files define it; keep one (functions the "
                                                      "lab gives are in its frozen files)";
        errors += line + "\n";
        ++count;
    }
    return errors.empty() ? "the build failed outside the files you edit: check that they match the lab's header "
                            "(names, signatures) and include only the kit's and the standard library's headers\n"
                          : errors;
}

// What CMake ran to compile `file` in `tree` (compile_commands.json), or empty.
std::string compile_command(const fs::path& tree, const fs::path& file) {
    std::ifstream in(tree / "compile_commands.json");
    if (!in) return {};
    try {
        for (const auto& entry : nlohmann::json::parse(in)) {
            std::error_code ignored;
            if (fs::equivalent(entry.at("file").get<std::string>(), file, ignored))
                return entry.at("command").get<std::string>();
        }
    } catch (const nlohmann::json::exception&) {
    }
    return {};
}

// Whether `dir` is a folder (not a link to one) that `uid` owns.
bool folder_of(const fs::path& dir, uid_t uid) {
    struct stat info {};
    return ::lstat(dir.c_str(), &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == uid;
}

}  // namespace

void mirror_for_build(const fs::path& from, const fs::path& to) {
    if (fs::is_regular_file(from)) {
        copy_if_changed(from, to);
    } else {
        fs::create_directories(to);
        mirror_tree(from, to);
    }
    // readable by everyone, whatever the originals allowed
    const auto open_up = [](const fs::path& p, bool folder) {
        fs::permissions(p, folder ? fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                        fs::perms::others_read | fs::perms::others_exec
                                  : fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                        fs::perms::others_read);
    };
    open_up(to, fs::is_directory(to));
    if (fs::is_directory(to))
        for (const auto& entry : fs::recursive_directory_iterator(to)) open_up(entry.path(), entry.is_directory());
}

fs::path shared_place_name(std::string_view prefix, const fs::path& serves) {
    return fs::path("/var/tmp") /
           fmt::format("{}{:016x}", prefix, std::hash<std::string>{}(serves.lexically_normal().string()));
}

std::optional<fs::path> shared_place(std::string_view prefix, const fs::path& serves) {
    const fs::path dir = shared_place_name(prefix, serves);
    constexpr std::string_view marker = "serves";  // the path the folder is for
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir.parent_path(), error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0 || !folder_of(entry.path(), ::geteuid())) continue;
        const std::string path = read_text(entry.path() / marker);
        if (path.empty()) continue;
        const bool there = fs::exists(path, error);
        if (!error && !there) fs::remove_all(entry.path(), error);  // (not when the path could not be looked at)
    }
    fs::create_directory(dir, error);
    if (!folder_of(dir, ::geteuid()) || ::chmod(dir.c_str(), 0755) != 0) return std::nullopt;
    if (const std::string path = serves.lexically_normal().string(); read_text(dir / marker) != path)
        write_file(dir / marker, path);
    return dir;
}

std::string forbidden_constructs(const std::string& text, const std::string& file) {
    // Sanitizer interfaces and hooks, the attributes that turn instrumentation off, annotations
    // that tell ThreadSanitizer to look away, and loading symbols by name to reach any of them.
    static const std::regex banned(
        R"(\b(__tsan\w*|__sanitizer\w*|__asan\w*|__ubsan\w*|__lsan\w*|__msan\w*|__hwasan\w*|__interceptor\w*|)"
        R"(__no_sanitize\w*|no_sanitize\w*|\w*Annotate\w*|dlsym|dlvsym|dlopen|dlmopen)\b)");
    std::set<std::string> found;
    std::istringstream lines(text);
    bool in_file = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("# ", 0) == 0 && line.size() > 2 && std::isdigit(static_cast<unsigned char>(line[2]))) {
            // a line marker: # LINE "PATH" FLAGS
            const auto open = line.find('"'), close = line.rfind('"');
            in_file = open != std::string::npos && close > open && line.substr(open + 1, close - open - 1) == file;
            continue;
        }
        if (!in_file) continue;
        for (auto it = std::sregex_iterator(line.begin(), line.end(), banned); it != std::sregex_iterator(); ++it)
            found.insert((*it)[1]);
    }
    std::string list;
    for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
    return list;
}

command_result run_command(const std::vector<std::string>& argv, int timeout_seconds,
                           std::optional<std::pair<uid_t, gid_t>> run_as, const fs::path& home,
                           const std::vector<std::string>& extra_env) {
    run_request request;
    request.argv = argv;
    std::vector<std::string> replaced = extra_env;
    if (!home.empty()) replaced.push_back("HOME=" + home.string());
    const auto replaced_here = [&](std::string_view entry) {
        return std::any_of(replaced.begin(), replaced.end(), [&](const std::string& mine) {
            const auto name = mine.substr(0, mine.find('=') + 1);
            return entry.substr(0, name.size()) == name;
        });
    };
    for (char** e = environ; *e != nullptr; ++e)
        if (!replaced_here(*e)) request.env.emplace_back(*e);
    request.env.insert(request.env.end(), replaced.begin(), replaced.end());
    if (run_as) {
        request.run_as_uid = run_as->first;
        request.run_as_gid = run_as->second;
    }
    request.workdir = home.empty() ? fs::current_path() : home;
    request.timeout = std::chrono::seconds(timeout_seconds);
    request.output_cap = 1 << 20;
    request.open_files = 4096;
    request.extra_processes = 4096;
    request.file_size_limit = std::size_t{1} << 40;
    const run_result result = run_sandboxed(request);
    return {result.timed_out ? -1 : (result.status.exited ? result.status.code : 128 + result.status.signal),
            result.output, result.timed_out};
}

namespace {

// The compiler cache of the grade builds: ccache, where it is installed, in one folder per kit and
// per user who compiles (a folder written by two users would stop the other's builds). Every
// build tree of the kit compiles its own files (the common library, the probes) with the same
// command lines, so the trees of the skeletons, the solutions and each submission compile them
// once between them. A hit needs the same compiler, flags and preprocessed input: a student's
// file is only ever served the object of the same file. Paths inside the kit are written relative
// to the build tree (the cache's base folder is the build's kit), so a copy of the kit that names
// another cache folder is served what the kit's trees compiled at the same place in theirs.
// PARLAB_COMPILER_CACHE=off turns it off; PARLAB_COMPILER_CACHE=DIR uses the cache folders under
// DIR instead of the kit's (the kit's own tests of its copies do).
//
// `kit` is the kit graded (where the cache is asked for), `build_root` the kit the trees build
// (a mirror under /var/tmp when the user who compiles cannot read `kit`).
compiler_cache_use compiler_cache(const fs::path& kit, const fs::path& build_root,
                                  std::optional<std::pair<uid_t, gid_t>> build_as) {
    const char* setting = std::getenv("PARLAB_COMPILER_CACHE");
    if (setting != nullptr && std::string_view(setting) == "off") return {};
    const fs::path ccache = "/usr/bin/ccache";
    if (::access(ccache.c_str(), X_OK) != 0) return {};
    const uid_t compiler_uid = build_as ? build_as->first : ::geteuid();
    const fs::path asked = setting != nullptr && *setting == '/' ? fs::path(setting)
                                                                  : kit / "build" / "grade" / "compiler-cache";
    const auto usable = [&](const fs::path& dir) {
        std::error_code error;
        fs::create_directories(dir, error);
        if (error) return false;
        if (build_as && folder_of(dir, ::geteuid()))  // made just now by the grader: the compiling user's
            (void)::chown(dir.c_str(), build_as->first, build_as->second);
        return folder_of(dir, compiler_uid) &&
               (!build_as || run_command({"/usr/bin/test", "-w", dir.string()}, 30, build_as, "/").code == 0);
    };
    fs::path caches = asked;
    // A cache the user who compiles cannot reach (a kit cloned into a folder only its owner may
    // enter, `mktemp -d` or a private home) moves to /var/tmp under a name made from the folder
    // asked for, so every grade of that kit, and every copy naming its cache, still shares one.
    if (!usable(asked / std::to_string(compiler_uid))) {
        if (!build_as) return {};
        const auto moved = shared_place("parlab-compiler-cache-", asked);
        if (!moved || !usable(*moved / std::to_string(compiler_uid))) return {};
        caches = *moved;
    }
    const fs::path dir = caches / std::to_string(compiler_uid);
    // The TSan trees compile with debug information (-g1): without NOHASHDIR each tree's own folder
    // would be in the key. (Not depend mode: it keys on the headers' full paths, so a copy of the
    // kit would miss every object.)
    return {ccache.string(),
            {"CCACHE_DIR=" + dir.string(), "CCACHE_BASEDIR=" + build_root.string(), "CCACHE_NOHASHDIR=1",
             "CCACHE_MAXSIZE=2G"},
            caches / (std::to_string(compiler_uid) + ".lock")};
}

}  // namespace

submission_build::submission_build(const fs::path& kit, fs::path root, fs::path lab_source, fs::path work,
                                   bool overlay, std::optional<std::pair<uid_t, gid_t>> build_as,
                                   const submission_files* files)
    : root_(std::move(root)), source_(std::move(lab_source)), work_(std::move(work)), overlay_(overlay),
      build_as_(build_as), files_(files), cache_(compiler_cache(kit, root_, build_as_)) {}

// Gives a build tree to the user who compiles (when that is not the grader's own user).
void submission_build::hand_over(const fs::path& dir) const {
    fs::create_directories(dir);
    if (!build_as_) return;
    const auto give = [&](const fs::path& p) {
        if (::lchown(p.c_str(), build_as_->first, build_as_->second) != 0)
            throw std::runtime_error(fmt::format("cannot hand {} to the unprivileged user", p.string()));
    };
    give(dir);
    for (const auto& entry : fs::recursive_directory_iterator(dir)) give(entry.path());
}

fs::path submission_build::stage_dir() const { return overlay_ ? work_ / "stage" : source_; }

fs::path submission_build::tree(build_kind kind) const {
    return work_ / (kind == build_kind::release ? "release" : "tsan");
}

std::string submission_build::stage(const lab_info& lab) {
    if (!overlay_) return {};
    const fs::path kit_lab = root_ / "labs" / lab.folder;
    const fs::path staged = stage_dir() / lab.folder;
    mirror_tree(kit_lab, staged, lab.sources);
    for (const auto& file : lab.sources) {
        fs::path mine = source_ / lab.folder / file;
        if (files_ != nullptr) {
            const std::string key = lab.folder + "/" + file;
            if (const auto why = files_->ambiguous.find(key); why != files_->ambiguous.end()) return why->second;
            const auto found = files_->found.find(key);
            if (found == files_->found.end())
                return fmt::format("the submission has no {} (the file you edit in lab {})", file, lab.folder);
            mine = found->second;
        }
        if (!fs::exists(mine)) return fmt::format("the submission has no {}/{}", lab.folder, file);
        copy_if_changed(mine, staged / file);
        // readable by the user who compiles it, whatever the upload's permissions were
        fs::permissions(staged / file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                           fs::perms::others_read);
    }
    return {};
}

void submission_build::configure(build_kind kind) {
    if (configured_[kind]) return;
    const fs::path dir = tree(kind);
    std::vector<std::string> argv{"/usr/bin/env", "cmake", "-S", root_.string(), "-B", dir.string(), "-G", "Ninja",
                                  "-DPARLAB_LAB_SOURCE=" + stage_dir().string(), "-DPARLAB_KIT_CHECK=OFF"};
    argv.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=" + cache_.launcher);
    argv.emplace_back("-DPARLAB_RUNNER_LAUNCHER=");  // the runner too: this cache, or none (common/tests/runner)
    if (kind == build_kind::release) {
        argv.emplace_back("-DCMAKE_BUILD_TYPE=Release");
        // said both ways: CMake keeps a value given once, so a tree configured light before
        // would otherwise stay at -O1 when a grade that times configures it again
        argv.emplace_back(light_ ? "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG" : "-DCMAKE_CXX_FLAGS_RELEASE=-O3 -DNDEBUG");
    } else {
        // Line tables only (-g1): a race report names the two source lines all the same, and the
        // compiles take about 30 % less than with full debug information.
        argv.emplace_back("-DCMAKE_BUILD_TYPE=RelWithDebInfo");
        argv.emplace_back("-DPARLAB_SANITIZER=thread");
        argv.emplace_back(light_ ? "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                                 : "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG");
    }
    // A tree configured before with the same arguments is reused as it is: the build tool re-runs
    // CMake by itself when a CMakeLists.txt or lab.json changed, so a regrade only compiles.
    std::string arguments;
    for (const auto& a : argv) arguments += a + "\n";
    const fs::path stamp = dir / "parlab-configured-with.txt";
    configured_[kind] = true;
    if (fs::exists(dir / "build.ninja") && read_text(stamp) == arguments) return;
    hand_over(dir);
    const auto result = run_command(argv, 600, build_as_, dir, cache_.environment);
    if (result.code == 0) std::ofstream(stamp) << arguments;
    if (result.code != 0) {
        std::string last = result.output.substr(result.output.size() > 1500 ? result.output.size() - 1500 : 0);
        configure_errors_[kind] = "configuring the grader's build failed (a problem of the kit, not of your code):\n" + last;
    }
}

lab_build submission_build::build(const lab_info& lab, build_kind kind) {
    lab_build out;
    out.light = light_;
    if (const std::string missing = stage(lab); !missing.empty()) {
        out.errors = missing;
        return out;
    }
    configure(kind);
    if (!configure_errors_[kind].empty()) {
        out.errors = configure_errors_[kind];
        return out;
    }
    build_kit_target(kind, "parlab_common");
    const fs::path dir = tree(kind);
    const std::string probe_target = fmt::format("parlab_probe_lab{:02}", lab.number);
    if (!fs::exists(root_ / "grader" / "labs" / lab.folder / "probe.cpp")) {
        out.errors = fmt::format("the grader has no probe for lab {} (grader/labs/{}/probe.cpp)", lab.number, lab.folder);
        return out;
    }
    const auto result = build_target(kind, probe_target);
    if (result.code != 0) {
        out.errors = result.timed_out ? "the build took longer than 15 minutes"
                                      : student_errors(result.output, (stage_dir() / lab.folder).string() + "/", lab.sources);
        return out;
    }
    out.ok = true;
    out.probe = dir / "grader" / probe_target;
    if (kind == build_kind::tsan) out.forbidden = scan_forbidden(lab, kind);
    return out;
}

// configure() handed the tree over; what the build adds belongs to the user who builds.
command_result submission_build::build_target(build_kind kind, const std::string& target) const {
    const fs::path dir = tree(kind);
    return run_command({"/usr/bin/env", "cmake", "--build", dir.string(), "--target", target}, 900, build_as_, dir,
                       cache_.environment);
}

// The kit's own libraries (the common library, the test runner) compile with the same command
// lines in every tree. Trees that build at once (./parlab batch --jobs, the known-bad self-check
// in parts) would each compile them, all missing the compiler cache together; one tree at a time
// builds them here instead, and the others then take every object from the cache. Without a cache
// there is nothing to share, and the target is left to the build that needs it. A failure is
// left to that build too, which reports it.
void submission_build::build_kit_target(build_kind kind, const std::string& target) {
    if (cache_.launcher.empty() || !kit_targets_built_.insert({kind, target}).second) return;
    const file_lock one_tree_at_a_time(cache_.lock, [] {});
    (void)build_target(kind, target);
}

std::optional<fs::path> submission_build::build_lab_tests(const lab_info& lab, std::string& errors) {
    build_kit_target(build_kind::release, "parlab_test_support");
    const std::string target = fmt::format("parlab_lab{:02}_tests", lab.number);
    const auto result = build_target(build_kind::release, target);
    if (result.code != 0) {
        errors = result.timed_out ? "the build of the lab's tests took longer than 15 minutes"
                                  : student_errors(result.output, (stage_dir() / lab.folder).string() + "/", lab.sources);
        return std::nullopt;
    }
    return tree(build_kind::release) / target;
}

// Runs the preprocessor over each of the student's files exactly as the build compiled them (the
// ThreadSanitizer build, so a test of __SANITIZE_THREAD__ shows its hand) and looks for the
// constructs that can silence ThreadSanitizer.
std::string submission_build::scan_forbidden(const lab_info& lab, build_kind kind) {
    static const std::regex output_option(R"( -o \S+)"), compile_only(R"( -c )");
    std::string found;
    for (const auto& file : lab.sources) {
        const fs::path path = stage_dir() / lab.folder / file;
        std::string command = compile_command(tree(kind), path);
        if (command.empty()) continue;  // a header: it is scanned where a source includes it
        const fs::path preprocessed = tree(kind) / (file + ".scan.ii");
        // The object file changes whenever the file or a header it includes does: a scan of the
        // same command and object is not repeated (a regrade after no change costs nothing).
        std::smatch object;
        std::error_code no_time;
        const auto compiled = std::regex_search(command, object, output_option)
                                  ? fs::last_write_time(tree(kind) / object.str().substr(4), no_time)
                                  : fs::file_time_type{};
        const std::string key =
            fmt::format("{}\n{}\n{}", command, compiled.time_since_epoch().count(), read_text(path));
        // kept beside the tree, not in it: the code graded never gets to write there
        const fs::path scans = work_ / (kind == build_kind::release ? "scans-release" : "scans-tsan") / lab.folder;
        fs::create_directories(scans);
        const fs::path cached = scans / (file + ".key"), verdict = scans / (file + ".txt");
        std::string here;
        if (!no_time && fs::exists(verdict) && read_text(cached) == key) {
            here = read_text(verdict);
        } else {
            const std::string preprocess = std::regex_replace(
                std::regex_replace(command, output_option, " -E -o " + preprocessed.string()), compile_only, " ");
            const auto result = run_command({"/bin/sh", "-c", preprocess}, 300, build_as_, tree(kind));
            here = result.code == 0 ? forbidden_constructs(read_text(preprocessed), path.string())
                                    : std::string("code the preprocessor rejects");
            fs::remove(preprocessed);
            std::ofstream(verdict) << here;
            std::ofstream(cached) << key;
        }
        if (!here.empty()) found += (found.empty() ? "" : ", ") + here;
    }
    return found;
}

}  // namespace parlab::grader
