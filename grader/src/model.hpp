#pragma once
// What the grader knows about labs and what it found: lab metadata, rubric checks, results.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace parlab::grader {

enum class check_status { passed, failed, timeout, crashed, error, inconclusive, skipped };

[[nodiscard]] const char* to_string(check_status status) noexcept;

/// One check of a lab's rubric (grader/rubrics/NN-name.json), as an instructor edits it.
struct check_spec {
    std::string name;
    int task = 0;
    double points = 0;
    std::string type;           ///< tests | race | probe | timing
    std::string description;
    nlohmann::json params;      ///< everything else in the rubric entry
};

/// A lab as lab.json and its rubric describe it.
struct lab_info {
    int number = 0;
    std::string folder;         ///< "01-race-condition"
    std::string name;           ///< "race-condition"
    std::string title;
    std::vector<std::string> sources;  ///< the files a student edits
    struct task {
        int id = 0;
        std::string title;
        double points = 0;
    };
    std::vector<task> tasks;
    std::vector<check_spec> checks;
    [[nodiscard]] std::string tag() const;  ///< "[lab01]"
    [[nodiscard]] std::string target_prefix() const;  ///< "parlab_lab01"
};

struct check_result {
    std::string name;
    int task = 0;
    check_status status = check_status::error;
    double score = 0;
    double max_score = 0;
    std::string message;        ///< one line
    std::string details;        ///< longer output (test failures, race report), may be empty
    std::string hint;           ///< what to do next, e.g. the hint command
    std::string artifact;       ///< a file written for this check (a diff image), may be empty
    double seconds = 0;         ///< how long the check took
    std::string type = {};      ///< the rubric's check type: probe | race | timing
    std::optional<double> measured = std::nullopt;  ///< a timing check's median speedup, when it was measured
};

struct lab_result {
    lab_info lab;
    std::vector<check_result> checks;
    [[nodiscard]] double score() const;
    [[nodiscard]] double max_score() const;
};

struct grade_report {
    std::string submission;     ///< what was graded: labs/, solutions/ or a folder
    unsigned long long seed = 0;
    std::string machine;
    std::string error;          ///< why nothing could be graded (an empty upload, say); empty when graded
    std::vector<std::string> notes;  ///< things the student should know (files that were ignored)
    double seconds = 0;         ///< how long grading took
    std::vector<lab_result> labs;
    [[nodiscard]] double score() const;
    [[nodiscard]] double max_score() const;
    [[nodiscard]] bool all_passed() const;
};

/// Reads every lab of `labs_dir` (folders with lab.json) and its rubric from `rubrics_dir`.
/// Throws std::runtime_error naming the file for a missing or malformed one.
[[nodiscard]] std::vector<lab_info> load_labs(const std::filesystem::path& labs_dir,
                                              const std::filesystem::path& rubrics_dir);

/// Finds a lab by folder name ("01-race-condition"), short name ("race-condition") or number.
[[nodiscard]] const lab_info* find_lab(const std::vector<lab_info>& labs, const std::string& name);

}  // namespace parlab::grader
