#pragma once
// You do not need to modify this file.
//
// Lab 03, shared image copy: a pool of workers copies an image row by row into an output
// buffer, each worker writing only its own rows. With forked processes the output must be in
// shared memory, or the parent never sees what the children wrote. With threads it need not be.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "parlab/image.hpp"
#include "parlab/shared_memory.hpp"

namespace parlab::lab03 {

/// How the rows of an image are handed out to the workers.
enum class split_kind {
    blocks,       ///< worker w gets one contiguous block of rows (even_split)
    interleaved,  ///< worker w gets rows w, w + workers, w + 2 * workers, ...
};

/// "blocks" or "interleaved".
[[nodiscard]] std::string_view to_string(split_kind split) noexcept;

/// Where a pixel_buffer keeps its bytes.
/// Both kinds are fresh anonymous mappings, made for each buffer: their pages are zero-filled
/// by the kernel the first time they are touched, so a copy into either kind pays for new pages.
enum class memory_kind {
    private_memory,  ///< ordinary memory (MAP_PRIVATE): after fork() each process has its own copy
    shared_memory,   ///< an anonymous shared segment: forked children write into the parent's bytes
};

/// An image-shaped block of bytes that owns its memory, private or shared, chosen when it is
/// made. Rows are packed (stride == width * channels). Move-only.
class pixel_buffer {
public:
    pixel_buffer() = default;
    /// A zero-filled buffer for a width x height image with `channels` channels, in `memory`.
    /// Throws parlab::image_error for a shape parlab::check_image_shape rejects.
    pixel_buffer(int width, int height, int channels, memory_kind memory);

    [[nodiscard]] int width() const noexcept { return width_; }
    [[nodiscard]] int height() const noexcept { return height_; }
    [[nodiscard]] int channels() const noexcept { return channels_; }
    [[nodiscard]] memory_kind memory() const noexcept { return memory_; }
    [[nodiscard]] std::size_t size_bytes() const noexcept { return size_; }
    /// A writable view of the pixels (empty for a default-made buffer).
    [[nodiscard]] image_view view() const noexcept;

private:
    struct unmap_deleter {  // unmaps a private mapping of `bytes` bytes
        std::size_t bytes;  // the length of the mapping (a default-made deleter holds 0)
        void operator()(std::uint8_t* p) const noexcept;
    };
    int width_ = 0;
    int height_ = 0;
    int channels_ = 0;
    memory_kind memory_ = memory_kind::private_memory;
    std::size_t size_ = 0;
    std::unique_ptr<std::uint8_t[], unmap_deleter> private_;  // private_memory
    shared_segment shared_;                                   // shared_memory
};

/// Task 2: the rows worker `worker` (0-based) of `workers` copies, in increasing order.
/// blocks: the even_split blocks of [0, height) (the first height % workers workers get one
/// row more); interleaved: worker, worker + workers, ... Together the workers cover every row
/// exactly once. Throws std::invalid_argument when workers is 0 or worker >= workers.
[[nodiscard]] std::vector<int> rows_of_worker(int height, std::size_t workers, std::size_t worker,
                                              split_kind split);

/// Task 1: a copy of `source` made by `workers` forked processes, each copying the rows
/// rows_of_worker gives it. The result is byte-identical to the source and is read by the
/// parent after every worker has ended. Throws std::invalid_argument when workers is 0 and
/// parlab::process_error when a worker fails.
[[nodiscard]] pixel_buffer copy_with_processes(const_image_view source, std::size_t workers,
                                               split_kind split);

/// Task 3: the same copy made by `workers` threads of this process.
/// Throws std::invalid_argument when workers is 0.
[[nodiscard]] pixel_buffer copy_with_threads(const_image_view source, std::size_t workers,
                                             split_kind split);

/// Median wall times in seconds of `repetitions` runs of each way to copy one image.
struct copy_timing {
    double memcpy_seconds = 0;     ///< one std::memcpy of the whole image into a new private
                                   ///< pixel_buffer (fresh pages, like the other two results)
    double processes_seconds = 0;  ///< copy_with_processes, starting the workers included
    double threads_seconds = 0;    ///< copy_with_threads, starting the workers included
};

/// Task 4: times the three copies of `source` (after one untimed warm-up run of each).
/// Every time is positive. Throws std::invalid_argument when workers or repetitions is 0.
[[nodiscard]] copy_timing time_copies(const_image_view source, std::size_t workers,
                                      split_kind split, std::size_t repetitions);

}  // namespace parlab::lab03
