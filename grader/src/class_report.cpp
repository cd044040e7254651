#include "class_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>

#include "gradebook.hpp"
#include "report.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

double percent(const grade_report& report) {
    const double maximum = report.max_score();
    return maximum > 0 ? 100.0 * report.score() / maximum : 0.0;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

std::string url_escape(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::string bar_colour(double fraction) {
    if (fraction < 0.5) return "#d9534f";
    if (fraction < 0.8) return "#f0ad4e";
    return "#4c9f70";
}

// ---- charts ------------------------------------------------------------------------------

std::string histogram_svg(const std::array<int, 10>& bins) {
    const int top = std::max(1, *std::max_element(bins.begin(), bins.end()));
    const int width = 900, height = 250, left = 20, bottom = 200, bar = 84, gap = 10;
    std::string svg = fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="score histogram">)", width, height);
    svg += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>)", left, bottom, left + 10 * bar + gap, bottom);
    for (int i = 0; i < 10; ++i) {
        const double h = 170.0 * bins[i] / top;
        const int x = left + gap + i * bar, middle = x + (bar - gap) / 2;
        svg += fmt::format(R"(<rect x="{}" y="{:.1f}" width="{}" height="{:.1f}" rx="3" fill="{}"><title>{}</title></rect>)", x,
                           bottom - h, bar - gap, h, bar_colour((i + 0.5) / 10.0), bins[i]);
        if (bins[i] > 0) svg += fmt::format(R"(<text x="{}" y="{:.1f}" class="count">{}</text>)", middle, bottom - h - 6, bins[i]);
        svg += fmt::format(R"(<text x="{}" y="{}" class="tick">{}&#8211;{}%</text>)", middle, bottom + 18, i * 10, i == 9 ? 100 : i * 10 + 9);
    }
    svg += fmt::format(R"(<text x="{}" y="{}" class="tick">students by score, as a share of the maximum</text>)", width / 2, bottom + 42);
    return svg + "</svg>";
}

struct bar_row {
    std::string label;
    double fraction = 0;
    std::string value;
};

std::string bars_svg(const std::vector<bar_row>& rows, const std::string& aria) {
    const int row = 24, label_width = 330, bar_width = 380, width = label_width + bar_width + 110;
    const int height = std::max(1, static_cast<int>(rows.size())) * row + 8;
    std::string svg = fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">)", width, height, html_escape(aria));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const int y = static_cast<int>(i) * row + 4;
        const double w = bar_width * std::clamp(rows[i].fraction, 0.0, 1.0);
        svg += fmt::format(R"(<text x="{}" y="{}" class="label">{}</text>)", label_width - 8, y + 16, html_escape(rows[i].label));
        svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" class="track"/>)", label_width, y + 3, bar_width, row - 8);
        svg += fmt::format(R"(<rect x="{}" y="{}" width="{:.1f}" height="{}" fill="{}"/>)", label_width, y + 3, w, row - 8,
                           bar_colour(rows[i].fraction));
        svg += fmt::format(R"(<text x="{}" y="{}" class="value">{}</text>)", label_width + bar_width + 8, y + 16, html_escape(rows[i].value));
    }
    return svg + "</svg>";
}

// ---- sections ----------------------------------------------------------------------------

std::vector<std::string> lab_folders(const std::vector<student_report>& reports) {
    std::vector<std::string> folders;
    for (const auto& r : reports)
        for (const auto& lab : r.report.labs)
            if (std::find(folders.begin(), folders.end(), lab.lab.folder) == folders.end()) folders.push_back(lab.lab.folder);
    std::sort(folders.begin(), folders.end());
    return folders;
}

std::string summary_section(const report_set& set) {
    std::vector<double> shares;
    for (const auto& r : set.reports) shares.push_back(percent(r.report));
    double mean = 0;
    for (const double s : shares) mean += s / static_cast<double>(shares.size());
    int errors = 0;
    for (const auto& r : set.reports) errors += grading_errors(r.report).empty() ? 0 : 1;
    return fmt::format(R"(<section class="tiles"><div><b>{}</b>students</div><div><b>{}%</b>mean score</div>)"
                       R"(<div><b>{}%</b>median score</div><div><b>{}</b>not fully graded</div></section>)",
                       set.reports.size(), format_points(mean), format_points(median(shares)), errors) + "\n";
}

