#pragma once
// You do not need to modify this file.
//
// The Gantt chart of lab 06's demo (gantt.svg): when each task of one batch ran, and in which
// worker process. One lane per worker (in the order of their first task), one bar per task from
// its start to its end with the task number on it, and a time axis in milliseconds from the
// first start. The times are the workers' own, taken around each task on CLOCK_MONOTONIC,
// which every process of the machine shares.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace parlab::lab06_demo {

/// One task as the worker that ran it measured it.
struct task_span {
    std::size_t task = 0;
    long worker = 0;  ///< the process id of the process that ran it
    double start_ms = 0;
    double end_ms = 0;
};

namespace detail {

// A step of 1, 2 or 5 times a power of ten giving at most about 8 ticks over `range`.
inline double tick_step(double range) {
    const double rough = std::max(range, 1e-9) / 8;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    for (const double m : {1.0, 2.0, 5.0})
        if (m * power >= rough) return m * power;
    return 10 * power;
}

}  // namespace detail

/// Writes the chart of `spans` as an SVG document. Each lane is one distinct worker, labelled
/// "worker pid N", or "caller pid N" when N is `caller` (the pool ran those tasks in the calling
/// process, not in a worker); each span is one bar (an SVG rect of class "task"). With no spans
/// the picture says so.
inline void write_gantt(std::ostream& svg, std::span<const task_span> spans, const std::string& title, long caller = 0) {
    std::vector<task_span> by_start(spans.begin(), spans.end());
    std::sort(by_start.begin(), by_start.end(),
              [](const task_span& a, const task_span& b) { return a.start_ms < b.start_ms; });
    std::vector<long> lanes;
    for (const task_span& s : by_start)
        if (std::find(lanes.begin(), lanes.end(), s.worker) == lanes.end()) lanes.push_back(s.worker);

    constexpr double left = 130, right = 30, top = 50, lane_height = 34, bar_height = 24, axis = 40, width = 900;
    const double height = top + lane_height * static_cast<double>(std::max<std::size_t>(lanes.size(), 1)) + axis;
    double first = 0, last = 1;
    if (!by_start.empty()) {
        first = by_start.front().start_ms;
        last = first;
        for (const task_span& s : by_start) last = std::max(last, s.end_ms);
    }
    const double range = std::max(last - first, 1e-6);
    auto x_of = [&](double ms) { return left + (ms - first) / range * (width - left - right); };

    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"10\" y=\"22\" font-size=\"14\">" << title << "</text>\n";
    if (by_start.empty()) {
        svg << "<text x=\"" << left << "\" y=\"" << top + 20 << "\">no task was measured</text>\n</svg>\n";
        return;
    }
    // the time axis: a grid line and a label every step
    const double step = detail::tick_step(range);
    const double axis_y = top + lane_height * static_cast<double>(lanes.size());
    for (double t = 0; t <= range + step * 1e-9; t += step) {
        const double x = x_of(first + t);
        svg << "<line x1=\"" << x << "\" x2=\"" << x << "\" y1=\"" << top << "\" y2=\"" << axis_y
            << "\" stroke=\"#ddd\"/>\n<text text-anchor=\"middle\" x=\"" << x << "\" y=\"" << axis_y + 16 << "\">" << t
            << "</text>\n";
    }
    svg << "<text x=\"" << width / 2 - 60 << "\" y=\"" << axis_y + 34 << "\">time since the first start (ms)</text>\n";
    for (std::size_t lane = 0; lane < lanes.size(); ++lane) {
        const double y = top + lane_height * static_cast<double>(lane);
        svg << "<text class=\"lane\" x=\"10\" y=\"" << y + bar_height / 2 + 4 << "\">"
            << (lanes[lane] == caller ? "caller " : "worker ") << "pid " << lanes[lane] << "</text>\n";
    }
    static constexpr const char* colours[] = {"#4878cf", "#6acc65", "#d65f5f", "#b47cc7", "#c4ad66", "#77bedb"};
    for (const task_span& s : by_start) {
        const auto lane = static_cast<std::size_t>(std::find(lanes.begin(), lanes.end(), s.worker) - lanes.begin());
        const double y = top + lane_height * static_cast<double>(lane);
        const double x = x_of(s.start_ms), w = std::max(x_of(s.end_ms) - x, 1.0);
        svg << "<rect class=\"task\" data-task=\"" << s.task << "\" data-lane=\"" << lane << "\" x=\"" << x << "\" y=\""
            << y << "\" width=\"" << w << "\" height=\"" << bar_height << "\" fill=\"" << colours[s.task % 6]
            << "\" stroke=\"white\"/>\n<text text-anchor=\"middle\" x=\"" << x + w / 2 << "\" y=\""
            << y + bar_height / 2 + 4 << "\">" << s.task << "</text>\n";
    }
    svg << "</svg>\n";
}

}  // namespace parlab::lab06_demo
