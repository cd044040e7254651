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

// The points of `check` in `lab`, as the gradebook writes them; empty when it was not graded.
std::string check_points(const lab_result* lab, const std::string& check) {
    if (lab == nullptr) return "";
    const auto found = std::find_if(lab->checks.begin(), lab->checks.end(), [&](const check_result& c) { return c.name == check; });
    return found != lab->checks.end() ? format_points(found->score) : "";
}

std::string gradebook_header(const std::vector<lab_info>& labs) {
    std::string header = "submission";
    for (const auto& lab : labs) {
        header += fmt::format(",{0},{0} max", csv_field(lab.folder));
        for (const auto& check : lab.checks) header += fmt::format(",{}", csv_field(lab.folder + "/" + check.name));
    }
    return header + ",total,max,seed,error\n";
}

std::string gradebook_row(const std::vector<lab_info>& labs, const grade_report& report) {
    std::string row = csv_field(report.submission);
    double maximum = 0;
    for (const auto& lab : labs) {
        const lab_result* graded = report.lab(lab.folder);
        maximum += lab_maximum(lab);
        row += fmt::format(",{},{}", graded != nullptr ? format_points(graded->score()) : "", format_points(lab_maximum(lab)));
        for (const auto& check : lab.checks) row += "," + check_points(graded, check.name);
    }
    return row + fmt::format(",{},{},{},{}\n", format_points(report.score()), format_points(maximum), report.seed,
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

std::string grading_errors(const grade_report& report) {
    std::string errors = report.error;
    for (const auto& lab : report.labs) {
        const auto error = std::find_if(lab.checks.begin(), lab.checks.end(), [](const check_result& c) { return c.status == check_status::error; });
        // the first error tells why the lab could not be graded
        if (error != lab.checks.end()) errors += fmt::format("{}{}: {}", errors.empty() ? "" : "; ", lab.lab.folder, error->message);
    }
    for (const auto& note : report.notes) {
        if (errors.find(note) != std::string::npos) continue;  // said already
        errors += (errors.empty() ? "" : "; ") + note;
    }
    return errors;
}

std::string gradebook_csv(const std::vector<lab_info>& labs, const std::vector<grade_report>& reports) {
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

std::map<std::string, std::vector<std::string>> waiting_timing_checks(const grade_report& report) {
    std::map<std::string, std::vector<std::string>> waiting;
    for (const auto& lab : report.labs)
        for (const auto& check : lab.checks)
            if (check.type == "timing" && (check.status == check_status::skipped || check.status == check_status::inconclusive))
                waiting[lab.lab.folder].push_back(check.name);
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

std::optional<grade_report> rescored(const grade_report& stored, const std::vector<lab_info>& labs) {
    if (stored.labs.size() != labs.size()) return std::nullopt;
    for (std::size_t i = 0; i < labs.size(); ++i) {
        const lab_result& lab = stored.labs[i];
        if (lab.lab.folder != labs[i].folder || lab.checks.size() != labs[i].checks.size()) return std::nullopt;
        for (std::size_t j = 0; j < lab.checks.size(); ++j)
            if (lab.checks[j].name != labs[i].checks[j].name || lab.checks[j].rubric != labs[i].checks[j].settings) return std::nullopt;
    }
    grade_report report = stored;
    for (std::size_t i = 0; i < labs.size(); ++i) {
        report.labs[i].lab = labs[i];
        for (std::size_t j = 0; j < labs[i].checks.size(); ++j) apply_points(report.labs[i].checks[j], labs[i].checks[j]);
    }
    return report;
}

bool graded_from(const grade_report& report, const std::string& hash, unsigned long long seed) {
    return !hash.empty() && report.submission_hash == hash && report.seed == seed;
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
                    const std::map<std::string, grade_report>& reports) {
    const bool canvas = kind == lms_kind::canvas;
    std::string text = canvas ? "Student,ID,SIS User ID,SIS Login ID,Section" : "ID number,Full name,Section";
    for (const auto& lab : labs) {
        std::string title = fmt::format("Lab {:02} {}", lab.number, lab.name);
        std::replace(title.begin(), title.end(), '-', ' ');
        text += "," + csv_field(title);
    }
    text += canvas ? ",Final Points\n" : ",Total,Feedback\n";
    // Canvas's own export: a title ending in "(N)" names the existing assignment of id N, and the
    // points of a new one come from the row under the titles.
    if (canvas) {
        text += "    Points Possible,,,,";
        for (const auto& lab : labs) text += "," + format_points(lab_maximum(lab));
        text += ",(read only)\n";
    }
    for (const auto& student : roster) {
        const auto found = reports.find(student.folder);
        const grade_report* report = found != reports.end() ? &found->second : nullptr;
        text += canvas ? fmt::format("{},,{},,{}", csv_field(student.name), csv_field(student.id), csv_field(student.section))
                       : fmt::format("{},{},{}", csv_field(student.id), csv_field(student.name), csv_field(student.section));
        double total = 0;
        for (const auto& lab : labs) {
            const lab_result* graded = report != nullptr ? report->lab(lab.folder) : nullptr;
            const double score = graded != nullptr ? graded->score() : 0.0;
            total += score;
            text += "," + format_points(score);
        }
        text += "," + format_points(total);
        if (!canvas) text += "," + csv_field(report == nullptr ? "no submission" : grading_errors(*report));
        text += "\n";
    }
    return text;
}

}  // namespace parlab::grader
