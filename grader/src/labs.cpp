#include "labs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "inputs.hpp"
#include "raw_image.hpp"
#include "reference.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace {

check_result verdict(bool passed, std::string message, double fraction = -1) {
    check_result r;
    r.status = passed ? check_status::passed : check_status::failed;
    r.score = fraction >= 0 ? fraction : (passed ? 1.0 : 0.0);  // run_check scales it by the points
    r.message = std::move(message);
    return r;
}

std::string with_commas(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

// ----------------------------------------------------------------------------------------------
// Lab 01: the final balances of runs drawn from the seed.

void add_lab01(std::map<std::string, probe_verifier>& verifiers) {
    for (const char* name : {"mutex-threads", "atomic-threads", "locked-processes", "atomic-processes"}) {
        probe_verifier v;
        v.make_call = [](const check_spec& spec, const grading_context&) {
            return probe_call{{fmt::format("--runs={}", spec.params.value("runs", 5))}};
        };
        v.verify = [](const check_spec& spec, const nlohmann::json& answer, const grading_context& context) {
            const auto runs = seeded_balance_runs(context.seed, spec.params.value("runs", 5));
            const auto& results = answer.at("results");
            if (results.size() != runs.size()) return verdict(false, "the probe returned the wrong number of results");
            int wrong = 0;
            std::string first;
            for (std::size_t i = 0; i < runs.size(); ++i) {
                const long got = results[i].get<long>();
                if (got == runs[i].expected()) continue;
                if (wrong++ == 0)
                    first = fmt::format("final balance {} instead of {} ({} deposits, {} withdrawals from {})", got,
                                        runs[i].expected(), runs[i].deposits, runs[i].withdrawals, runs[i].initial);
            }
            if (wrong == 0) return verdict(true, fmt::format("the right balance in all {} runs", runs.size()));
            return verdict(false, fmt::format("{}; wrong in {} of {} runs: updates were lost", first, wrong, runs.size()));
        };
        verifiers[std::string("race-condition/") + name] = v;
    }
}

// ----------------------------------------------------------------------------------------------
// Lab 02: the dot product against the compensated serial sum, and where the lock was taken.

std::optional<std::string> dot_error(const nlohmann::json& answer, const dot_input& in) {
    const double expected = reference::dot(in.x, in.y);
    const double got = answer.at("value").get<double>();
    const double relative = std::abs(got - expected) / std::abs(expected);
    if (std::isfinite(got) && relative <= 1e-9) return std::nullopt;
    return fmt::format("the dot product is {:.10g}, the reference {:.10g} (relative error {:.2g}, allowed 1e-9): "
                       "some additions were lost",
                       got, expected, relative);
}

void add_lab02(std::map<std::string, probe_verifier>& verifiers) {
    probe_verifier per_element;
    per_element.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
        const auto in = seeded_dot_input(context.seed);
        if (auto error = dot_error(answer, in)) return verdict(false, *error);
        const auto taken = answer.at("acquisitions").get<std::uint64_t>();
        if (taken != in.x.size())
            return verdict(false, fmt::format("the lock was taken {} times; version 2 takes it around every element's "
                                              "update ({} elements, so {} times)",
                                              with_commas(taken), with_commas(in.x.size()), with_commas(in.x.size())));
        return verdict(true, fmt::format("right, with the lock taken {} times", with_commas(taken)));
    };
    verifiers["lock-placement/lock-per-element"] = per_element;

    probe_verifier per_chunk;
    per_chunk.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
        const auto in = seeded_dot_input(context.seed);
        if (auto error = dot_error(answer, in)) return verdict(false, *error);
        const auto taken = answer.at("acquisitions").get<std::uint64_t>();
        const std::size_t non_empty = std::min(in.chunks, in.x.size());
        if (taken < non_empty || taken > in.chunks)
            return verdict(false, fmt::format("the lock was taken {} times; task 2 asks for one acquisition per chunk ({})",
                                              with_commas(taken), in.chunks));
        return verdict(true, fmt::format("right, with one lock acquisition per chunk ({})", taken));
    };
    verifiers["lock-placement/lock-per-chunk"] = per_chunk;

    probe_verifier atomic;
    atomic.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
        if (auto error = dot_error(answer, seeded_dot_input(context.seed))) return verdict(false, *error);
        return verdict(true, "right");
    };
    verifiers["lock-placement/atomic-per-chunk"] = atomic;

    for (const bool padded : {false, true}) {
        probe_verifier v;
        v.verify = [padded](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
            const auto in = seeded_dot_input(context.seed);
            if (auto error = dot_error(answer, in)) return verdict(false, *error);
            auto slots = answer.at("slots").get<std::vector<std::uintptr_t>>();
            if (slots.size() != in.workers)
                return verdict(false, fmt::format("{} slots reported for a pool of {} workers", slots.size(), in.workers));
            std::sort(slots.begin(), slots.end());
            std::set<std::uintptr_t> lines;
            for (auto s : slots) lines.insert(s / 64);
            if (padded && lines.size() != slots.size())
                return verdict(false, "two workers' slots share a 64-byte cache line: pad each slot to a line of its own");
            if (!padded)
                for (std::size_t i = 1; i < slots.size(); ++i)
                    if (slots[i] - slots[i - 1] != sizeof(double))
                        return verdict(false, "the slots are not adjacent doubles (task 4a shows false sharing with them)");
            return verdict(true, padded ? "right, one cache line per slot" : "right, with adjacent slots");
        };
        verifiers[padded ? "lock-placement/per-worker-padded" : "lock-placement/per-worker-adjacent"] = v;
    }

    probe_verifier sweep;
    sweep.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
        std::size_t checked = 0;
        for (const auto& c : answer.at("cases")) {
            const auto n = c.at("n").get<std::size_t>();
            const auto workers = c.at("workers").get<std::size_t>();
            const bool padded = c.at("padded").get<bool>();
            const std::string where = fmt::format("{} slots, {} elements, {} workers", padded ? "padded" : "adjacent",
                                                  with_commas(n), workers);
            const auto x = seeded_doubles(derive_seed(context.seed, 20 + n), n);
            const auto y = seeded_doubles(derive_seed(context.seed, 40 + n), n);
            const double expected = reference::dot(x, y), got = c.at("value").get<double>();
            const bool right = n == 0 ? got == 0.0 : std::abs(got - expected) <= 1e-9 * std::abs(expected);
            if (!right) return verdict(false, fmt::format("{}: the dot product is {:.10g}, the reference {:.10g}", where, got, expected));
            auto slots = c.at("slots").get<std::vector<std::uintptr_t>>();
            if (slots.size() != workers)
                return verdict(false, fmt::format("{}: {} slots reported, one per worker expected", where, slots.size()));
            std::sort(slots.begin(), slots.end());
            std::set<std::uintptr_t> lines;
            for (auto slot : slots) lines.insert(slot / 64);
            if (padded && lines.size() != slots.size())
                return verdict(false, fmt::format("{}: two workers' slots share a 64-byte cache line", where));
            for (std::size_t i = 1; !padded && i < slots.size(); ++i)
                if (slots[i] - slots[i - 1] != sizeof(double))
                    return verdict(false, fmt::format("{}: the slots are not adjacent doubles", where));
            ++checked;
        }
        if (checked != 4 * sweep_sizes(context.seed).size() * 2) return verdict(false, "the probe returned the wrong number of cases");
        return verdict(true, fmt::format("right in all {} cases (empty, one, odd and large inputs, 1 to 8 workers)", checked));
    };
    verifiers["lock-placement/per-worker-sweep"] = sweep;
}

