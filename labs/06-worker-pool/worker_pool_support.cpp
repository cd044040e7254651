// You do not need to modify this file.
// Lab 06 support (frozen): the reflect border, the sliding-window median filter, the fake sky,
// FITS files through CFITSIO, the failure texts and the batch driver.

#include <fitsio.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <numeric>
#include <sstream>

#include "parlab/splitmix.hpp"
#include "worker_pool.hpp"

namespace parlab::lab06 {

double round_to(pixel_type type, double value) noexcept {
    return type == pixel_type::float32 ? static_cast<double>(static_cast<float>(value)) : value;
}

std::size_t reflect_index(std::ptrdiff_t i, std::size_t n) noexcept {
    const auto period = 2 * static_cast<std::ptrdiff_t>(n);
    std::ptrdiff_t m = i % period;
    if (m < 0) m += period;
    return static_cast<std::size_t>(m < static_cast<std::ptrdiff_t>(n) ? m : period - 1 - m);
}

// ---- the median filter ---------------------------------------------------------------------------

namespace {

// The window's values as counts of pixel ranks, in bins of 256 ranks (Huang's histogram median
// over ranks): adding or removing a pixel changes two counts, and the k-th smallest is found by
// moving a bin pointer from where the last search ended (the median of the next window is
// close), then counting inside one bin.
class rank_window {
public:
    explicit rank_window(std::size_t ranks) : fine_(ranks, 0), coarse_(ranks / bin + 1, 0) {}
    void add(std::size_t rank) noexcept {
        ++fine_[rank];
        ++coarse_[rank / bin];
        if (rank / bin < at_) ++below_;
    }
    void remove(std::size_t rank) noexcept {
        --fine_[rank];
        --coarse_[rank / bin];
        if (rank / bin < at_) --below_;
    }
    // The rank of the k-th smallest value in the window (k < the number of values in it).
    [[nodiscard]] std::size_t select(std::size_t k) noexcept {
        while (below_ > k) below_ -= coarse_[--at_];
        while (below_ + coarse_[at_] <= k) below_ += coarse_[at_++];
        std::size_t left = k - below_;
        std::size_t rank = at_ * bin;
        for (; fine_[rank] <= left; ++rank) left -= fine_[rank];
        return rank;
    }

private:
    static constexpr std::size_t bin = 256;
    std::vector<std::uint32_t> fine_;    // fine_[r]: copies of rank r in the window
    std::vector<std::size_t> coarse_;    // coarse_[b]: values in bin b
    std::size_t at_ = 0;                 // the bin where the last search ended
    std::size_t below_ = 0;              // values in the bins before at_
};

// The coordinates a window row or column reads: from[j] for j in [0, n + size - 1) is the
// reflected coordinate of j - size / 2.
std::vector<std::size_t> reflected(std::size_t n, std::size_t size) {
    std::vector<std::size_t> from(n + size - 1);
    const auto half = static_cast<std::ptrdiff_t>(size / 2);
    for (std::size_t j = 0; j < from.size(); ++j) from[j] = reflect_index(static_cast<std::ptrdiff_t>(j) - half, n);
    return from;
}

}  // namespace

image median_filter(const image& frame, std::size_t size) {
    if (size == 0) throw std::invalid_argument("median_filter: the window size must be at least 1");
    image out(frame.rows, frame.cols, frame.type);
    const std::size_t n = frame.pixels.size();
    if (n == 0) return out;
    // Every pixel gets its rank among all pixels (ties in index order): the window then holds
    // integers, and the k-th smallest rank is the k-th smallest value.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return frame.pixels[a] < frame.pixels[b] || (frame.pixels[a] == frame.pixels[b] && a < b);
    });
    std::vector<std::size_t> rank(n);
    for (std::size_t r = 0; r < n; ++r) rank[order[r]] = r;

    const std::vector<std::size_t> ry = reflected(frame.rows, size);
    const std::vector<std::size_t> rx = reflected(frame.cols, size);
    const std::size_t k = size * size / 2;
    rank_window window(n);
    auto column = [&](std::size_t y, std::size_t j, bool add) {
        for (std::size_t d = 0; d < size; ++d) {
            const std::size_t r = rank[ry[y + d] * frame.cols + rx[j]];
            if (add) window.add(r);
            else window.remove(r);
        }
    };
    for (std::size_t y = 0; y < frame.rows; ++y) {
        for (std::size_t j = 0; j < size; ++j) column(y, j, true);
        for (std::size_t x = 0;; ++x) {
            out.at(y, x) = frame.pixels[order[window.select(k)]];
            if (x + 1 == frame.cols) break;
            column(y, x, false);
            column(y, x + size, true);
        }
        for (std::size_t j = frame.cols - 1; j < frame.cols - 1 + size; ++j) column(y, j, false);
    }
    return out;
}

