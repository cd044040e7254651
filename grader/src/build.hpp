#pragma once
// Building a submission: stage the student's files over the kit's frozen lab files, then compile
// the grader's probe for the lab in a Release tree and a ThreadSanitizer tree. When the grader
// runs as root, the compiler runs as the unprivileged user too, so an #include can read only
// what that user may.

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io.hpp"
#include "model.hpp"
#include "submission.hpp"

namespace parlab::grader {



enum class build_kind { release, tsan };

/// Where a lab's programs ended up, or why they could not be built.
struct lab_build {
    bool ok = false;
    std::string errors;  ///< the first compiler errors in the student's files, paths relative to the lab
    std::filesystem::path probe;   ///< the grader's probe linked to the student's code (may be empty)
    /// Constructs in the student's files (as the compiler sees them, macros expanded) that can
    /// switch ThreadSanitizer off or hide its reports, comma-separated; empty when none.
    std::string forbidden;
    bool light = false;  ///< compiled at -O1 (grade_options::light_optimisation): not to be timed
};

/// How the grade builds use a compiler cache (build.cpp's compiler_cache): the launcher given to
/// CMake (empty: none) and the environment of the compiles.
struct compiler_cache_use {
    std::string launcher;
    std::vector<std::string> environment;
    std::filesystem::path lock;  // held while a tree compiles the kit's own libraries (see build.cpp)
};

/// What a trusted command (run_command) did.
struct command_result {
    int code = -1;
    std::string output;
    bool timed_out = false;
};

class submission_build {
public:
    /// `kit`: the kit graded, whose compiler cache the builds use. `root`: the kit they build, `kit`
    /// itself or a mirror of it the user who compiles can read. `lab_source`: the folder graded,
    /// laid out like labs/. `work`: a build folder of its own. `overlay`: copy only the
    /// student-editable files from lab_source over the kit's labs/ (for submissions); otherwise
    /// build lab_source as it is.
    /// `files`: where a submission's editable files are (see submission.hpp); without it they are
    /// looked for at lab_source/NN-name/FILE.
    submission_build(const std::filesystem::path& kit, std::filesystem::path root, std::filesystem::path lab_source,
                     std::filesystem::path work, bool overlay,
                     std::optional<std::pair<uid_t, gid_t>> build_as = std::nullopt,
                     const submission_files* files = nullptr);

    /// Stages and builds one lab; `progress` is told what is happening.
    [[nodiscard]] lab_build build(const lab_info& lab, build_kind kind);

    /// The lab's own Catch2 test program linked to the code build() staged, in the release tree
    /// (call after build(lab, release) succeeded); nullopt, with `errors` set, when it does not build.
    [[nodiscard]] std::optional<std::filesystem::path> build_lab_tests(const lab_info& lab, std::string& errors);

    /// Compile at -O1 instead of the kit's optimisation: the build takes about half the time, and
    /// the programs are fit for every check but the timed ones. Call before the first build.
    void light_optimisation() { light_ = true; }

private:
    std::filesystem::path root_, source_, work_;
    bool overlay_;
    bool light_ = false;
    std::optional<std::pair<uid_t, gid_t>> build_as_;
    const submission_files* files_;
    compiler_cache_use cache_;
    std::map<build_kind, bool> configured_;
    std::map<build_kind, std::string> configure_errors_;
    [[nodiscard]] std::filesystem::path stage_dir() const;
    [[nodiscard]] std::filesystem::path tree(build_kind kind) const;
    std::string stage(const lab_info& lab);
    void configure(build_kind kind);
    void hand_over(const std::filesystem::path& dir) const;
    [[nodiscard]] command_result build_target(build_kind kind, const std::string& target) const;
    void build_kit_target(build_kind kind, const std::string& target);
    std::set<std::pair<build_kind, std::string>> kit_targets_built_;
    std::string scan_forbidden(const lab_info& lab, build_kind kind);
};

/// Copies a file or folder (without build/ folders) to `to`, readable by every user; files whose
/// content did not change keep their time stamps, so builds there stay incremental.
void mirror_for_build(const std::filesystem::path& from, const std::filesystem::path& to);

/// A folder of the grader's own under /var/tmp for the kit or cache folder `serves`: named
/// `prefix` and a hash of that path, readable by every user and written only by the grader's user.
/// nullopt when another user made a folder of that name first (/var/tmp is open to all). Folders
/// of the same prefix whose path no longer exists (a kit removed) are removed on the way.
[[nodiscard]] std::optional<std::filesystem::path> shared_place(std::string_view prefix,
                                                                const std::filesystem::path& serves);

/// The name shared_place gives that folder.
[[nodiscard]] std::filesystem::path shared_place_name(std::string_view prefix, const std::filesystem::path& serves);

/// The constructs of preprocessed source `text` (lines from `file` only) that can switch
/// ThreadSanitizer off or hide its reports, comma-separated; empty when none.
[[nodiscard]] std::string forbidden_constructs(const std::string& text, const std::string& file);

/// Runs a trusted command (cmake, ninja) with a time limit; returns its exit code and output.
/// `home` is its HOME and working folder; `extra_env` ("NAME=value") adds to or replaces the
/// grader's own environment.
[[nodiscard]] command_result run_command(const std::vector<std::string>& argv, int timeout_seconds,
                                         std::optional<std::pair<uid_t, gid_t>> run_as = std::nullopt,
                                         const std::filesystem::path& home = {},
                                         const std::vector<std::string>& extra_env = {});

}  // namespace parlab::grader
