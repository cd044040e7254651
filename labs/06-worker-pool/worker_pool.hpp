#pragma once
// You do not need to modify this file.
//
// Lab 06, worker pool: a batch of astronomy images (FITS files), each high-pass filtered by
// subtracting a median-filtered copy, handed out to a pool of forked worker processes.
//
// The median filter, exactly (it is scipy.ndimage.median_filter(frame, size) with its defaults,
// and since it only selects values, results are compared bit for bit):
//   * the window of output pixel (y, x) holds the size x size input pixels (y + dy, x + dx) for
//     dy, dx in [-(size / 2), size - 1 - size / 2] (integer division): an odd size is centred,
//     an even size reaches one pixel further up and left than down and right, as in SciPy;
//   * border "reflect": a coordinate outside [0, n) is mirrored about the edge with the edge
//     pixel repeated (... c b a | a b c ... x y z | z y x ...); when the window is larger than the
//     image the mirroring repeats with period 2n (reflect_index below; for n = 1 every coordinate
//     reads pixel 0);
//   * the median is the element of rank size * size / 2 (counting from 0) of the window's
//     size * size values sorted ascending (for an even count, the upper of the two middle ones);
//   * high-pass = frame - median, pixel by pixel, rounded to the image's pixel type.
// An image keeps the precision of its file: a BITPIX -64 FITS image is computed and written in
// 64-bit floats, any other (-32, or integers) in 32-bit floats, as SciPy computes on an array of
// that dtype. Pixels must be finite.
//
// The pool (tasks 1 to 3): N worker processes forked once, task indices handed out through one
// pipe per worker, results (a double per task, or the message of a failure) coming back through
// one pipe per worker. Big results, such as filtered images, go into files, as in the batch.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "parlab/pipe.hpp"
#include "parlab/process.hpp"

namespace parlab::lab06 {

// ---- images and the filter (given) ---------------------------------------------------------

/// The precision of an image's pixels: the FITS file's BITPIX -32 or -64.
enum class pixel_type { float32, float64 };

/// `value` as a pixel of `type` holds it: rounded to the nearest float for float32, unchanged for
/// float64. (Rounding a double difference of two floats gives exactly the float difference.)
[[nodiscard]] double round_to(pixel_type type, double value) noexcept;

/// A grey image stored row after row. The pixels are held as doubles whatever the type; a
/// float32 image holds only values a float can hold, and the filter rounds its results to it.
struct image {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<double> pixels;  ///< rows * cols values; pixel (y, x) is pixels[y * cols + x]
    pixel_type type = pixel_type::float32;  ///< what read_fits found; what write_fits writes