image highpass(const image& frame, std::size_t size) {
    image out = median_filter(frame, size);
    for (std::size_t i = 0; i < out.pixels.size(); ++i)
        out.pixels[i] = round_to(frame.type, frame.pixels[i] - out.pixels[i]);
    return out;
}

// ---- the fake sky ----------------------------------------------------------------------------------

image fake_sky(std::size_t rows, std::size_t cols, std::uint64_t seed, pixel_type type) {
    // Every step is rounded to the type: a float32 sky is the one computed in float.
    auto pixel = [type](double value) { return round_to(type, value); };
    image sky(rows, cols, type);
    parlab::splitmix64 random(seed);
    const double tilt_y = 20 * random.unit(), tilt_x = 20 * random.unit();
    const double wave = 6.283185307179586 * (0.5 + random.unit());
    for (std::size_t y = 0; y < rows; ++y) {
        for (std::size_t x = 0; x < cols; ++x) {
            const double fy = rows > 1 ? static_cast<double>(y) / static_cast<double>(rows - 1) : 0.0;
            const double fx = cols > 1 ? static_cast<double>(x) / static_cast<double>(cols - 1) : 0.0;
            sky.at(y, x) = pixel(80 + tilt_y * fy + tilt_x * fx + 10 * std::sin(wave * (fx + fy)) +
                                 4 * (random.unit() - 0.5));
        }
    }
    const std::size_t stars = 20 + random.next() % 30;
    for (std::size_t s = 0; s < stars && rows * cols > 0; ++s) {
        const double cy = random.unit() * static_cast<double>(rows), cx = random.unit() * static_cast<double>(cols);
        const double peak = 50 + 950 * random.unit() * random.unit();
        const double sigma = 0.7 + 2.0 * random.unit();
        const auto reach = static_cast<std::ptrdiff_t>(4 * sigma) + 1;
        for (std::ptrdiff_t dy = -reach; dy <= reach; ++dy) {
            for (std::ptrdiff_t dx = -reach; dx <= reach; ++dx) {
                const auto y = static_cast<std::ptrdiff_t>(cy) + dy, x = static_cast<std::ptrdiff_t>(cx) + dx;
                if (y < 0 || x < 0 || y >= static_cast<std::ptrdiff_t>(rows) || x >= static_cast<std::ptrdiff_t>(cols))
                    continue;
                const double ry = static_cast<double>(y) + 0.5 - cy, rx = static_cast<double>(x) + 0.5 - cx;
                double& at = sky.at(static_cast<std::size_t>(y), static_cast<std::size_t>(x));
                at = pixel(at + pixel(peak * std::exp(-(ry * ry + rx * rx) / (2 * sigma * sigma))));
            }
        }
    }
    return sky;
}

// ---- FITS --------------------------------------------------------------------------------------------

namespace {

std::string fits_text(int status) {
    char text[FLEN_STATUS] = {};
    fits_get_errstatus(status, text);
    return text;
}

struct fits_closer {
    void operator()(fitsfile* file) const noexcept {
        int status = 0;
        fits_close_file(file, &status);
    }
};
using fits_handle = std::unique_ptr<fitsfile, fits_closer>;

}  // namespace

image read_fits(const std::filesystem::path& file) {
    const std::string name = file.string();
    if (!std::filesystem::is_regular_file(file))
        throw fits_error(name + ": no such file (expected a FITS image)");
    fitsfile* raw = nullptr;
    int status = 0;
    if (fits_open_image(&raw, name.c_str(), READONLY, &status) != 0)
        throw fits_error(name + ": not a FITS image (" + fits_text(status) + ")");
    const fits_handle handle(raw);
    int axes = 0;
    fits_get_img_dim(raw, &axes, &status);
    long extent[3] = {0, 0, 0};
    if (status == 0 && axes >= 1 && axes <= 3) fits_get_img_size(raw, axes, extent, &status);
    if (status != 0) throw fits_error(name + ": cannot read the image size (" + fits_text(status) + ")");
    if (axes != 2) {
        std::ostringstream text;
        text << name << ": a " << axes << "-D image";
        if (axes == 3) text << " (a cube of " << extent[2] << " planes)";
        text << "; expected a 2-D image";
        throw fits_error(text.str());
    }
    // BITPIX -64 keeps its doubles; everything else is read as floats, as it always was.
    int bitpix = 0;
    fits_get_img_type(raw, &bitpix, &status);
    const pixel_type type = bitpix == DOUBLE_IMG ? pixel_type::float64 : pixel_type::float32;
    image frame(static_cast<std::size_t>(extent[1]), static_cast<std::size_t>(extent[0]), type);
    long first[2] = {1, 1};
    const auto count = static_cast<LONGLONG>(frame.pixels.size());
    // Blank pixels (an integer image's BLANK value) come back as NaN, like a float image's own.
    int any_blank = 0;
    if (status == 0 && count > 0 && type == pixel_type::float64) {
        double blank = std::numeric_limits<double>::quiet_NaN();
        fits_read_pix(raw, TDOUBLE, first, count, &blank, frame.pixels.data(), &any_blank, &status);
    } else if (status == 0 && count > 0) {
        float blank = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> floats(frame.pixels.size());
        fits_read_pix(raw, TFLOAT, first, count, &blank, floats.data(), &any_blank, &status);
        std::copy(floats.begin(), floats.end(), frame.pixels.begin());
    }
    if (status != 0) throw fits_error(name + ": cannot read the pixels (" + fits_text(status) + ")");
    // A median needs numbers that can be ordered: NaN compares false with everything, and a sort
    // given one gives any order at all (undefined behaviour).
    const auto not_numbers = static_cast<std::size_t>(
        std::count_if(frame.pixels.begin(), frame.pixels.end(), [](double v) { return !std::isfinite(v); }));
    if (not_numbers > 0)
        throw fits_error(name + ": " + std::to_string(not_numbers) +
                         " pixel(s) are blank or not finite (NaN, BLANK or infinity); the filter needs a number at "
                         "every pixel");
    return frame;
}

