#include "gradebook.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "grade.hpp"
#include "report.hpp"
#include "sandbox.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t fnv_offset = 14695981039346656037ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

void mix(std::uint64_t& hash, const std::string& bytes) {
    for (const unsigned char c : bytes) hash = (hash ^ c) * fnv_prime;
    hash = (hash ^ 0xffU) * fnv_prime;  // a separator, so "ab"+"c" and "a"+"bc" differ
}

std::string read_all(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

double lab_maximum(const lab_info& lab) {
    double sum = 0;
    for (const auto& c : lab.checks) sum += c.points;
    return sum;
}

const nlohmann::json* find_by(const nlohmann::json& list, const char* key, const std::string& value) {
    for (const auto& item : list)
        if (item.is_object() && item.value(key, "") == value) return &item;
    return nullptr;
}

std::string points_of(const nlohmann::json* item) {
    return item != nullptr && item->contains("score") && item->at("score").is_number()
               ? format_points(item->at("score").get<double>()) : "";
}

std::string gradebook_header(const std::vector<lab_info>& labs) {
    std::string header = "submission";
    for (const auto& lab : labs) {
        header += fmt::format(",{0},{0} max", csv_field(lab.folder));
        for (const auto& check : lab.checks) header += fmt::format(",{}", csv_field(lab.folder + "/" + check.name));
    }
    return header + ",total,max,seed,error\n";
}

std::string gradebook_row(const std::vector<lab_info>& labs, const nlohmann::json& report) {
    std::string row = csv_field(report.value("submission", ""));
    double maximum = 0;
    for (const auto& lab : labs) {
        const nlohmann::json* graded = find_by(json_list(report, "labs"), "folder", lab.folder);
        maximum += lab_maximum(lab);
        row += fmt::format(",{},{}", points_of(graded), format_points(lab_maximum(lab)));
        for (const auto& check : lab.checks)
            row += fmt::format(",{}", points_of(graded != nullptr ? find_by(json_list(*graded, "checks"), "name", check.name) : nullptr));
    }
    const std::string seed = report.contains("seed") ? report.at("seed").dump() : "";
    return row + fmt::format(",{},{},{},{}\n", points_of(&report), format_points(maximum), seed,
                             csv_field(grading_errors(report)));
}

std::string clock_text(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::vector<lab_info> chosen_labs(const fs::path& root, const std::vector<std::string>& names) {
    std::vector<lab_info> all = load_labs(root / "labs", root / "grader" / "labs");
    if (names.empty()) return all;
    std::vector<lab_info> chosen;
    for (const auto& name : names) {
        const lab_info* lab = find_lab(all, name);
        if (lab == nullptr) throw std::invalid_argument(fmt::format("batch: no lab '{}'; ./parlab list shows them", name));
        chosen.push_back(*lab);
    }
    std::sort(chosen.begin(), chosen.end(), [](const lab_info& a, const lab_info& b) { return a.folder < b.folder; });
    chosen.erase(std::unique(chosen.begin(), chosen.end(), [](const lab_info& a, const lab_info& b) { return a.folder == b.folder; }),
                 chosen.end());
    return chosen;
}

std::vector<fs::path> submission_folders(const fs::path& dir) {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && entry.path().filename().string().front() != '.') folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    return folders;
}

// The batch keeps its seed in the reports folder, so a resumed batch grades with the same one.
unsigned long long batch_seed(const batch_options& options) {
    const fs::path state_file = options.reports / ".batch.json";
    unsigned long long seed = 0;
    if (options.seed) {
        seed = *options.seed;
    } else if (const auto state = read_json(state_file); state && state->contains("seed") && state->at("seed").is_number_unsigned()) {
        return state->at("seed").get<unsigned long long>();
    } else {
        seed = draw_seed();
    }
    write_file(state_file, nlohmann::json{{"seed", seed}}.dump(2) + "\n");
    return seed;
}

bool up_to_date(const fs::path& report_file, const std::string& hash, unsigned long long seed) {
    const auto report = read_json(report_file);
    return report && report->value("submission_hash", "") == hash && report->contains("seed") &&
           report->at("seed").is_number_unsigned() && report->at("seed").get<unsigned long long>() == seed;
}

struct graded_submission {
    nlohmann::json json;
    std::string markdown;
};

graded_submission grade_submission(const batch_options& options, const fs::path& folder, unsigned long long seed) {
    const std::string name = folder.filename().string();
    try {
        grade_options grade_with;
        grade_with.root = options.root;
        grade_with.lab_source = submission_labs(folder);
        grade_with.overlay = true;
        grade_with.submission_label = name;
        grade_with.work = options.root / "build" / "grade" / submission_key(folder);
        grade_with.lab_names = options.lab_names;
        grade_with.seed = seed;
        grade_with.progress = false;
        fs::create_directories(grade_with.work);
        const grade_report report = grade(grade_with);
        (void)kill_leftover_children();
        return {json_report(report), markdown_report(report)};
    } catch (const std::exception& error) {
        return {{{"submission", name}, {"score", 0}, {"max_score", 0}, {"seed", seed}, {"error", error.what()},
                 {"labs", nlohmann::json::array()}},
                fmt::format("# ParLab grade: not graded\n\nSubmission `{}`, seed `{}`: {}\n", name, seed, error.what())};
    }
}

}  // namespace

