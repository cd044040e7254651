#include "similarity.hpp"

#include <fmt/format.h>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "build.hpp"
#include "class_report.hpp"
#include "gradebook.hpp"
#include "kit_build.hpp"
#include "report.hpp"
#include "scratch_dir.hpp"
#include "submission.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    return line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
}

// Runs sim with `arguments` in `dir`; its output. Throws when it cannot run.
std::string run_sim(const similarity_options& options, const std::vector<std::string>& arguments, const fs::path& dir) {
    std::vector<std::string> argv{options.tool};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const fs::path log = dir / "sim.out";
    const int status = run_program(argv, dir, log, false);
    if (status == 127)
        throw std::runtime_error(fmt::format("similarity: cannot run {} (the similarity-tester package; ./parlab similarity "
                                             "installs it)",
                                             options.tool));
    if (status != 0) throw std::runtime_error(fmt::format("similarity: {} failed: {}", options.tool, read_text(log)));
    return read_text(log);
}

}  // namespace

std::string without_given_lines(const std::string& code, const std::string& skeleton) {
    std::set<std::string> given;
    std::istringstream skeleton_lines(skeleton);
    for (std::string line; std::getline(skeleton_lines, line);)
        if (const std::string t = trimmed(line); !t.empty()) given.insert(t);
    std::string kept;
    std::istringstream lines(code);
    for (std::string line; std::getline(lines, line);)
        if (given.count(trimmed(line)) == 0) kept += line + "\n";
    return kept;
}

std::vector<std::tuple<std::string, std::string, int>> parse_sim_shares(const std::string& output) {
    static const std::regex share(R"(^(.+) consists for (\d+) % of (.+) material$)");
    std::vector<std::tuple<std::string, std::string, int>> shares;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_match(line, m, share)) shares.emplace_back(m[1], m[3], std::stoi(m[2]));
    }
    return shares;
}

std::vector<similar_pair> find_similar(const similarity_options& options) {
    const auto all = kit_labs(options.root);
    const auto folders = submission_folders(options.submissions);
    const scratch_dir work("parlab-similarity");  // sim's input, a folder of its own
    std::vector<similar_pair> pairs;
    for (const lab_info& lab : batch_labs(all, options.lab_names, folders)) {
        // one file per student: the lab's files one after another, without the skeleton's lines;
        // named by the student's index, so that no folder name needs quoting in sim's output
        std::string skeleton;
        for (const auto& source : lab.sources) skeleton += read_text(options.root / "labs" / lab.folder / source);
        const fs::path dir = work.path() / lab.folder;
        fs::create_directories(dir);
        std::vector<std::string> files;
        std::map<std::string, std::size_t> student_of;
        for (std::size_t i = 0; i < folders.size(); ++i) {
            const submission_files found = find_submission_files(folders[i], all);
            std::string code;
            for (const auto& source : lab.sources)
                if (const auto it = found.found.find(lab.folder + "/" + source); it != found.found.end())
                    code += read_text(it->second);
            code = without_given_lines(code, skeleton);
            if (trimmed(code).empty()) continue;  // nothing of their own to compare
            const std::string name = fmt::format("{}.cpp", i);
            write_file(dir / name, code);
            files.push_back(name);
            student_of[name] = i;
        }
        if (files.size() < 2) continue;
        std::vector<std::string> arguments{"-p", "-e", "-a", "-s", "-T", fmt::format("-t{}", options.threshold)};
        arguments.insert(arguments.end(), files.begin(), files.end());
        // (first, second) -> the two shares, whichever direction sim reported first
        std::map<std::pair<std::size_t, std::size_t>, similar_pair> found_pairs;
        for (const auto& [a, b, percent] : parse_sim_shares(run_sim(options, arguments, dir))) {
            if (student_of.count(a) == 0 || student_of.count(b) == 0) continue;
            const std::size_t i = student_of.at(a), j = student_of.at(b);
            auto& pair = found_pairs[{std::min(i, j), std::max(i, j)}];
            pair.lab = lab.folder;
            pair.first = folders[std::min(i, j)].filename().string();
            pair.second = folders[std::max(i, j)].filename().string();
            (i < j ? pair.first_share : pair.second_share) = percent;
        }
        for (auto& [indices, pair] : found_pairs) {
            pair.runs = run_sim(options, {"-r24", "-w160", "-T", fmt::format("{}.cpp", indices.first), fmt::format("{}.cpp", indices.second)},
                                dir);
            pairs.push_back(std::move(pair));
        }
    }
    std::stable_sort(pairs.begin(), pairs.end(), [](const similar_pair& a, const similar_pair& b) {
        return std::max(a.first_share, a.second_share) > std::max(b.first_share, b.second_share);
    });
    return pairs;
}

std::string similarity_html(const std::vector<similar_pair>& pairs, const similarity_options& options, std::size_t students) {
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>ParLab similarity</title>\n"
                       "<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1f2328}table{border-collapse:collapse}"
                       "th,td{padding:4px 10px;border-bottom:1px solid #eaeef2;text-align:left}td.num{text-align:right}"
                       "pre{background:#f6f8fa;padding:10px;overflow-x:auto;font-size:12px}p.sub{color:#57606a}</style>\n"
                       "</head><body>\n<h1>ParLab similarity</h1>\n";
    html += fmt::format("<p class=\"sub\">{} submissions in <code>{}</code>, compared lab by lab with {} (token runs of 24 or "
                        "more; the skeleton's own lines left out). Listed: pairs where either holds at least {}% of the "
                        "other's code. A high share is a reason to look, not a verdict: small labs leave little room to "
                        "differ.</p>\n",
                        students, html_escape(options.submissions.string()), html_escape(options.tool), options.threshold);
    if (pairs.empty()) return html + "<p>No pair above the threshold.</p>\n</body></html>\n";
    html += "<table><thead><tr><th>lab</th><th>student</th><th>student</th><th>share of the first in the second</th>"
            "<th>share of the second in the first</th></tr></thead><tbody>\n";
    for (std::size_t k = 0; k < pairs.size(); ++k) {
        const auto& p = pairs[k];
        html += fmt::format("<tr><td>{}</td><td><a href=\"#pair{}\">{}</a></td><td>{}</td><td class=\"num\">{}%</td>"
                            "<td class=\"num\">{}%</td></tr>\n",
                            html_escape(p.lab), k, html_escape(p.first), html_escape(p.second), p.first_share, p.second_share);
    }
    html += "</tbody></table>\n";
    for (std::size_t k = 0; k < pairs.size(); ++k) {
        const auto& p = pairs[k];
        html += fmt::format("<h2 id=\"pair{}\">{}: {} (left) and {} (right)</h2>\n<pre>{}</pre>\n", k, html_escape(p.lab),
                            html_escape(p.first), html_escape(p.second), html_escape(p.runs));
    }
    return html + "</body></html>\n";
}

}  // namespace parlab::grader