void write_fits(const std::filesystem::path& file, const image& frame) {
    const std::string name = file.string();
    fitsfile* raw = nullptr;
    int status = 0;
    // A leading '!' tells CFITSIO to replace an existing file.
    if (fits_create_file(&raw, ("!" + name).c_str(), &status) != 0)
        throw fits_error(name + ": cannot write (" + fits_text(status) + ")");
    fits_handle handle(raw);
    long extent[2] = {static_cast<long>(frame.cols), static_cast<long>(frame.rows)};
    long first[2] = {1, 1};
    const auto count = static_cast<LONGLONG>(frame.pixels.size());
    // CFITSIO takes a non-const pointer: the pixels are copied, as floats for a float32 image.
    if (frame.type == pixel_type::float64) {
        std::vector<double> pixels = frame.pixels;
        fits_create_img(raw, DOUBLE_IMG, 2, extent, &status);
        if (status == 0 && count > 0) fits_write_pix(raw, TDOUBLE, first, count, pixels.data(), &status);
    } else {
        std::vector<float> pixels(frame.pixels.begin(), frame.pixels.end());
        fits_create_img(raw, FLOAT_IMG, 2, extent, &status);
        if (status == 0 && count > 0) fits_write_pix(raw, TFLOAT, first, count, pixels.data(), &status);
    }
    fitsfile* closing = handle.release();
    fits_close_file(closing, &status);
    if (status != 0) throw fits_error(name + ": cannot write (" + fits_text(status) + ")");
}

std::vector<std::filesystem::path> write_fake_batch(const std::filesystem::path& folder, std::size_t n,
                                                    std::size_t rows, std::size_t cols, std::uint64_t seed,
                                                    pixel_type type) {
    std::filesystem::create_directories(folder);
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < n; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "sky-%03zu.fits", i);
        files.push_back(folder / name);
        write_fits(files.back(), fake_sky(rows, cols, seed + i, type));
    }
    return files;
}

// ---- failures ----------------------------------------------------------------------------------------

std::string describe_failure(std::size_t task, const std::string& message) {
    return "task " + std::to_string(task) + " failed: " + message.substr(0, max_message);
}

std::string describe_crash(std::size_t task, std::size_t worker, const exit_status& status) {
    return describe_failure(task, "worker " + std::to_string(worker) + " " + status.describe());
}

// ---- the batch ---------------------------------------------------------------------------------------

std::vector<file_outcome> highpass_batch(const std::vector<std::filesystem::path>& inputs,
                                         const std::filesystem::path& out_dir, std::size_t size,
                                         std::size_t workers, std::size_t chunksize,
                                         const std::function<void(std::size_t, std::size_t, const file_outcome&)>&
                                             progress) {
    if (size == 0) throw std::invalid_argument("highpass_batch: the window size must be at least 1");
    std::vector<file_outcome> outcomes(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) outcomes[i].input = inputs[i];
    std::error_code not_made;  // a folder that cannot be made fails each file as it is written
    std::filesystem::create_directories(out_dir, not_made);
    process_pool pool(workers, [&](std::size_t task) {
        write_fits(out_dir / inputs[task].filename(), highpass(read_fits(inputs[task]), size));
        return 0.0;
    });
    std::size_t done = 0;
    pool.map_unordered(
        inputs.size(),
        [&](const task_outcome& outcome) {
            if (outcome.task >= outcomes.size()) return;
            file_outcome& file = outcomes[outcome.task];
            file.ok = outcome.ok;
            const std::string prefix = "task " + std::to_string(outcome.task) + " failed: ";
            file.error = outcome.error.rfind(prefix, 0) == 0 ? outcome.error.substr(prefix.size()) : outcome.error;
            if (progress) progress(++done, inputs.size(), file);
        },
        chunksize);
    return outcomes;
}

}  // namespace parlab::lab06
