// The grader's verifiers for lab 04: the student's filter compared byte for byte with the
// reference on seeded images and a photo, the named filters, where the output lock is held, and
// the results of timed runs.

#include <fmt/format.h>

#include <set>
#include <string>

#include "answers.hpp"
#include "inputs.hpp"
#include "lab_api.hpp"
#include "raw_image.hpp"
#include "reference.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;
namespace lab04_checks {  // the lab's own names: the verifiers compile in batches (grader/program.cmake)
namespace {

fs::path photo(const grading_context& context) { return context.root / "images" / "coffee.png"; }

probe_call photo_call(const check_spec&, const grading_context& context) {
    // a copy in the run folder, which the sandbox user can read wherever the kit is
    const fs::path copy = context.run_dir / "photo.png";
    fs::copy_file(photo(context), copy, fs::copy_options::overwrite_existing);
    fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    return probe_call{{"--photo=" + copy.string()}};
}

probe_verdict filtered(const lab04::filtered_answer& answer, const verify_context& context, const std::string& kind) {
    const reference::filter f{seeded_kernel(context.seed), std::nullopt};
    const auto cases = seeded_image_cases(context.seed);
    std::vector<image> expected;
    for (const auto& c : cases) expected.push_back(reference::apply_filter(c.picture.view(), f));
    expected.push_back(reference::apply_filter(load_image(photo(context)).view(), f));
    if (kind != "filter-row") return compare_images(answer.files, expected, context, "edge-filter-" + kind, "the output stayed blank");

    // filter-row: then the seeded images again with the order kernel, which pins the order of the sum
    const std::size_t custom = expected.size();
    if (answer.files.size() != custom + cases.size()) return failed("the probe returned the wrong number of images");
    probe_verdict verdict = compare_images({answer.files.begin(), answer.files.begin() + static_cast<std::ptrdiff_t>(custom)},
                                           expected, context, "edge-filter-" + kind, "the output stayed blank");
    if (!verdict.passed) return verdict;
    const reference::kernel k = order_kernel(context.seed);
    const reference::filter order{k, std::nullopt};
    expected.clear();
    for (const auto& c : cases) expected.push_back(reference::apply_filter(c.picture.view(), order));
    verdict = compare_images({answer.files.begin() + static_cast<std::ptrdiff_t>(custom), answer.files.end()}, expected,
                             context, "edge-filter-order", "the output stayed blank");
    if (verdict.passed)
        return passed(fmt::format("all {} images byte-identical, with a kernel in sixteenths and one in tenths",
                                  answer.files.size()));
    verdict.message = fmt::format("with the kernel [{:g} {:g} {:g} / {:g} {:g} {:g} / {:g} {:g} {:g}] (tenths, which "
                                  "doubles round: the order of the nine products decides some bytes; add them left to "
                                  "right, row by row, as filter.hpp says), {}",
                                  k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], k[8], verdict.message);
    verdict.fraction = static_cast<double>(custom) / static_cast<double>(answer.files.size());
    return verdict;
}

probe_verdict named(const check_spec&, const lab04::named_answer& answer, const verify_context& context) {
    const image picture = seeded_image(context.seed, 23, 19, 3);
    // The skeleton's filter.cpp gives these three as examples: they must stay right, but earn
    // nothing (the points are for the filters task 2 adds).
    const std::set<std::string> given{"identity", "box", "diagonal"};
    int right = 0, total = 0;
    std::string first;
    for (const auto& [name, f] : reference::named_filters()) {
        const bool is_given = given.count(name) != 0;
        if (!is_given) ++total;
        const std::string& file = answer.filters.at(name);
        std::string problem;
        if (file.empty()) {
            problem = fmt::format("named_filter(\"{}\") knows no such filter", name);
        } else {
            const image got = read_raw(context.run_dir / file);
            const std::string difference = first_difference(reference::apply_filter(picture.view(), f).view(), got.view());
            if (!difference.empty()) problem = fmt::format("filter '{}': {}", name, difference);
        }
        if (problem.empty()) {
            if (!is_given) ++right;
            continue;
        }
        if (is_given) ++total;  // a given filter broken counts against the check
        if (first.empty()) first = problem;
    }
    if (right == total) return passed(fmt::format("all {} named filters right", reference::named_filters().size()));
    return failed(fmt::format("{} of {} named filters right; {}", right, total, first), static_cast<double>(right) / total);
}

probe_verdict lock(const check_spec&, const lab04::lock_answer& a, const verify_context&) {
    if (a.under_lock > 0)
        return failed(fmt::format("{} of {} rows were computed while holding the output lock, so the workers "
                                  "ran one at a time: compute first, then lock only to publish (or not at all)",
                                  a.under_lock, a.rows + a.small_rows));
    if (a.outside > 0)
        return failed(fmt::format("with {} workers for an image of {} rows, compute_row was called {} time(s) for a row "
                                  "outside the image (row {}): a worker's share of rows runs past the last row; give "
                                  "each worker only rows that exist (parlab::even_split does)",
                                  a.small_workers, a.small_rows, a.outside, a.outside_row));
    if (a.wrong_bytes > 0 && a.missing == 0 && a.repeated == 0)
        return failed(fmt::format("{} bytes of the output are not what the row function wrote for their row: do workers "
                                  "that compute at the same time share one scratch row? Each needs its own (or none: "
                                  "compute straight into the output row)",
                                  a.wrong_bytes));
    if (a.missing > 0 || a.repeated > 0 || a.wrong_bytes > 0)
        return failed(fmt::format("rows missing: {}, computed more than once: {}, bytes wrong: {}", a.missing, a.repeated,
                                  a.wrong_bytes));
    return passed("every row computed once, none while holding the lock");
}

// Timed runs answer a digest of the filtered nonce image (--filter, default sobel-x).
timing_verifier timed_filter() {
    timing_verifier v;
    v.expected = [](const std::map<std::string, std::string>& options, std::uint64_t seed, std::uint64_t nonce) {
        const auto filter = options.find("filter");
        const auto passes = options.find("passes");
        const auto& named = reference::named_filters().at(filter == options.end() ? "sobel-x" : filter->second);
        image picture = timing_image(seed, nonce);
        for (long pass = 0, n = passes == options.end() ? 1 : std::stol(passes->second); pass < n; ++pass)
            picture = reference::apply_filter(picture.view(), named);
        return digest_bytes(picture.bytes());
    };
    return v;
}

}  // namespace

void register_verifiers(lab_verifiers& lab) {
    for (const std::string kind : {"filter-row", "threads", "processes"}) {
        probe_verifier v = typed_verifier<lab04::filtered_answer>(
            [kind](const check_spec&, const lab04::filtered_answer& answer, const verify_context& context) {
                return filtered(answer, context, kind);
            });
        v.make_call = photo_call;
        lab.probes[kind] = std::move(v);
    }
    lab.probes["named"] = typed_verifier<lab04::named_answer>(named);
    lab.probes["lock"] = typed_verifier<lab04::lock_answer>(lock);
    lab.timing["threads"] = timed_filter();
}

}  // namespace lab04_checks
}  // namespace parlab::grader