std::string histogram_section(const report_set& set) {
    return "<section><h2>Scores</h2>" + histogram_svg(score_histogram(set.reports)) + "</section>\n";
}

std::string pass_rate_section(const report_set& set) {
    std::vector<bar_row> rows;
    std::string never_run;
    for (const auto& p : pass_rates(set.reports)) {
        if (p.total == 0) {
            never_run += fmt::format("<li><code>{} / {}</code> ({} {})</li>", html_escape(p.lab), html_escape(p.check), p.not_run,
                                     p.manual ? "not marked yet" : "deferred");
            continue;
        }
        rows.push_back({p.lab + " / " + p.check, p.rate(),
                        fmt::format("{}% ({}/{}{})", format_points(100 * p.rate()), p.passed, p.total,
                                    p.not_run > 0 ? fmt::format(", {} not run", p.not_run) : "")});
    }
    std::string html = "<section><h2>Checks passed, hardest first</h2><p class=\"hint\">Among the students each check ran "
                       "for: a check deferred on a busy machine is not a failure.</p>" +
                       bars_svg(rows, "pass rate per check");
    if (!never_run.empty()) html += "<h3>Not run for anyone yet</h3><ul>" + never_run + "</ul>";
    return html + "</section>\n";
}

std::string lab_average_section(const report_set& set) {
    std::vector<bar_row> rows;
    for (const auto& folder : lab_folders(set.reports)) {
        double sum = 0, maximum = 0;
        int count = 0;
        for (const auto& r : set.reports)
            if (const lab_result* lab = r.report.lab(folder)) {
                sum += lab->score();
                maximum = std::max(maximum, lab->max_score());
                ++count;
            }
        const double average = count > 0 ? sum / count : 0.0;
        rows.push_back({folder, maximum > 0 ? average / maximum : 0.0,
                        fmt::format("{}/{}", format_points(average), format_points(maximum))});
    }
    return "<section><h2>Average per lab</h2>" + bars_svg(rows, "average score per lab") + "</section>\n";
}

// A student's name, linked to their Markdown report (a path from the page's folder) when it exists.
std::string student_cell(const student_report& r, const fs::path& dir, const fs::path& page_dir) {
    const std::string label = html_escape(r.name);
    const fs::path markdown = dir / (r.name + ".md");
    if (!fs::exists(markdown)) return label;
    std::error_code error;
    const fs::path from = fs::weakly_canonical(page_dir, error);
    const fs::path to = fs::weakly_canonical(markdown, error);
    fs::path link = to.lexically_relative(from);
    if (link.empty()) link = to;  // no path from there (another drive): the whole one
    std::string href;
    for (const auto& part : link) href += (href.empty() ? "" : "/") + url_escape(part.string());
    return fmt::format(R"(<a href="{}">{}</a>)", href, label);
}

std::string students_section(const report_set& set, const fs::path& dir, const fs::path& page_dir) {
    const auto folders = lab_folders(set.reports);
    // the students who most need a look first: lowest share of the maximum, then by name
    std::vector<const student_report*> order;
    for (const auto& r : set.reports) order.push_back(&r);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return percent(a->report) < percent(b->report); });
    std::string html = "<section><h2>Students, lowest score first</h2><table><thead><tr><th>student</th>";
    for (const auto& f : folders) html += "<th class=\"num\">" + html_escape(f) + "</th>";
    html += "<th class=\"num\">total</th><th class=\"num\">%</th><th>flags</th><th>not graded</th></tr></thead><tbody>\n";
    for (const student_report* student : order) {
        const student_report& r = *student;
        html += "<tr><td>" + student_cell(r, dir, page_dir) + "</td>";
        for (const auto& f : folders) {
            const lab_result* lab = r.report.lab(f);
            html += "<td class=\"num\">" + (lab != nullptr ? format_points(lab->score()) : std::string("&ndash;")) + "</td>";
        }
        html += fmt::format(R"(<td class="num">{}/{}</td><td class="num">{}</td><td class="flag">{}</td><td class="note">{}</td></tr>)",
                            format_points(r.report.score()), format_points(r.report.max_score()), format_points(percent(r.report)),
                            html_escape(student_flags(r.report)), html_escape(grading_errors(r.report)));
        html += "\n";
    }
    return html + "</tbody></table></section>\n";
}

