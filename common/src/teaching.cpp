#include "parlab/teaching.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "parlab/workers.hpp"

namespace parlab::teaching {
namespace {

// A smaller copy, `factor` times narrower and lower (each output pixel the mean of a block).
image shrink(const_image_view v, int factor) {
    if (factor <= 1) return image(v);
    image small(std::max(1, v.width / factor), std::max(1, v.height / factor), v.channels);
    for (int y = 0; y < small.height(); ++y)
        for (int x = 0; x < small.width(); ++x)
            for (int c = 0; c < v.channels; ++c) {
                int sum = 0;
                for (int dy = 0; dy < factor; ++dy)
                    for (int dx = 0; dx < factor; ++dx) sum += v.at(x * factor + dx, y * factor + dy, c);
                small.at(x, y, c) = static_cast<std::uint8_t>(sum / (factor * factor));
            }
    return small;
}

}  // namespace

std::string problem_text(limited_end end, const std::string& message) {
    switch (end) {
        case limited_end::returned: return "";
        case limited_end::threw: return "not done yet: " + message;
        case limited_end::timed_out: return "stopped: still running when its time budget ran out (a deadlock?)";
        case limited_end::crashed: break;
    }
    return "crashed: " + message;
}

image side_by_side(std::span<const const_image_view> panels, int max_panel_width) {
    constexpr int gap = 12;
    std::vector<image> small;
    int width = gap, height = 0;
    for (const const_image_view& p : panels) {
        small.push_back(shrink(p, (p.width + max_panel_width - 1) / max_panel_width));
        width += small.back().width() + gap;
        height = std::max(height, small.back().height());
    }
    image out(width, height + 2 * gap, 3);
    std::fill(out.bytes().begin(), out.bytes().end(), std::uint8_t{255});
    int left = gap;
    for (const image& p : small) {
        for (int y = 0; y < p.height(); ++y)
            for (int x = 0; x < p.width(); ++x)
                for (int c = 0; c < 3; ++c) out.at(left + x, gap + y, c) = p.at(x, y, p.channels() >= 3 ? c : 0);
        left += p.width() + gap;
    }
    return out;
}

bool arguments::next() {
    if (++index_ >= argc_) return false;
    if (is("--help") || is("-h")) throw help_requested{};
    return true;
}

bool arguments::positional() const {
    const std::string arg = current();
    return !arg.empty() && arg[0] != '-';
}

std::string arguments::value() {
    if (index_ + 1 >= argc_) throw std::invalid_argument(current() + " needs a value");
    return argv_[++index_];
}

std::size_t arguments::positive_value(std::size_t most) {
    const std::string option = current();
    return parse_positive(value(), option, most);
}

void arguments::unknown() const {
    throw std::invalid_argument("unknown option '" + current() + "' (--help lists them)");
}

timed_demo_options timed_demo_options::parse(int argc, char** argv, timed_demo_options defaults) {
    timed_demo_options o = std::move(defaults);
    for (arguments args(argc, argv); args.next();) {
        if (args.is("--out")) o.out = args.value();
        else if (args.is("--repetitions")) o.repetitions = args.positive_value();
        else args.unknown();
    }
    return o;
}

std::string timed_demo_options::usage(std::string_view program, std::string_view files) const {
    return "usage: " + std::string(program) + " [--out DIR] [--repetitions R]\n" +
           "  --out DIR          folder for " + std::string(files) + " (default: " + out.string() + ")\n" +
           "  --repetitions R    timed runs per figure, after one untimed run (default " +
           std::to_string(repetitions) + ")\n";
}

output_file::output_file(std::filesystem::path path) : path_(std::move(path)) {
    if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
    stream_.open(path_);
}

void output_file::close() {
    stream_.close();
    if (!stream_) throw std::runtime_error("cannot write " + path_.string());
}

std::size_t workers_or_default(std::size_t given) {
    if (given > 256) throw std::invalid_argument("--workers: at most 256");
    return given == 0 ? default_workers() : given;
}

bool bench_options::read(arguments& args) {
    if (args.is("--max-workers")) max_workers = args.positive_value();
    else if (args.is("--repetitions")) repetitions = args.positive_value();
    else return false;
    return true;
}

bench_options bench_options::parse(int argc, char** argv) {
    bench_options o;
    for (arguments args(argc, argv); args.next();)
        if (!o.read(args)) args.unknown();
    return o;
}

std::string bench_usage_text(std::string_view program, bench_usage usage) {
    return "usage: " + std::string(program) + " [--max-workers N] [--repetitions R]\n" +
           "  --max-workers N    " + std::string(usage.max_workers) + "\n" +
           "  --repetitions R    timed runs per figure (default " + std::to_string(usage.repetitions) + ")\n";
}

std::vector<std::size_t> doubling_counts(std::size_t max_workers) {
    std::vector<std::size_t> counts;
    for (std::size_t w = 1; w <= max_workers; w *= 2) counts.push_back(w);
    return counts;
}

}  // namespace parlab::teaching
