#include "gradebook.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

#include "build.hpp"
#include "csv.hpp"
#include "report.hpp"
#include "submission.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t fnv_offset = 14695981039346656037ULL;
constexpr std::uint64_t fnv_prime = 1099511628211ULL;

void mix(std::uint64_t& hash, const std::string& bytes) {
    for (const unsigned char c : bytes) hash = (hash ^ c) * fnv_prime;
    hash = (hash ^ 0xffU) * fnv_prime;  // a separator, so "ab"+"c" and "a"+"bc" differ
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

}  // namespace

std::vector<fs::path> submission_folders(const fs::path& dir) {
    std::vector<fs::path> folders;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_directory() && entry.path().filename().string().front() != '.') folders.push_back(entry.path());
    std::sort(folders.begin(), folders.end());
    return folders;
}

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
        mix(hash, read_text(file));
    }
    return fmt::format("{:016x}", hash);
}

std::string text_hash(const std::string& bytes) {
    std::uint64_t hash = fnv_offset;
    mix(hash, bytes);
    return fmt::format("{:016x}", hash);
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
    for (const auto& note : json_list(report, "notes")) {
        if (!note.is_string() || errors.find(note.get<std::string>()) != std::string::npos) continue;  // said already
        errors += (errors.empty() ? "" : "; ") + note.get<std::string>();
    }
    return errors;
}

std::string gradebook_csv(const std::vector<lab_info>& labs, const std::vector<nlohmann::json>& reports) {
    std::string text = gradebook_header(labs);
    for (const auto& report : reports) text += gradebook_row(labs, report);
    return text;
}

std::vector<lab_info> batch_labs(const std::vector<lab_info>& all, const std::vector<std::string>& names,
                                const std::vector<fs::path>& folders) {
    std::vector<lab_info> chosen;
    if (names.empty()) {
        std::set<std::string> handed_in;
        for (const auto& folder : folders)
            for (const lab_info* lab : find_submission_files(folder, all).labs_present(all)) handed_in.insert(lab->folder);
        for (const auto& lab : all)
            if (handed_in.empty() || handed_in.count(lab.folder) > 0) chosen.push_back(lab);
        return chosen;
    }
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

std::map<std::string, std::vector<std::string>> waiting_timing_checks(const nlohmann::json& report) {
    std::map<std::string, std::vector<std::string>> waiting;
    for (const auto& lab : json_list(report, "labs"))
        for (const auto& check : json_list(lab, "checks")) {
            const std::string status = check.value("status", "");
            if (check.value("type", "") == "timing" && (status == "skipped" || status == "inconclusive"))
                waiting[lab.value("folder", "")].push_back(check.value("name", ""));
        }
    return waiting;
}

void replace_checks(grade_report& stored, const grade_report& fresh) {
    for (const auto& fresh_lab : fresh.labs)
        for (auto& lab : stored.labs) {
            if (lab.lab.folder != fresh_lab.lab.folder) continue;
            for (const auto& check : fresh_lab.checks)
                for (auto& old : lab.checks)
                    if (old.name == check.name) old = check;
        }
}

std::optional<grade_report> rescored(const nlohmann::json& stored, const std::vector<lab_info>& labs) {
    const nlohmann::json& stored_labs = json_list(stored, "labs");
    if (stored_labs.size() != labs.size()) return std::nullopt;
    for (std::size_t i = 0; i < labs.size(); ++i) {
        if (!stored_labs[i].is_object() || stored_labs[i].value("folder", "") != labs[i].folder) return std::nullopt;
        const nlohmann::json& checks = json_list(stored_labs[i], "checks");
        if (checks.size() != labs[i].checks.size()) return std::nullopt;
        for (std::size_t j = 0; j < checks.size(); ++j) {
            const check_spec& spec = labs[i].checks[j];
            if (!checks[j].is_object() || checks[j].value("name", "") != spec.name || !checks[j].contains("rubric") ||
                checks[j].at("rubric") != spec.settings)
                return std::nullopt;
        }
    }
    std::optional<grade_report> report = read_report(stored, labs);
    if (!report) return std::nullopt;
    for (std::size_t i = 0; i < labs.size(); ++i)
        for (std::size_t j = 0; j < labs[i].checks.size(); ++j) apply_points(report->labs[i].checks[j], labs[i].checks[j]);
    return report;
}

bool graded_from(const nlohmann::json& report, const std::string& hash, unsigned long long seed) {
    return report.is_object() && !hash.empty() && report.value("submission_hash", "") == hash && report.contains("seed") &&
           report.at("seed").is_number_unsigned() && report.at("seed").get<unsigned long long>() == seed;
}

std::vector<roster_student> parse_roster(const std::string& text, const std::string& source) {
    std::map<std::string, std::size_t> ids, folders;  // where each was given
    std::vector<roster_student> students;
    for (const csv_record& record : read_csv_table(text, source, {"id", "name", "section", "folder"})) {
        const std::string where = fmt::format("{} line {}", source, record.line);
        roster_student student{record["id"], record["name"], record["section"], record["folder"]};
        if (student.id.empty() || student.folder.empty())
            throw std::invalid_argument(fmt::format("{}: the {} is empty", where, student.id.empty() ? "id" : "folder"));
        for (auto& [seen, value, what] : {std::tuple{&ids, student.id, "id"}, std::tuple{&folders, student.folder, "folder"}}) {
            if (const auto before = seen->find(value); before != seen->end())
                throw std::invalid_argument(fmt::format("{}: {} '{}' is on line {} already", where, what, value, before->second));
            (*seen)[value] = record.line;
        }
        students.push_back(std::move(student));
    }
    return students;
}

std::string lms_csv(lms_kind kind, const std::vector<lab_info>& labs, const std::vector<roster_student>& roster,
                    const std::map<std::string, nlohmann::json>& reports) {
    const bool canvas = kind == lms_kind::canvas;
    std::string text = canvas ? "Student,ID,SIS User ID,SIS Login ID,Section" : "ID number,Full name,Section";
    for (const auto& lab : labs) {
        std::string title = fmt::format("Lab {:02} {}", lab.number, lab.name);
        std::replace(title.begin(), title.end(), '-', ' ');
        text += "," + csv_field(canvas ? fmt::format("{} ({})", title, format_points(lab_maximum(lab))) : title);
    }
    text += canvas ? ",Final Points\n" : ",Total,Feedback\n";
    for (const auto& student : roster) {
        const auto found = reports.find(student.folder);
        const nlohmann::json report = found != reports.end() ? found->second : nlohmann::json::object();
        text += canvas ? fmt::format("{},,{},,{}", csv_field(student.name), csv_field(student.id), csv_field(student.section))
                       : fmt::format("{},{},{}", csv_field(student.id), csv_field(student.name), csv_field(student.section));
        double total = 0;
        for (const auto& lab : labs) {
            const nlohmann::json* graded = find_by(json_list(report, "labs"), "folder", lab.folder);
            const double score = graded != nullptr && graded->contains("score") && graded->at("score").is_number()
                                     ? graded->at("score").get<double>() : 0.0;
            total += score;
            text += "," + format_points(score);
        }
        text += "," + format_points(total);
        if (!canvas) text += "," + csv_field(found == reports.end() ? "no submission" : grading_errors(report));
        text += "\n";
    }
    return text;
}

}  // namespace parlab::grader