struct timing_entry {
    std::string student, check;
    const check_result* result;
};

std::string timing_section(const report_set& set) {
    std::map<std::string, std::vector<timing_entry>> by_check;
    for (const auto& r : set.reports)
        for (const auto& lab : r.report.labs)
            for (const auto& c : lab.checks)
                if (c.type == "timing") by_check[lab.lab.folder + " / " + c.name].push_back({r.name, lab.lab.folder + " / " + c.name, &c});
    std::string rows;
    for (const auto& [check, entries] : by_check) {
        std::vector<double> values;
        for (const auto& e : entries)
            if (e.result->measured) values.push_back(*e.result->measured);
        const double middle = median(values);
        for (const auto& e : entries) {
            // a speedup far above the class's is no problem of the student's: only slow ones count
            const std::optional<double>& measured = e.result->measured;
            const bool slow = measured && middle > 0 && *measured < middle / 1.5;
            const check_status status = e.result->status;
            if (!slow && status != check_status::skipped && status != check_status::inconclusive) continue;
            rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"note\">{}</td></tr>\n",
                                html_escape(e.student), html_escape(check), to_string(status),
                                measured ? fmt::format("{:.2f}x", *measured) : std::string("&ndash;"),
                                values.empty() ? std::string("&ndash;") : fmt::format("{:.2f}x", middle), html_escape(e.result->message));
        }
    }
    std::string html = "<section><h2>Timing checks to look at</h2><p class=\"hint\">Deferred (not run on a busy machine) or "
                       "inconclusive, to grade again on a quiet one (<code>./parlab batch --deferred</code>), and speedups "
                       "under two thirds of the class median.</p>";
    if (rows.empty()) return html + "<p>None.</p></section>\n";
    return html + "<table><thead><tr><th>student</th><th>check</th><th>status</th><th class=\"num\">speedup</th>"
                  "<th class=\"num\">class median</th><th>message</th></tr></thead><tbody>\n" + rows + "</tbody></table></section>\n";
}

std::string counted_list(const std::map<std::string, int>& counts) {
    std::string html = "<ul>";
    for (const auto& [text, count] : counts)
        html += fmt::format("<li><code>{}</code> &times; {}</li>", html_escape(text), count);
    return html + "</ul>";
}

std::string provenance_section(const report_set& set) {
    std::map<std::string, int> seeds, machines;
    for (const auto& r : set.reports) {
        ++seeds[std::to_string(r.report.seed)];
        ++machines[r.report.machine.empty() ? "unknown" : r.report.machine];
    }
    return "<section><h2>Seeds and machines</h2><div class=\"two\"><div><h3>seeds</h3>" + counted_list(seeds) +
           "</div><div><h3>machines</h3>" + counted_list(machines) + "</div></div></section>\n";
}