    image() = default;
    image(std::size_t r, std::size_t c, pixel_type t = pixel_type::float32) : rows(r), cols(c), pixels(r * c), type(t) {}
    [[nodiscard]] double at(std::size_t y, std::size_t x) const noexcept { return pixels[y * cols + x]; }
    [[nodiscard]] double& at(std::size_t y, std::size_t x) noexcept { return pixels[y * cols + x]; }
};

/// The coordinate in [0, n) that coordinate i (any integer) reads under the reflect border:
/// with m = i mod 2n in [0, 2n), m when m < n, else 2n - 1 - m. n must be at least 1.
[[nodiscard]] std::size_t reflect_index(std::ptrdiff_t i, std::size_t n) noexcept;

/// The median filter defined above, computed with a sliding window (each pixel's window is the
/// previous one's with one column of `size` values swapped), not by sorting every window. The
/// result has the frame's type. Throws std::invalid_argument when size is 0. An empty image
/// gives an empty image.
[[nodiscard]] image median_filter(const image& frame, std::size_t size);

/// frame - median_filter(frame, size), pixel by pixel, each difference rounded to the frame's
/// type (round_to): float arithmetic for a float32 frame, double for a float64 one.
[[nodiscard]] image highpass(const image& frame, std::size_t size);

/// A smooth fake sky of rows x cols pixels made from `seed` alone (the same seed always gives the
/// same image): a slowly varying background, a few dozen stars (round Gaussian spots) and a
/// little noise, in [0, ~1100). Any size, also 0 or 1. A float32 sky is rounded to float at
/// every step, a float64 one is computed in double, so most of its pixels are not floats.
[[nodiscard]] image fake_sky(std::size_t rows, std::size_t cols, std::uint64_t seed,
                             pixel_type type = pixel_type::float32);

// ---- FITS files (given, through CFITSIO) -----------------------------------------------------

/// A file that cannot be used: not FITS, not a 2-D image, unreadable or unwritable. The message
/// names the file and what was expected.
class fits_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Reads the first image of a FITS file in its own precision: a BITPIX -64 image as float64,
/// every other BITPIX (-32, or integers) converted to float32 as CFITSIO converts it. Throws
/// fits_error when the file is missing, not FITS, its image is not 2-D (a 3-D cube, say) or has
/// a pixel that is not a finite number (NaN, BLANK, infinity).
[[nodiscard]] image read_fits(const std::filesystem::path& file);

/// Writes `frame` as a FITS image of its type (BITPIX -32 for float32, -64 for float64),
/// replacing the file. Throws fits_error when it cannot.
void write_fits(const std::filesystem::path& file, const image& frame);

/// Writes n fake skies of rows x cols (seeds seed, seed + 1, ...) of the given type as
/// sky-000.fits, sky-001.fits, ... into `folder` (made when missing) and returns their paths in
/// that order.
std::vector<std::filesystem::path> write_fake_batch(const std::filesystem::path& folder, std::size_t n,
                                                    std::size_t rows, std::size_t cols, std::uint64_t seed,
                                                    pixel_type type = pixel_type::float32);

// ---- task 1: a process pool, results in input order ---------------------------------------------

/// What a task computes from its index. It runs in a worker process; it may throw (the message
/// reaches the caller) or even crash the worker.
using task_body = std::function<double(std::size_t task)>;

/// The longest failure message the pool carries; longer ones are cut to this many bytes.
inline constexpr std::size_t max_message = 200;

/// How one task ended.
struct task_outcome {
    std::size_t task = 0;
    bool ok = false;
    double value = 0;     ///< body(task) when ok
    std::string error;    ///< when not ok: "task T failed: <what the body threw>" or
                          ///< "task T failed: worker W <how it ended>" (describe_crash)
};

/// A task that failed, thrown by process_pool::map.
class task_error : public std::runtime_error {
public:
    task_error(const std::string& what, std::size_t task) : std::runtime_error(what), task_(task) {}
    [[nodiscard]] std::size_t task() const noexcept { return task_; }

private:
    std::size_t task_;
};

/// "task T failed: " + message, cut to max_message bytes of message.
[[nodiscard]] std::string describe_failure(std::size_t task, const std::string& message);

/// "task T failed: worker W killed by signal SIGSEGV (...)" (status.describe()).
[[nodiscard]] std::string describe_crash(std::size_t task, std::size_t worker, const exit_status& status);

/// What one worker sends back per task through its result pipe: small and of fixed size. Being
/// under PIPE_BUF (4096 bytes on Linux), one write() of it is atomic: it moves the whole record
/// or nothing, so a record is never torn by a signal or by the worker dying in the middle of it.
/// (Interleaving is no question here: each result pipe has one writer.)
struct result_record {
    std::uint64_t task = 0;
    std::uint32_t ok = 0;
    double value = 0;
    char message[max_message + 1] = {};  ///< NUL-terminated; the body's what() when not ok
};

/// The task range a worker is handed at once: [first, last).
struct chunk_record {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

/// A pool of worker processes (like multiprocessing.Pool with processes forked once).
/// The workers run `body` on the task indices the parent hands them; failures do not stop the
/// pool: a task that throws fails alone, and a worker that crashes fails the task it was running
/// and is replaced by a new worker; the rest of its chunk goes back into the queue.
/// Not copyable and not movable: a pool stays where it was made. One map at a time.
class process_pool {
public:
    /// Task 1: forks `workers` processes now (each with its own task pipe and result pipe).
    /// Throws std::invalid_argument when workers is 0, std::system_error when fork or pipe fails.
    process_pool(std::size_t workers, task_body body);
    /// Ends the workers (closing their task pipes) and waits for them. Never throws.
    ~process_pool();
    process_pool(const process_pool&) = delete;
    process_pool& operator=(const process_pool&) = delete;

