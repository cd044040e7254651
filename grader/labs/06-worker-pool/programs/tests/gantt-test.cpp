// The Gantt chart of lab 06's demo (gantt.hpp) on spans made up here: one lane per distinct
// worker, one bar per task in its worker's lane, bars placed by their times.

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "../gantt.hpp"
#include "parlab/testing.hpp"

namespace {

using parlab::lab06_demo::task_span;

struct drawn_bar {
    std::size_t task = 0, lane = 0;
    double x = 0, width = 0;
};

std::vector<drawn_bar> bars_of(const std::string& svg) {
    static const std::regex bar(
        R"re(<rect class="task" data-task="(\d+)" data-lane="(\d+)" x="([-0-9.e+]+)" y="[-0-9.e+]+" width="([-0-9.e+]+)")re");
    std::vector<drawn_bar> bars;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), bar); it != std::sregex_iterator(); ++it)
        bars.push_back({std::stoul((*it)[1]), std::stoul((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4])});
    return bars;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("gantt: one lane per distinct worker, one bar per task in its worker's lane", "[lab06-demo]") {
    // 7 tasks on 3 workers (pids 300, 100, 200 by first start), one of them the caller.
    const std::vector<task_span> spans = {{0, 300, 1000, 1040}, {1, 100, 1005, 1030}, {2, 200, 1010, 1020},
                                          {3, 200, 1020, 1060}, {4, 100, 1030, 1100}, {5, 300, 1040, 1050},
                                          {6, 300, 1050, 1080}};
    std::ostringstream out;
    parlab::lab06_demo::write_gantt(out, spans, "test", 200);
    const std::string svg = out.str();
    CHECK(count(svg, "class=\"lane\"") == 3);
    CHECK(count(svg, "worker pid 300") == 1);
    CHECK(count(svg, "worker pid 100") == 1);
    CHECK(count(svg, "caller pid 200") == 1);
    const std::vector<drawn_bar> bars = bars_of(svg);
    REQUIRE(bars.size() == spans.size());
    const std::map<long, std::size_t> lane_of = {{300, 0}, {100, 1}, {200, 2}};
    std::map<std::size_t, drawn_bar> by_task;
    for (const drawn_bar& b : bars) by_task[b.task] = b;
    REQUIRE(by_task.size() == spans.size());
    // the whole span, 1000 to 1100 ms, fills the plot: x is linear in time
    const double ms = (by_task[4].x + by_task[4].width - by_task[0].x) / 100;
    CHECK(ms > 0);
    for (const task_span& s : spans) {
        INFO("task " << s.task);
        CHECK(by_task[s.task].lane == lane_of.at(s.worker));
        CHECK(by_task[s.task].x == parlab::testing::Approx(by_task[0].x + (s.start_ms - 1000) * ms));
        CHECK(by_task[s.task].width == parlab::testing::Approx((s.end_ms - s.start_ms) * ms));
    }
}

TEST_CASE("gantt: no measured task gives a picture that says so, with no bar", "[lab06-demo]") {
    std::ostringstream out;
    parlab::lab06_demo::write_gantt(out, {}, "test");
    CHECK(count(out.str(), "no task was measured") == 1);
    CHECK(bars_of(out.str()).empty());
    CHECK(count(out.str(), "</svg>") == 1);
}
