// The grader's probe for lab 04: the student's filter on images drawn from the seed and on a
// photo, written as raw files for the grader to compare; where the output lock is held; and
// timed runs of the filter (the serial reference is timed in the grader's own program).

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "answers.hpp"
#include "filter.hpp"
#include "inputs.hpp"
#include "probe.hpp"
#include "raw_image.hpp"
#include "reference.hpp"

namespace {

namespace lab04 = parlab::lab04;
namespace grader = parlab::grader;
namespace answers = parlab::grader::lab04;
using parlab::probe::arguments;

lab04::filter_spec custom_filter(unsigned long long seed) { return {grader::seeded_kernel(seed), std::nullopt}; }

// The seeded images, then the photo named by --photo (if any) with 3 workers.
std::vector<grader::image_case> inputs(const arguments& args) {
    auto cases = grader::seeded_image_cases(args.number("seed"));
    if (const auto photo = args.get("photo"); !photo.empty()) cases.push_back({parlab::load_image(photo), 3});
    return cases;
}

// Every input filtered with the seeded kernel; with `order_too`, then every seeded image (not
// the photo) with the order kernel as well (inputs.hpp).
template <class Filter>
nlohmann::json filtered(const arguments& args, const std::string& prefix, Filter apply, bool order_too = false) {
    const auto seed = args.number("seed");
    answers::filtered_answer answer;
    std::size_t i = 0;
    const auto run = [&](const grader::image_case& c, const lab04::filter_spec& f) {
        parlab::image out(c.picture.width(), c.picture.height(), c.picture.channels());
        apply(c.picture.view(), out.view(), f, c.workers);
        const std::string file = prefix + "-" + std::to_string(i++) + ".raw";
        grader::write_raw(file, out.view());
        answer.files.push_back(file);
    };
    for (const auto& c : inputs(args)) run(c, custom_filter(seed));
    if (order_too)
        for (const auto& c : grader::seeded_image_cases(seed)) run(c, {grader::order_kernel(seed), std::nullopt});
    return answer;
}

void serial_rows(parlab::const_image_view source, parlab::image_view target, const lab04::filter_spec& f, std::size_t) {
    for (int y = 0; y < source.height; ++y) lab04::filter_row(source, f, y, target.row(y));
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["filter-row"] = [](const arguments& a) { return filtered(a, "filter-row", serial_rows, true); };
    table.checks["threads"] = [](const arguments& a) { return filtered(a, "filter-threads", lab04::filter_threads); };
    table.checks["processes"] = [](const arguments& a) { return filtered(a, "filter-processes", lab04::filter_processes); };
    table.checks["named"] = [](const arguments& a) {
        const auto picture = grader::seeded_image(a.number("seed"), 23, 19, 3);
        answers::named_answer answer;
        for (const auto& [name, expected] : grader::reference::named_filters()) {
            const auto f = lab04::named_filter(name);
            if (!f) {
                answer.filters[name] = "";
                continue;
            }
            parlab::image out(picture.width(), picture.height(), picture.channels());
            serial_rows(picture.view(), out.view(), *f, 1);
            const std::string file = "named-" + name + ".raw";
            grader::write_raw(file, out.view());
            answer.filters[name] = file;
        }
        return nlohmann::json(answer);
    };
    table.checks["lock"] = [](const arguments& a) {
        // Every row computed once, and never while the caller holds the output lock; then a
        // second, small run with more workers than rows, where a share rounded up runs past the
        // last row.
        answers::lock_answer answer;
        const auto seed = a.number("seed");
        const auto picture = grader::seeded_image(seed, 64, 97, 1);
        answer.rows = picture.height();
        answer.small_rows = 2 + static_cast<int>(seed % 3);
        answer.small_workers = answer.small_rows + 3;
        for (const auto& [height, workers] : {std::pair{answer.rows, 3}, std::pair{answer.small_rows, answer.small_workers}}) {
            parlab::image target(picture.width(), height, 1);
            lab04::output_lock lock;
            std::vector<std::atomic<int>> calls(static_cast<std::size_t>(height));
            std::atomic<int> under_lock{0}, finished{0}, outside{0}, outside_row{0};
            lab04::run_rows_threads(target.view(), static_cast<std::size_t>(workers), lock,
                                    [&, height](int y, std::span<std::uint8_t> row) {
                if (y < 0 || y >= height) {  // not a row of the image: touch nothing
                    if (outside.fetch_add(1) == 0) outside_row.store(y);
                    return;
                }
                if (lock.held_by_caller()) under_lock.fetch_add(1);
                calls[static_cast<std::size_t>(y)].fetch_add(1);
                std::fill(row.begin(), row.end(), static_cast<std::uint8_t>(y * 7 + 1));
                // The first row to be finished waits (at most 0.2 s) for a second one, so that
                // workers meant to compute at the same time are inside this function together in
                // every run: one scratch row shared by them is then overwritten while in use.
                if (finished.fetch_add(1) == 0) {
                    const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
                    while (finished.load() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
                }
            });
            for (int y = 0; y < height; ++y) {
                const int n = calls[static_cast<std::size_t>(y)].load();
                answer.missing += n == 0;
                answer.repeated += n > 1;
                for (auto b : target.view().row(y)) answer.wrong_bytes += b != static_cast<std::uint8_t>(y * 7 + 1);
            }
            answer.under_lock += under_lock.load();
            answer.acquisitions += lock.acquisitions();
            if (answer.outside == 0) answer.outside_row = outside_row.load();
            answer.outside += outside.load();
        }
        return nlohmann::json(answer);
    };
    table.timed["threads"] = [](const arguments& a) {
        // --filter names the filter (default sobel-x); --passes=N filters N times, each pass the
        // output of the one before. The speedup check uses the heavier "sobel" (a gradient
        // magnitude) and several passes, so that the filter outweighs making the input and its
        // digest, which one worker does alone.
        const auto workers = static_cast<std::size_t>(a.number("workers", 1));
        const auto passes = a.number("passes", 1);
        const auto seed = a.number("seed");
        const auto& named = grader::reference::named_filters().at(a.get("filter", "sobel-x"));
        const lab04::filter_spec spec{named.k, named.k2};
        // The buffers are made once: a run pays for new input, the filter and the digest only.
        auto picture = std::make_shared<parlab::image>(grader::timing_image(seed, 0));
        auto out = std::make_shared<parlab::image>(picture->width(), picture->height(), picture->channels());
        return parlab::probe::timed_body([workers, passes, seed, spec, picture, out](std::uint64_t nonce) {
            grader::fill_timing_image(*picture, seed, nonce);
            parlab::image* from = picture.get();
            parlab::image* to = out.get();
            for (std::uint64_t pass = 0; pass < passes; ++pass) {
                lab04::filter_threads(from->view(), to->view(), spec, workers);
                std::swap(from, to);
            }
            return grader::digest_bytes(from->bytes());
        });
    };
    return parlab::probe::run(argc, argv, table);
}