std::optional<nlohmann::json> read_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    try {
        return std::make_optional(nlohmann::json::parse(in));  // explicit: nlohmann 3.10 finds the conversion ambiguous
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

const nlohmann::json& json_list(const nlohmann::json& object, const char* key) {
    static const nlohmann::json empty = nlohmann::json::array();
    return object.is_object() && object.contains(key) && object.at(key).is_array() ? object.at(key) : empty;
}

fs::path submission_labs(const fs::path& dir) {
    if (!fs::is_directory(dir)) throw std::invalid_argument(fmt::format("--submission: no folder '{}'", dir.string()));
    return fs::canonical(dir);  // the grader finds the files wherever they are in it
}

std::string submission_key(const fs::path& dir) {
    return fmt::format("sub-{:016x}", std::hash<std::string>{}(fs::canonical(dir).string()));
}

std::string content_hash(const fs::path& dir) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_directory() && it->path().filename() == ".git") {
            it.disable_recursion_pending();
        } else if (it->is_regular_file()) {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    std::uint64_t hash = fnv_offset;
    for (const auto& file : files) {
        mix(hash, fs::relative(file, dir).generic_string());
        mix(hash, read_all(file));
    }
    return fmt::format("{:016x}", hash);
}

std::string format_points(double points) {
    std::string text = fmt::format("{:.2f}", std::round(points * 100.0) / 100.0);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text == "-0" ? "0" : text;
}

std::string grading_errors(const nlohmann::json& report) {
    std::string errors = report.value("error", "");
    for (const auto& lab : json_list(report, "labs")) {
        for (const auto& check : json_list(lab, "checks")) {
            if (check.value("status", "") != "error") continue;
            errors += fmt::format("{}{}: {}", errors.empty() ? "" : "; ", lab.value("folder", "?"), check.value("message", ""));
            break;  // the first error tells why the lab could not be graded
        }
    }
    return errors;
}

std::string gradebook_csv(const std::vector<lab_info>& labs, const std::vector<nlohmann::json>& reports) {
    std::string text = gradebook_header(labs);
    for (const auto& report : reports) text += gradebook_row(labs, report);
    return text;
}

std::string progress_text(double elapsed_seconds, std::size_t graded, std::size_t left) {
    std::string text = clock_text(elapsed_seconds) + " elapsed";
    if (graded > 0) text += ", about " + clock_text(elapsed_seconds / static_cast<double>(graded) * static_cast<double>(left)) + " left";
    return text;
}

std::size_t run_batch(const batch_options& options) {
    const std::vector<lab_info> labs = chosen_labs(options.root, options.lab_names);
    fs::create_directories(options.reports);
    const unsigned long long seed = batch_seed(options);
    const std::vector<fs::path> folders = submission_folders(options.submissions);
    fmt::print(stderr, "batch: {} submissions in {}, seed {} (kept for this batch; --seed N changes it)\n", folders.size(),
               options.submissions.string(), seed);

    const auto start = std::chrono::steady_clock::now();
    std::size_t graded = 0;
    for (std::size_t i = 0; i < folders.size(); ++i) {
        const std::string name = folders[i].filename().string();
        const fs::path report_file = options.reports / (name + ".json");
        const std::string hash = content_hash(folders[i]);
        const std::string counter = fmt::format("[{}/{}] {}", i + 1, folders.size(), name);
        if (!options.force && up_to_date(report_file, hash, seed)) {
            fmt::print(stderr, "{}: unchanged since graded, skipped (--force grades again)\n", counter);
            continue;
        }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        fmt::print(stderr, "{} ... {}\n", counter, progress_text(elapsed.count(), graded, folders.size() - i));
        graded_submission result = grade_submission(options, folders[i], seed);
        ++graded;
        result.json["submission_hash"] = hash;
        write_file(report_file, result.json.dump(2) + "\n");
        if (options.markdown) write_file(options.reports / (name + ".md"), result.markdown);
        const std::string errors = grading_errors(result.json);
        fmt::print(stderr, "        {}/{}{}\n", format_points(result.json.value("score", 0.0)),
                   format_points(result.json.value("max_score", 0.0)), errors.empty() ? "" : "  not graded: " + errors);
    }

    // The CSV is rebuilt from every report, so a resumed batch still lists everyone.
    std::vector<nlohmann::json> reports;
    for (const auto& folder : folders) {
        const fs::path report_file = options.reports / (folder.filename().string() + ".json");
        if (!fs::exists(report_file)) continue;
        auto report = read_json(report_file);
        reports.push_back(report && report->is_object() ? *report
                                                        : nlohmann::json{{"submission", folder.filename().string()},
                                                                         {"error", "unreadable report " + report_file.string()}});
    }
    write_file(options.csv, gradebook_csv(labs, reports));
    fmt::print(stderr, "batch: wrote {} ({} submissions) and one report each in {}\n", options.csv.string(), reports.size(),
               options.reports.string());
    return reports.size();
}

}  // namespace parlab::grader
