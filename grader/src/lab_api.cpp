#include "lab_api.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "raw_image.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

probe_verdict passed(std::string message) { return {true, 1.0, std::move(message), {}}; }
probe_verdict failed(std::string message, double fraction) { return {false, fraction, std::move(message), {}}; }

const probe_verifier* lab_registry::probe(const std::string& folder, const std::string& probe) const {
    const auto l = labs_.find(folder);
    if (l == labs_.end()) return nullptr;
    const auto found = l->second.probes.find(probe);
    return found == l->second.probes.end() ? nullptr : &found->second;
}

const timing_verifier* lab_registry::timing(const std::string& folder, const std::string& probe) const {
    const auto l = labs_.find(folder);
    if (l == labs_.end()) return nullptr;
    const auto found = l->second.timing.find(probe);
    return found == l->second.timing.end() ? nullptr : &found->second;
}

const lab_registry& all_labs() {
    static const lab_registry registry = [] {
        lab_registry made;
        register_all_labs(made);
        return made;
    }();
    return registry;
}

const std::vector<param_decl>* declared_params(const std::string& folder, const std::string& probe) {
    const probe_verifier* verifier = all_labs().probe(folder, probe);
    return verifier == nullptr ? nullptr : &verifier->params;
}

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

namespace {

image as_rgb(const_image_view v) {
    image out(v.width, v.height, 3);
    for (int y = 0; y < v.height; ++y)
        for (int x = 0; x < v.width; ++x)
            for (int c = 0; c < 3; ++c) out.at(x, y, c) = v.at(x, y, v.channels == 1 ? 0 : c);
    return out;
}

std::string write_diff_image(const image& expected, const image& got, const grading_context& context, const std::string& name) {
    if (expected.width() != got.width() || expected.height() != got.height()) return {};
    const image e = as_rgb(expected.view()), g = as_rgb(got.view());
    // Small images are blown up (each pixel a square) so the picture can be looked at.
    const int scale = std::max(1, 256 / std::max(e.width(), e.height()));
    const int w = e.width() * scale, h = e.height() * scale, gap = 4;
    image sheet(3 * w + 2 * gap, h, 3);
    for (auto& b : sheet.bytes()) b = 255;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int sx = x / scale, sy = y / scale;
            bool differs = false;
            for (int c = 0; c < expected.channels(); ++c) differs |= expected.at(sx, sy, c) != got.at(sx, sy, c);
            for (int c = 0; c < 3; ++c) {
                sheet.at(x, y, c) = e.at(sx, sy, c);
                sheet.at(w + gap + x, y, c) = g.at(sx, sy, c);
                const auto faint = static_cast<std::uint8_t>(e.at(sx, sy, c) / 4 + 150);
                sheet.at(2 * (w + gap) + x, y, c) = differs ? (c == 0 ? 255 : 0) : faint;
            }
        }
    const fs::path path = context.artifacts_dir / (name + "-diff.png");
    try {
        save_image(path, sheet.view());
    } catch (const std::exception&) {
        return {};
    }
    return path.string();
}

std::string describe(const image& img) {
    return fmt::format("{}x{}, {} channel{}", img.width(), img.height(), img.channels(), img.channels() == 1 ? "" : "s");
}

}  // namespace

probe_verdict compare_images(const std::vector<std::string>& files, const std::vector<image>& expected,
                             const grading_context& context, const std::string& name, const std::string& blank_hint) {
    if (files.size() != expected.size()) return failed("the probe returned the wrong number of images");
    for (std::size_t i = 0; i < files.size(); ++i) {
        const image got = read_raw(context.run_dir / fs::path(files[i]).filename());
        const std::string difference = first_difference(expected[i].view(), got.view());
        if (difference.empty()) continue;
        const bool blank = std::all_of(got.bytes().begin(), got.bytes().end(), [](std::uint8_t b) { return b == 0; });
        probe_verdict r = failed(fmt::format("image {} of {} ({}): {}{}", i + 1, files.size(), describe(expected[i]),
                                         difference, blank && !blank_hint.empty() ? "; " + blank_hint : ""));
        r.artifact = write_diff_image(expected[i], got, context, name);
        return r;
    }
    return passed(fmt::format("all {} images byte-identical", files.size()));
}

}  // namespace parlab::grader