// Timed runs of lab 02 answer their dot product for the nonce's vector y.
void add_lab02_timing(std::map<std::string, timing_verifier>& timing) {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>& options, std::uint64_t seed, std::uint64_t nonce) {
        const auto found = options.find("n");
        const auto n = found == options.end() ? std::size_t{1000000} : static_cast<std::size_t>(std::stoull(found->second));
        return digest_double(reference::dot(seeded_dot_input(seed, n).x, timing_doubles(seed, nonce, n)));
    };
    v.matches = [](const std::string& expected, const std::string& got) {
        char* end = nullptr;
        const double value = std::strtod(got.c_str(), &end);
        if (end == got.c_str() || *end != '\0' || !std::isfinite(value)) return false;
        const double want = std::strtod(expected.c_str(), nullptr);
        return std::abs(value - want) <= 1e-9 * std::abs(want);
    };
    timing["lock-placement/lock-per-element"] = v;
    timing["lock-placement/lock-per-chunk"] = v;
}

// ----------------------------------------------------------------------------------------------
// Labs 03 and 04: images compared byte for byte; a mismatch names the first wrong pixel and
// leaves a picture: expected | got | where they differ (red).

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

// Compares the probe's raw files with the expected images; the first mismatch decides.
check_result compare_images(const std::vector<std::string>& files, const std::vector<image>& expected,
                            const grading_context& context, const std::string& name, const std::string& blank_hint) {
    if (files.size() != expected.size()) return verdict(false, "the probe returned the wrong number of images");
    for (std::size_t i = 0; i < files.size(); ++i) {
        const image got = read_raw(context.run_dir / fs::path(files[i]).filename());
        const std::string difference = first_difference(expected[i].view(), got.view());
        if (difference.empty()) continue;
        const bool blank = std::all_of(got.bytes().begin(), got.bytes().end(), [](std::uint8_t b) { return b == 0; });
        check_result r = verdict(false, fmt::format("image {} of {} ({}): {}{}", i + 1, files.size(), describe(expected[i]),
                                                    difference, blank && !blank_hint.empty() ? "; " + blank_hint : ""));
        r.artifact = write_diff_image(expected[i], got, context, name);
        return r;
    }
    return verdict(true, fmt::format("all {} images byte-identical", files.size()));
}

