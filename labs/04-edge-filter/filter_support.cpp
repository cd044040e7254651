// You do not need to modify this file.
// Lab 04 support (frozen): filter names, kernel parsing and checks, the output lock, and the
// filter program's command line.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "filter.hpp"
#include "parlab/workers.hpp"

namespace parlab::lab04 {

namespace {

constexpr std::array<std::string_view, 11> names = {
    "identity", "box",       "sharpen",     "diagonal",    "sobel-x", "sobel-y",
    "prewitt-x", "prewitt-y", "laplacian-4", "laplacian-8", "sobel"};

std::string_view trim(std::string_view text) {
    const auto is_space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string known_names() {
    std::string list;
    for (const std::string_view name : names) {
        if (!list.empty()) list += ", ";
        list += name;
    }
    return list;
}

void check_kernel(const kernel& k, const char* which) {
    for (std::size_t i = 0; i < k.size(); ++i) {
        if (!std::isfinite(k[i]) || std::fabs(k[i]) > max_weight) {
            std::ostringstream text;
            text << "filter weight " << which << "[" << i << "] = " << k[i]
                 << ": every weight must be a finite number of magnitude at most " << max_weight;
            throw std::invalid_argument(text.str());
        }
    }
}

}  // namespace

std::span<const std::string_view> filter_names() noexcept { return names; }

void check_filter(const filter_spec& f) {
    check_kernel(f.k, "k");
    if (f.k2) check_kernel(*f.k2, "k2");
}

filter_spec parse_filter(std::string_view text) {
    const std::string quoted = "kernel '" + std::string(text) + "'";
    const std::string_view body = trim(text);
    if (body.empty())
        throw std::invalid_argument(quoted + ": expected a name (" + known_names() +
                                    ") or nine numbers separated by commas");
    const bool numeric = body.find(',') != std::string_view::npos ||
                         std::string_view("0123456789+-.").find(body.front()) != std::string_view::npos;
    if (!numeric) {
        if (std::optional<filter_spec> named = named_filter(body)) return *named;
        throw std::invalid_argument(quoted + ": unknown name; expected one of " + known_names() +
                                    ", or nine numbers separated by commas");
    }
    std::vector<std::string_view> words;
    for (std::size_t start = 0;;) {
        const std::size_t comma = body.find(',', start);
        words.push_back(trim(body.substr(start, comma == std::string_view::npos ? comma : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (words.size() != 9)
        throw std::invalid_argument(quoted + ": expected nine numbers separated by commas, got " +
                                    std::to_string(words.size()));
    filter_spec f;
    for (std::size_t i = 0; i < 9; ++i) {
        std::string_view word = words[i];
        if (!word.empty() && word.front() == '+') word.remove_prefix(1);
        double value = 0;
        const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
        if (word.empty() || error != std::errc() || end != word.data() + word.size())
            throw std::invalid_argument(quoted + ": '" + std::string(words[i]) + "' (number " +
                                        std::to_string(i + 1) + ") is not a number");
        f.k[i] = value;
    }
    try {
        check_filter(f);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(quoted + ": " + e.what());
    }
    return f;
}

void check_same_shape(const_image_view source, const_image_view target) {
    if (source.width != target.width || source.height != target.height ||
        source.channels != target.channels) {
        std::ostringstream text;
        text << "the target is " << target.width << "x" << target.height << " with "
             << target.channels << " channel(s) but the source is " << source.width << "x"
             << source.height << " with " << source.channels;
        throw std::invalid_argument(text.str());
    }
}

void output_lock::lock() {
    mutex_.lock();
    holder_.store(::gettid());
    acquisitions_.fetch_add(1);
}

bool output_lock::try_lock() {
    if (!mutex_.try_lock()) return false;
    holder_.store(::gettid());
    acquisitions_.fetch_add(1);
    return true;
}

void output_lock::unlock() {
    holder_.store(0);
    mutex_.unlock();
}

bool output_lock::held_by_caller() const noexcept { return holder_.load() == ::gettid(); }

std::size_t output_lock::acquisitions() const noexcept { return acquisitions_.load(); }

int run_filter_cli(std::span<const std::string> args, std::ostream& err) {
    constexpr const char* usage = "usage: filter INPUT OUTPUT --kernel NAME|k1,...,k9 [--workers N]";
    const auto usage_error = [&](const std::string& message) {
        err << "filter: " << message << " (" << usage << ")\n";
        return 2;
    };
    std::vector<std::string> paths;
    std::optional<std::string> kernel_text;
    std::optional<std::string> workers_text;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            err << usage << "\nkernels: " << known_names() << ", or nine numbers row by row\n";
            return 0;
        }
        if (arg == "--kernel" || arg == "--workers") {
            if (i + 1 == args.size()) return usage_error(arg + " needs a value");
            (arg == "--kernel" ? kernel_text : workers_text) = args[++i];
        } else if (arg.size() > 1 && arg[0] == '-') {
            return usage_error("unknown option '" + arg + "'");
        } else {
            paths.push_back(arg);
        }
    }
    if (paths.size() != 2)
        return usage_error("expected an INPUT and an OUTPUT file, got " + std::to_string(paths.size()) +
                           " file argument(s)");
    if (!kernel_text) return usage_error("--kernel is required");

    filter_spec f;
    std::size_t workers = 0;
    try {
        f = parse_filter(*kernel_text);
        workers = workers_text ? parse_positive(*workers_text, "--workers") : default_workers();
    } catch (const std::invalid_argument& e) {
        return usage_error(e.what());
    }
    std::string extension = std::filesystem::path(paths[1]).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (extension != ".png" && extension != ".jpg" && extension != ".jpeg" && extension != ".bmp")
        return usage_error("output '" + paths[1] + "': the extension must be .png, .jpg, .jpeg or .bmp");

    try {
        const image source = load_image(paths[0]);
        image result(source.width(), source.height(), source.channels());
        filter_threads(source.view(), result.view(), f, workers);
        save_image(paths[1], result.view());
        return 0;
    } catch (const image_error& e) {
        err << "filter: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        err << "filter: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace parlab::lab04
