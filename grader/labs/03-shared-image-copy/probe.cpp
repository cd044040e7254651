// The grader's probe for lab 03: the student's copies of images drawn from the seed, written as
// raw files for the grader to compare; the rows each worker is given; and the student's timings.

#include <stdexcept>

#include "answers.hpp"
#include "image_copy.hpp"
#include "seeded.hpp"
#include "probe.hpp"
#include "raw_image.hpp"

namespace {

namespace lab03 = parlab::lab03;
namespace answers = parlab::grader::lab03;
using parlab::probe::arguments;

template <class Copy>
nlohmann::json copies(const arguments& args, const std::string& prefix, Copy copy) {
    answers::copies_answer answer;
    std::size_t i = 0;
    for (const auto& c : parlab::grader::seeded_image_cases(args.number("seed"))) {
        const auto split = i % 2 == 0 ? lab03::split_kind::blocks : lab03::split_kind::interleaved;
        const lab03::pixel_buffer out = copy(c.picture.view(), c.workers, split);
        const std::string file = prefix + "-" + std::to_string(i++) + ".raw";
        if (out.view().data == nullptr) throw std::runtime_error("the copy returned an empty buffer");
        parlab::grader::write_raw(file, out.view());
        answer.cases.push_back({file, c.workers, std::string(lab03::to_string(split)),
                                out.memory() == lab03::memory_kind::shared_memory});
    }
    return answer;
}

}  // namespace

int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["processes"] = [](const arguments& a) { return copies(a, "copy-processes", lab03::copy_with_processes); };
    table.checks["threads"] = [](const arguments& a) { return copies(a, "copy-threads", lab03::copy_with_threads); };
    table.checks["rows"] = [](const arguments& a) {
        parlab::grader::seeded_numbers numbers(parlab::grader::derive_seed(a.number("seed"), 8));
        answers::rows_answer answer;
        for (int height : {1, 2, 7, 100, static_cast<int>(numbers.between(3, 1000))})
            for (std::size_t workers : {1u, 2u, 3u, 8u})
                for (auto split : {lab03::split_kind::blocks, lab03::split_kind::interleaved}) {
                    answers::rows_case c{height, static_cast<int>(workers), std::string(lab03::to_string(split)), {}};
                    for (std::size_t w = 0; w < workers; ++w) c.rows.push_back(lab03::rows_of_worker(height, workers, w, split));
                    answer.cases.push_back(std::move(c));
                }
        return nlohmann::json(answer);
    };
    table.checks["time-copies"] = [](const arguments& a) {
        // The student's own timing of a hidden image; the grader holds the times against the
        // wall clock it measured around this whole run and against what a copy can cost.
        parlab::grader::seeded_numbers numbers(parlab::grader::derive_seed(a.number("seed"), 12));
        const auto picture = parlab::grader::seeded_image(numbers.next(), static_cast<int>(numbers.between(300, 600)),
                                                          static_cast<int>(numbers.between(200, 400)), 3);
        answers::time_copies_answer answer;
        answer.bytes = picture.size_bytes();
        answer.repetitions = 3;
        for (auto split : {lab03::split_kind::blocks, lab03::split_kind::interleaved}) {
            const auto t = lab03::time_copies(picture.view(), 2, split, answer.repetitions);
            answer.cases.push_back({std::string(lab03::to_string(split)), t.memcpy_seconds, t.processes_seconds,
                                    t.threads_seconds});
        }
        const auto refuses = [&](std::size_t workers, std::size_t repetitions) {
            try {
                (void)lab03::time_copies(picture.view(), workers, lab03::split_kind::blocks, repetitions);
            } catch (const std::invalid_argument&) {
                return true;
            }
            return false;
        };
        answer.refuses_zero_workers = refuses(0, 1);
        answer.refuses_zero_repetitions = refuses(1, 0);
        return nlohmann::json(answer);
    };
    return parlab::probe::run(argc, argv, table);
}