// "0, 2, 4, ... (50 rows)": the first rows of a list, enough to see the pattern.
std::string row_list(const std::vector<int>& rows) {
    if (rows.empty()) return "none";
    std::string text;
    for (std::size_t i = 0; i < rows.size() && i < 5; ++i) text += (i > 0 ? ", " : "") + std::to_string(rows[i]);
    if (rows.size() > 5) text += fmt::format(", ... ({} rows)", rows.size());
    return text;
}

void add_lab03(std::map<std::string, probe_verifier>& verifiers) {
    for (const char* kind : {"processes", "threads"}) {
        probe_verifier v;
        v.verify = [kind = std::string(kind)](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
            std::vector<std::string> files;
            for (const auto& c : answer.at("cases")) files.push_back(c.at("file"));
            std::vector<image> expected;
            for (auto& c : seeded_image_cases(context.seed)) expected.push_back(std::move(c.picture));
            return compare_images(files, expected, context, "shared-image-copy-" + kind,
                                  kind == "processes" ? "the parent sees a blank image: the workers wrote into private "
                                                        "memory, which fork() copied (task 1: allocate the output in shared memory)"
                                                      : "nothing was copied");
        };
        verifiers["shared-image-copy/" + std::string(kind)] = v;
    }
    probe_verifier rows;
    rows.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context&) {
        for (const auto& c : answer.at("cases")) {
            const int height = c.at("height"), workers = c.at("workers");
            const bool interleaved = c.at("split") == "interleaved";
            for (int w = 0; w < workers; ++w) {
                const auto expected = reference::rows_of_worker(height, workers, w, interleaved);
                const auto got = c.at("rows").at(static_cast<std::size_t>(w)).get<std::vector<int>>();
                if (got != expected)
                    return verdict(false, fmt::format("{} split of {} rows over {} workers: worker {} got rows {}; expected {}",
                                                      c.at("split").get<std::string>(), height, workers, w, row_list(got),
                                                      row_list(expected)));
            }
        }
        return verdict(true, "every worker gets the right rows, for blocks and interleaved");
    };
    verifiers["shared-image-copy/rows"] = rows;

    probe_verifier times;
    times.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context&) {
        if (!answer.at("refuses_zero_workers").get<bool>() || !answer.at("refuses_zero_repetitions").get<bool>())
            return verdict(false, "time_copies must throw std::invalid_argument for 0 workers or 0 repetitions");
        // What a copy of these bytes can cost at the very least on any machine (100 GB/s).
        const double floor = answer.at("bytes").get<double>() / 100e9;
        const double wall = answer.at("wall").get<double>();
        const auto repetitions = answer.at("repetitions").get<double>();
        double medians = 0;
        for (const auto& c : answer.at("cases"))
            for (const char* kind : {"memcpy", "processes", "threads"}) {
                const double t = c.at(kind).get<double>();
                if (!std::isfinite(t) || t < floor)
                    return verdict(false, fmt::format("the {} time of the {} split is {:.3g} s: no copy of {} bytes is that fast; "
                                                      "time the copy itself, with a steady clock",
                                                      kind, c.at("split").get<std::string>(), t, answer.at("bytes").get<std::size_t>()));
                medians += t;
            }
        // Half the repetitions took at least the median: together they fit in the grader's clock.
        if (medians * std::ceil(repetitions / 2) > wall)
            return verdict(false, fmt::format("the times add up to more than the {:.3f} s the grader measured around the "
                                              "whole run: are they in seconds, and medians of single copies?",
                                              wall));
        return verdict(true, "every copy timed, within what the grader measured around the run");
    };
    verifiers["shared-image-copy/time-copies"] = times;
}

