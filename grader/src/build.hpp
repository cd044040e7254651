#pragma once
// Building a submission: stage the student's files over the kit's frozen lab files, then compile
// the lab's tests and probe in a Release tree and a ThreadSanitizer tree.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "model.hpp"

namespace parlab::grader {

enum class build_kind { release, tsan };

/// Where a lab's programs ended up, or why they could not be built.
struct lab_build {
    bool ok = false;
    std::string errors;  ///< the first compiler errors, paths relative to the submission
    std::filesystem::path tests;   ///< the lab's Catch2 test program
    std::filesystem::path probe;   ///< the grader's probe linked to the student's code (may be empty)
};

class submission_build {
public:
    /// `root`: the kit. `lab_source`: the folder graded, laid out like labs/. `work`: a build
    /// folder of its own. `overlay`: copy only the student-editable files from lab_source over the
    /// kit's labs/ (for submissions); otherwise build lab_source as it is.
    submission_build(std::filesystem::path root, std::filesystem::path lab_source, std::filesystem::path work,
                     bool overlay);

    /// Stages and builds one lab; `progress` is told what is happening.
    [[nodiscard]] lab_build build(const lab_info& lab, build_kind kind);

private:
    std::filesystem::path root_, source_, work_;
    bool overlay_;
    std::map<build_kind, bool> configured_;
    std::map<build_kind, std::string> configure_errors_;
    [[nodiscard]] std::filesystem::path stage_dir() const;
    [[nodiscard]] std::filesystem::path tree(build_kind kind) const;
    std::string stage(const lab_info& lab);
    void configure(build_kind kind);
};

/// Runs a trusted command (cmake, ninja) with a time limit; returns its exit code and output.
struct command_result {
    int code = -1;
    std::string output;
    bool timed_out = false;
};
[[nodiscard]] command_result run_command(const std::vector<std::string>& argv, int timeout_seconds);

}  // namespace parlab::grader