    [[nodiscard]] std::size_t workers() const noexcept { return workers_.size(); }

    /// Task 1: runs body(t) for t in [0, tasks) in the workers and returns the values in INPUT
    /// order (values[t] is body(t)), waiting for every task. When tasks failed, throws task_error
    /// for the lowest failed task (its outcome's error as the message) after all tasks ended.
    /// Replaces
    ///     for (std::size_t t = 0; t < tasks; ++t) values[t] = body(t);
    [[nodiscard]] std::vector<double> map(std::size_t tasks, std::size_t chunksize = 1);

    /// Task 2: runs the tasks like map, but calls on_result(outcome) in the calling process as
    /// soon as each task has ended, in the order they END (failed ones too, with ok false); a slow
    /// task never holds back the results of others. Returns when every task has been reported.
    /// Task 3: chunksize > 1 hands each idle worker the next `chunksize` consecutive tasks at
    /// once ([k * chunksize, (k + 1) * chunksize), the last chunk shorter); the worker sends one
    /// record per task as it finishes it. Throws std::invalid_argument when chunksize is 0.
    /// An exception from on_result reaches the caller at once; the pool is then only fit to be
    /// destroyed (its workers may still be running tasks of that map).
    void map_unordered(std::size_t tasks, const std::function<void(const task_outcome&)>& on_result,
                       std::size_t chunksize = 1);

private:
    struct worker {
        process child;
        unique_fd tasks;    ///< parent's write end of this worker's task pipe
        unique_fd results;  ///< parent's read end of this worker's result pipe
    };
    /// Forks worker number `index` into workers_[index] (replacing a dead one).
    void start_worker(std::size_t index);

    task_body body_;
    std::vector<worker> workers_;
};

// ---- the batch (given; it uses your pool) -----------------------------------------------------

/// How one file of a batch ended.
struct file_outcome {
    std::filesystem::path input;
    bool ok = false;
    std::string error;  ///< one line naming the file and the problem
};

/// High-passes every file of `inputs` into out_dir (made when missing; same file names) with a
/// pool of `workers` (map_unordered, so `progress(done, total, outcome)` is called as each file
/// ends). A bad file fails alone. Returns the outcomes in input order.
std::vector<file_outcome> highpass_batch(const std::vector<std::filesystem::path>& inputs,
                                         const std::filesystem::path& out_dir, std::size_t size,
                                         std::size_t workers, std::size_t chunksize = 1,
                                         const std::function<void(std::size_t, std::size_t, const file_outcome&)>&
                                             progress = {});

// ---- task 4: speedup and Amdahl ---------------------------------------------------------------

/// One measurement: `workers` processes gave `speedup` = T(1) / T(workers).
struct speedup_point {
    std::size_t workers = 1;
    double speedup = 1;
};

/// Task 4: the serial fraction f of Amdahl's law, 1 / S(p) = f + (1 - f) / p, fitted to the
/// points by least squares on 1 / S: with a = 1 - 1/p and b = 1/S - 1/p for each point,
/// f = sum(a * b) / sum(a * a). Points with p = 1 carry no information (a = 0). Throws
/// std::invalid_argument when no point has p >= 2 or a speedup is not positive.
[[nodiscard]] double fit_serial_fraction(std::span<const speedup_point> points);

}  // namespace parlab::lab06
