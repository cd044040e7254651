#pragma once
// 8-bit images with 1 (gray), 3 (RGB) or 4 (RGBA) interleaved channels; loading and saving
// PNG, JPEG and BMP files.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace parlab {

/// A bad image file or bad image parameters. The message names the file and the problem.
class image_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A non-owning view of pixels: `height` rows of `width * channels` bytes, `stride` bytes apart.
/// `Byte` is std::uint8_t for a writable view and const std::uint8_t for a read-only one.
template <class Byte>
struct basic_image_view {
    Byte* data = nullptr;
    int width = 0;
    int height = 0;
    int channels = 0;
    std::size_t stride = 0;

    /// The bytes of row y.
    [[nodiscard]] std::span<Byte> row(int y) const noexcept {
        return {data + static_cast<std::size_t>(y) * stride,
                static_cast<std::size_t>(width) * static_cast<std::size_t>(channels)};
    }
    /// Channel c of pixel (x, y).
    [[nodiscard]] Byte& at(int x, int y, int c) const noexcept {
        return data[static_cast<std::size_t>(y) * stride +
                    static_cast<std::size_t>(x) * static_cast<std::size_t>(channels) +
                    static_cast<std::size_t>(c)];
    }
    [[nodiscard]] std::size_t row_bytes() const noexcept {
        return static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
    }
    /// A read-only view of the same pixels.
    operator basic_image_view<const Byte>() const noexcept {  // NOLINT: implicit on purpose
        return {data, width, height, channels, stride};
    }
};

using image_view = basic_image_view<std::uint8_t>;
using const_image_view = basic_image_view<const std::uint8_t>;

/// The largest image the kit will allocate, in bytes (width * height * channels).
inline constexpr std::size_t max_image_bytes = std::size_t{1} << 30;

/// Checks width, height and channels; throws image_error naming `what` when they are not an
/// image the kit can hold (non-positive size, channels not 1, 3 or 4, more than max_image_bytes).
void check_image_shape(int width, int height, int channels, const std::string& what = "image");

/// An image that owns its pixels, rows packed without padding (stride == width * channels).
class image {
public:
    image() = default;
    /// A black image. Throws image_error for a shape check_image_shape rejects.
    image(int width, int height, int channels);
    /// A copy of the pixels of `view`.
    explicit image(const_image_view view);

    [[nodiscard]] int width() const noexcept { return width_; }
    [[nodiscard]] int height() const noexcept { return height_; }
    [[nodiscard]] int channels() const noexcept { return channels_; }
    [[nodiscard]] std::size_t stride() const noexcept {
        return static_cast<std::size_t>(width_) * static_cast<std::size_t>(channels_);
    }
    [[nodiscard]] std::size_t size_bytes() const noexcept { return pixels_.size(); }
    [[nodiscard]] bool empty() const noexcept { return pixels_.empty(); }

    [[nodiscard]] std::span<std::uint8_t> bytes() noexcept { return pixels_; }
    [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return pixels_; }
    [[nodiscard]] image_view view() noexcept {
        return {pixels_.data(), width_, height_, channels_, stride()};
    }
    [[nodiscard]] const_image_view view() const noexcept {
        return {pixels_.data(), width_, height_, channels_, stride()};
    }
    [[nodiscard]] std::uint8_t& at(int x, int y, int c) noexcept { return view().at(x, y, c); }
    [[nodiscard]] std::uint8_t at(int x, int y, int c) const noexcept { return view().at(x, y, c); }

    friend bool operator==(const image&, const image&) = default;

private:
    int width_ = 0;
    int height_ = 0;
    int channels_ = 0;
    std::vector<std::uint8_t> pixels_;
};

/// Loads a PNG, JPEG or BMP file, keeping its channel count (gray+alpha becomes RGBA).
/// Throws image_error naming the file for a missing or unreadable file, an unsupported format,
/// truncated or corrupt data, a zero size, or an image larger than max_image_bytes.
[[nodiscard]] image load_image(const std::filesystem::path& path);

/// Saves in the format named by the extension: .png, .jpg/.jpeg (quality 92) or .bmp (which
/// keeps RGB exactly; gray comes back as RGB, and alpha may be dropped by other readers).
/// Throws image_error naming the file for another extension, an empty image, or a failed write.
void save_image(const std::filesystem::path& path, const_image_view pixels);

/// Describes the first pixel where a and b differ ("pixel (x, y) channel c: expected E, got G"),
/// a shape mismatch, or returns an empty string when they are byte-identical.
[[nodiscard]] std::string first_difference(const_image_view expected, const_image_view got);

}  // namespace parlab
