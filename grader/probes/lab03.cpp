// The grader's probe for lab 03: the student's copies of images drawn from the seed, written as
// raw files for the grader to compare; the rows each worker is given; and the student's timings.

#include <stdexcept>

#include "image_copy.hpp"
#include "inputs.hpp"
#include "probe.hpp"
#include "raw_image.hpp"

namespace {

namespace lab03 = parlab::lab03;
using parlab::probe::arguments;

template <class Copy>
nlohmann::json copies(const arguments& args, const std::string& prefix, Copy copy) {
    nlohmann::json cases = nlohmann::json::array();
    std::size_t i = 0;
    for (const auto& c : parlab::grader::seeded_image_cases(args.number("seed"))) {
        const auto split = i % 2 == 0 ? lab03::split_kind::blocks : lab03::split_kind::interleaved;
        const lab03::pixel_buffer out = copy(c.picture.view(), c.workers, split);
        const std::string file = prefix + "-" + std::to_string(i++) + ".raw";
        if (out.view().data == nullptr) throw std::runtime_error("the copy returned an empty buffer");
        parlab::grader::write_raw(file, out.view());
        cases.push_back({{"file", file},
                         {"workers", c.workers},
                         {"split", lab03::to_string(split)},
                         {"shared", out.memory() == lab03::memory_kind::shared_memory}});
    }
    return {{"cases", cases}};
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["processes"] = [](const arguments& a) { return copies(a, "copy-processes", lab03::copy_with_processes); };
    table.checks["threads"] = [](const arguments& a) { return copies(a, "copy-threads", lab03::copy_with_threads); };
    table.checks["rows"] = [](const arguments& a) {
        parlab::grader::seeded_numbers numbers(parlab::grader::derive_seed(a.number("seed"), 8));
        nlohmann::json cases = nlohmann::json::array();
        for (int height : {1, 2, 7, 100, static_cast<int>(numbers.between(3, 1000))})
            for (std::size_t workers : {1u, 2u, 3u, 8u})
                for (auto split : {lab03::split_kind::blocks, lab03::split_kind::interleaved}) {
                    nlohmann::json rows = nlohmann::json::array();
                    for (std::size_t w = 0; w < workers; ++w) rows.push_back(lab03::rows_of_worker(height, workers, w, split));
                    cases.push_back({{"height", height}, {"workers", workers}, {"split", lab03::to_string(split)}, {"rows", rows}});
                }
        return nlohmann::json{{"cases", cases}};
    };
    table.checks["time-copies"] = [](const arguments& a) {
        // The student's own timing of a hidden image; the grader holds the times against the
        // wall clock it measured around this whole run and against what a copy can cost.
        parlab::grader::seeded_numbers numbers(parlab::grader::derive_seed(a.number("seed"), 12));
        const auto picture = parlab::grader::seeded_image(numbers.next(), static_cast<int>(numbers.between(300, 600)),
                                                          static_cast<int>(numbers.between(200, 400)), 3);
        nlohmann::json cases = nlohmann::json::array();
        for (auto split : {lab03::split_kind::blocks, lab03::split_kind::interleaved}) {
            const auto t = lab03::time_copies(picture.view(), 2, split, 3);
            cases.push_back({{"split", lab03::to_string(split)},
                             {"memcpy", t.memcpy_seconds},
                             {"processes", t.processes_seconds},
                             {"threads", t.threads_seconds}});
        }
        const auto refuses = [&](std::size_t workers, std::size_t repetitions) {
            try {
                (void)lab03::time_copies(picture.view(), workers, lab03::split_kind::blocks, repetitions);
            } catch (const std::invalid_argument&) {
                return true;
            }
            return false;
        };
        return nlohmann::json{{"bytes", picture.size_bytes()},
                              {"repetitions", 3},
                              {"cases", cases},
                              {"refuses_zero_workers", refuses(0, 1)},
                              {"refuses_zero_repetitions", refuses(1, 0)}};
    };
    return parlab::probe::run(argc, argv, table);
}