void add_lab04(std::map<std::string, probe_verifier>& verifiers) {
    const auto photo = [](const grading_context& context) { return context.root / "images" / "coffee.png"; };
    for (const char* kind : {"filter-row", "threads", "processes"}) {
        probe_verifier v;
        v.make_call = [photo](const check_spec&, const grading_context& context) {
            // a copy in the run folder, which the sandbox user can read wherever the kit is
            const fs::path copy = context.run_dir / "photo.png";
            fs::copy_file(photo(context), copy, fs::copy_options::overwrite_existing);
            fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
            return probe_call{{"--photo=" + copy.string()}};
        };
        v.verify = [photo, kind = std::string(kind)](const check_spec&, const nlohmann::json& answer,
                                                      const grading_context& context) {
            const reference::filter f{seeded_kernel(context.seed), std::nullopt};
            std::vector<image> expected;
            for (const auto& c : seeded_image_cases(context.seed)) expected.push_back(reference::apply_filter(c.picture.view(), f));
            expected.push_back(reference::apply_filter(load_image(photo(context)).view(), f));
            return compare_images(answer.at("files").get<std::vector<std::string>>(), expected, context, "edge-filter-" + kind,
                                  "the output stayed blank");
        };
        verifiers["edge-filter/" + std::string(kind)] = v;
    }
    probe_verifier named;
    named.verify = [](const check_spec&, const nlohmann::json& answer, const grading_context& context) {
        const image picture = seeded_image(context.seed, 23, 19, 3);
        int right = 0, total = 0;
        std::string first;
        for (const auto& [name, f] : reference::named_filters()) {
            ++total;
            const auto& file = answer.at("filters").at(name);
            if (file.is_null()) {
                if (first.empty()) first = fmt::format("named_filter(\"{}\") knows no such filter", name);
                continue;
            }
            const image got = read_raw(context.run_dir / file.get<std::string>());
            const std::string difference = first_difference(reference::apply_filter(picture.view(), f).view(), got.view());
            if (difference.empty()) ++right;
            else if (first.empty()) first = fmt::format("filter '{}': {}", name, difference);
        }
        if (right == total) return verdict(true, fmt::format("all {} named filters right", total));
        return verdict(false, fmt::format("{} of {} named filters right; {}", right, total, first),
                       static_cast<double>(right) / total);
    };
    verifiers["edge-filter/named"] = named;

    probe_verifier lock;
    lock.verify = [](const check_spec&, const nlohmann::json& a, const grading_context&) {
        if (a.at("under_lock").get<int>() > 0)
            return verdict(false, fmt::format("{} of {} rows were computed while holding the output lock, so the workers "
                                              "ran one at a time: compute first, then lock only to publish (or not at all)",
                                              a.at("under_lock").get<int>(), a.at("rows").get<int>()));
        if (a.at("missing").get<int>() > 0 || a.at("repeated").get<int>() > 0 || a.at("wrong_bytes").get<int>() > 0)
            return verdict(false, fmt::format("rows missing: {}, computed more than once: {}, bytes wrong: {}",
                                              a.at("missing").get<int>(), a.at("repeated").get<int>(), a.at("wrong_bytes").get<int>()));
        return verdict(true, "every row computed once, none while holding the lock");
    };
    verifiers["edge-filter/lock"] = lock;
}

// Timed runs of lab 04 answer a digest of the filtered nonce image (--filter, default sobel-x).
void add_lab04_timing(std::map<std::string, timing_verifier>& timing) {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>& options, std::uint64_t seed, std::uint64_t nonce) {
        const auto filter = options.find("filter");
        const image picture = timing_image(seed, nonce);
        return digest_bytes(
            reference::apply_filter(picture.view(),
                                    reference::named_filters().at(filter == options.end() ? "sobel-x" : filter->second))
                .bytes());
    };
    timing["edge-filter/threads"] = v;
}

}  // namespace

void register_lab_verifiers(std::map<std::string, probe_verifier>& probes, std::map<std::string, timing_verifier>& timing) {
    add_lab01(probes);
    add_lab02(probes);
    add_lab02_timing(timing);
    add_lab03(probes);
    add_lab04(probes);
    add_lab04_timing(timing);
}

}  // namespace parlab::grader
