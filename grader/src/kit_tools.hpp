#pragma once
// The kit's everyday commands besides grading, behind `./parlab`: watch a lab, write the student
// edition, package a Gradescope autograder. The `parlab` script only installs packages and builds
// this program; everything that needs to know about labs is here.

#include <filesystem>
#include <string>
#include <vector>

namespace parlab::grader {

struct lab_info;

/// The lab that `name` names among `labs` (its name, folder or number); a usage_error saying how to
/// list them when none does.
[[nodiscard]] const lab_info& resolve_lab(const std::vector<lab_info>& labs, const std::string& name);

/// The `./parlab watch LAB` options (watch.cpp) (environment variables in brackets are for the kit's tests).
struct watch_options {
    std::filesystem::path root;
    std::string lab;
    int task = 0;                  ///< 0: every task, the first failing one shown in full
    bool all = false;              ///< show every failure of every task, not only the first few
    double interval_seconds = 1;   ///< how often the files are looked at [PARLAB_WATCH_INTERVAL]
    int max_runs = 0;              ///< stop after this many runs; 0: never
    int timeout_seconds = 120;     ///< a task's run taking longer is stopped (a deadlock, most likely)
    std::filesystem::path dir;     ///< the lab folder watched [PARLAB_WATCH_DIR]; default labs/NN-name
    std::string run_command;       ///< a shell command run instead of build + tests [PARLAB_WATCH_RUN]
};
/// Rebuilds and reruns a lab's tests whenever one of the student's files changes. Returns when
/// max_runs runs are done (never otherwise).
int watch_lab(const watch_options& options);

/// The teaching programs a lab ships (demo, bench, filter, ...), by name.
[[nodiscard]] std::vector<std::string> lab_program_names(const std::filesystem::path& root, const std::string& folder);

/// Builds lab program `program` of `lab` (a lab name, or empty: the lab that has a program of that
/// name) from labs/ or, with `solutions`, from the solutions, then runs it with `args` in place of
/// this process. Returns only when it could not be run (a usage_error is thrown for bad names).
int run_lab_program(const std::filesystem::path& root, const std::string& lab, const std::string& program,
                    const std::vector<std::string>& args, bool solutions);

/// Builds every lab's bench program (or only `only`'s) from the solutions and runs them one after
/// another with `args`, under a line naming the machine. Returns non-zero when one failed.
int run_benches(const std::filesystem::path& root, const std::string& only, bool mine, const std::vector<std::string>& args);

/// Writes the student edition of the kit at `root` to `dest` (which must not exist or be empty):
/// every file of the kit but solutions/, plus the CI workflow that grades each push.
/// Returns the number of files written.
std::size_t write_release(const std::filesystem::path& root, const std::filesystem::path& dest);

/// Writes a Gradescope autograder zip for the labs named (every lab when empty) to `out`; a check
/// that cannot run in the container is worth what `when_not_run` says (award or exclude) where
/// its rubric says defer. Returns those deferred timing checks ("lab/check (N points)").
[[nodiscard]] std::vector<std::string> write_gradescope_package(const std::filesystem::path& root,
                                                                const std::vector<std::string>& labs,
                                                                const std::filesystem::path& out,
                                                                const std::string& when_not_run);

}  // namespace parlab::grader