const char* const style = R"(<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;background:#f4f5f7;color:#1f2328;font-size:15px}
main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:19px;margin:0 0 12px}h3{font-size:15px;margin:4px 0}
p.sub{color:#57606a;margin:0 0 18px}p.hint{color:#57606a;margin:-6px 0 10px}
section{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:16px 20px;margin:0 0 18px}
.tiles{display:flex;gap:14px;background:none;border:none;padding:0}
.tiles div{flex:1;background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px 16px;color:#57606a}
.tiles b{display:block;font-size:26px;color:#1f2328}
.chart{width:100%;height:auto;font-size:13px}.chart .axis{stroke:#8c959f}.chart .track{fill:#eef1f4}
.chart .tick,.chart .count{text-anchor:middle;fill:#57606a}.chart .count{fill:#1f2328;font-weight:600}
.chart .label{text-anchor:end;fill:#1f2328}.chart .value{fill:#1f2328}
table{border-collapse:collapse;width:100%}th,td{padding:5px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.note{color:#9a3412;font-size:13px}td.flag{color:#b42318;font-size:13px;font-weight:600}.two{display:flex;gap:28px}.two div{flex:1}code{font-size:13px;word-break:break-all}
a{color:#0969da}
</style>
)";

}  // namespace

std::string html_escape(const std::string& text) { return xml_escape(text); }

report_set load_reports(const fs::path& dir, const std::vector<lab_info>& labs) {
    if (!fs::is_directory(dir)) throw std::invalid_argument(fmt::format("report: no folder '{}'", dir.string()));
    report_set set;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const fs::path& file = entry.path();
        if (!entry.is_regular_file() || file.extension() != ".json" || file.filename().string().front() == '.') continue;
        try {
            set.reports.push_back({file.stem().string(), load_report(file, labs)});
        } catch (const std::invalid_argument& error) {
            set.warnings.push_back(fmt::format("skipping {}", error.what()));
        }
    }
    std::sort(set.reports.begin(), set.reports.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::sort(set.warnings.begin(), set.warnings.end());
    if (set.reports.empty())
        throw std::invalid_argument(fmt::format("report: no ParLab report (*.json from ./parlab batch) in '{}'{}", dir.string(),
                                                set.warnings.empty() ? "" : "; " + set.warnings.front()));
    return set;
}

std::array<int, 10> score_histogram(const std::vector<student_report>& reports) {
    std::array<int, 10> bins{};
    for (const auto& r : reports) {
        const int bin = static_cast<int>(std::floor(percent(r.report) / 10.0 + 1e-9));
        ++bins[static_cast<std::size_t>(std::clamp(bin, 0, 9))];
    }
    return bins;
}

std::vector<pass_rate> pass_rates(const std::vector<student_report>& reports) {
    std::vector<pass_rate> rates;
    for (const auto& r : reports)
        for (const auto& lab : r.report.labs)
            for (const auto& c : lab.checks) {
                const std::string& folder = lab.lab.folder;
                auto it = std::find_if(rates.begin(), rates.end(), [&](const pass_rate& p) { return p.lab == folder && p.check == c.name; });
                if (it == rates.end()) it = rates.insert(rates.end(), pass_rate{folder, c.name, 0, 0, 0, c.type == "manual"});
                if (c.status == check_status::skipped) {
                    ++it->not_run;
                    continue;
                }
                ++it->total;
                it->passed += c.status == check_status::passed ? 1 : 0;
            }
    // stable: checks of equal rate keep the order of the first report (lab, then rubric order);
    // a check that ran for nobody has no rate and goes last
    std::stable_sort(rates.begin(), rates.end(), [](const pass_rate& a, const pass_rate& b) {
        if ((a.total == 0) != (b.total == 0)) return b.total == 0;
        return a.rate() < b.rate();
    });
    return rates;
}

std::string student_flags(const grade_report& report) {
    std::vector<std::string> flags;
    if (report.max_score() > 0 && percent(report) < 50) flags.emplace_back("below half");
    std::string missing, unchanged;
    for (const auto& lab : report.labs) {
        const std::string& folder = lab.lab.folder;
        if (std::any_of(lab.checks.begin(), lab.checks.end(), [](const check_result& c) { return c.message.rfind("no submission for ", 0) == 0; }))
            missing += (missing.empty() ? "" : ", ") + folder;
        if (lab.unchanged_skeleton) unchanged += (unchanged.empty() ? "" : ", ") + folder;
    }
    if (!missing.empty()) flags.push_back("missing: " + missing);
    if (!unchanged.empty()) flags.push_back("skeleton unchanged: " + unchanged);
    std::string text;
    for (const auto& f : flags) text += (text.empty() ? "" : "; ") + f;
    return text;
}

std::string class_report_html(const report_set& set, const fs::path& dir, const fs::path& page) {
    const fs::path page_dir = page.empty() ? dir : (page.has_parent_path() ? page.parent_path() : fs::path("."));
    std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>ParLab class report</title>\n";
    html += style;
    html += "</head><body><main>\n<h1>ParLab class report</h1>\n";
    html += fmt::format("<p class=\"sub\">{} reports from <code>{}</code></p>\n", set.reports.size(), html_escape(dir.string()));
    html += summary_section(set) + histogram_section(set) + pass_rate_section(set) + lab_average_section(set) +
            students_section(set, dir, page_dir) + timing_section(set) + provenance_section(set);
    return html + "</main></body></html>\n";
}

}  // namespace parlab::grader
