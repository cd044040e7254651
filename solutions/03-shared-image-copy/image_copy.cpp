// Lab 03: model solution. Each "Solution (task N)" comment explains the idea of that task.

#include "image_copy.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "parlab/process.hpp"
#include "parlab/split.hpp"
#include "parlab/timing.hpp"

namespace parlab::lab03 {

namespace {

void check_workers(std::size_t workers, const char* what) {
    if (workers == 0) throw std::invalid_argument(std::string(what) + ": workers must be at least 1");
}

// Copies the given rows of source into the same rows of target, one memcpy per row.
void copy_rows(const_image_view source, image_view target, const std::vector<int>& rows) {
    for (const int y : rows) std::memcpy(target.row(y).data(), source.row(y).data(), source.row_bytes());
}

}  // namespace

std::vector<int> rows_of_worker(int height, std::size_t workers, std::size_t worker, split_kind split) {
    check_workers(workers, "rows_of_worker");
    if (worker >= workers)
        throw std::invalid_argument("rows_of_worker: worker " + std::to_string(worker) +
                                    " does not exist among " + std::to_string(workers) + " workers");
    const auto rows = static_cast<std::size_t>(std::max(height, 0));
    std::vector<int> mine;
    // Solution (task 2): a block is one contiguous run of rows; interleaving deals rows out like
    // cards. Both cover every row exactly once.
    if (split == split_kind::blocks) {
        const block part = even_split(rows, workers)[worker];
        for (std::size_t y = part.first; y < part.last; ++y) mine.push_back(static_cast<int>(y));
    } else {
        for (std::size_t y = worker; y < rows; y += workers) mine.push_back(static_cast<int>(y));
    }
    return mine;
}

pixel_buffer copy_with_processes(const_image_view source, std::size_t workers, split_kind split) {
    check_workers(workers, "copy_with_processes");
    // Solution (task 1): the output is mapped shared *before* the fork, so every child writes
    // into the very bytes the parent reads afterwards. In private memory each child would
    // write into its own copy-on-write copy, which vanishes when the child ends.
    pixel_buffer result(source.width, source.height, source.channels, memory_kind::shared_memory);
    const image_view target = result.view();
    std::vector<process> children;
    for (std::size_t worker = 0; worker < workers && worker < static_cast<std::size_t>(source.height);
         ++worker) {
        // The child works out its own rows: the parent only forks.
        children.push_back(process::start([source, target, workers, worker, split] {
            copy_rows(source, target, rows_of_worker(source.height, workers, worker, split));
        }));
    }
    // Every child is joined before the first failure is reported, so none is left running.
    join_all(children);
    return result;
}

pixel_buffer copy_with_threads(const_image_view source, std::size_t workers, split_kind split) {
    check_workers(workers, "copy_with_threads");
    // Solution (task 3): threads share the whole address space, so ordinary memory is seen by
    // all of them; no shared segment is needed. join() makes their writes visible to us.
    pixel_buffer result(source.width, source.height, source.channels, memory_kind::private_memory);
    const image_view target = result.view();
    std::vector<std::jthread> threads;
    for (std::size_t worker = 0; worker < workers && worker < static_cast<std::size_t>(source.height);
         ++worker) {
        std::vector<int> rows = rows_of_worker(source.height, workers, worker, split);
        threads.emplace_back([source, target, rows = std::move(rows)] { copy_rows(source, target, rows); });
    }
    threads.clear();  // joins
    return result;
}

copy_timing time_copies(const_image_view source, std::size_t workers, split_kind split,
                        std::size_t repetitions) {
    check_workers(workers, "time_copies");
    if (repetitions == 0) throw std::invalid_argument("time_copies: repetitions must be at least 1");
    // Solution (task 4): every contender allocates its output and copies into it. Each
    // pixel_buffer is a new mapping, so all three write into fresh pages and pay the kernel's
    // page faults (the process copy's shared pages a little more); the parallel ones also pay
    // for starting their workers. A byte of each result goes to a volatile sink so the compiler
    // cannot drop a copy nobody reads.
    volatile std::uint8_t sink = 0;
    auto keep = [&sink](const pixel_buffer& copy) { sink = copy.view().data[copy.size_bytes() - 1]; };
    copy_timing timing;
    timing.memcpy_seconds = time_repeated(
        [&] {
            pixel_buffer copy(source.width, source.height, source.channels, memory_kind::private_memory);
            const image_view target = copy.view();
            if (source.stride == source.row_bytes()) {
                std::memcpy(target.data, source.data, copy.size_bytes());
            } else {
                for (int y = 0; y < source.height; ++y)
                    std::memcpy(target.row(y).data(), source.row(y).data(), source.row_bytes());
            }
            keep(copy);
        },
        repetitions).median;
    timing.processes_seconds =
        time_repeated([&] { keep(copy_with_processes(source, workers, split)); }, repetitions).median;
    timing.threads_seconds =
        time_repeated([&] { keep(copy_with_threads(source, workers, split)); }, repetitions).median;
    return timing;
}

}  // namespace parlab::lab03
