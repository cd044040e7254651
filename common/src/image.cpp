#include "parlab/image.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

namespace parlab {
namespace {

enum class file_format { png, jpeg, bmp };

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
    throw image_error("image '" + path.string() + "': " + problem);
}

bool starts_with(const std::vector<std::uint8_t>& data, std::string_view magic) {
    return data.size() >= magic.size() && std::memcmp(data.data(), magic.data(), magic.size()) == 0;
}

// Finds the file's format from its first bytes, not its name.
file_format detect_format(const std::vector<std::uint8_t>& data, const std::filesystem::path& path) {
    if (starts_with(data, "\x89PNG\r\n\x1a\n")) return file_format::png;
    if (starts_with(data, "\xFF\xD8\xFF")) return file_format::jpeg;
    if (starts_with(data, "BM")) return file_format::bmp;
    std::string kind = "an unknown format";
    if (starts_with(data, "GIF8")) kind = "GIF";
    else if (starts_with(data, "II*") || starts_with(data, "MM")) kind = "TIFF";
    else if (data.size() >= 12 && starts_with(data, "RIFF") && std::memcmp(data.data() + 8, "WEBP", 4) == 0) kind = "WebP";
    else if (starts_with(data, "8BPS")) kind = "PSD";
    fail(path, "unsupported format: " + kind + " (the kit reads PNG, JPEG and BMP)");
}

bool contains_near_end(const std::vector<std::uint8_t>& data, std::string_view needle, std::size_t window) {
    const std::size_t from = data.size() > window ? data.size() - window : 0;
    const auto same = [](std::uint8_t byte, char ch) { return byte == static_cast<unsigned char>(ch); };
    return std::search(data.begin() + static_cast<std::ptrdiff_t>(from), data.end(), needle.begin(), needle.end(),
                       same) != data.end();
}

std::uint32_t read_le32(const std::vector<std::uint8_t>& d, std::size_t at) {
    return d[at] | (d[at + 1] << 8) | (d[at + 2] << 16) | (std::uint32_t{d[at + 3]} << 24);
}

std::uint32_t read_be32(const std::vector<std::uint8_t>& d, std::size_t at) {
    return (std::uint32_t{d[at]} << 24) | (d[at + 1] << 16) | (d[at + 2] << 8) | d[at + 3];
}

// A header that declares no pixels is reported as such: stb's own reasons for it are vague.
void check_declared_size(const std::vector<std::uint8_t>& data, file_format format, const std::filesystem::path& path) {
    long long width = -1, height = -1;
    if (format == file_format::png && data.size() >= 24) {
        width = read_be32(data, 16);
        height = read_be32(data, 20);
    } else if (format == file_format::bmp && data.size() >= 26) {
        width = static_cast<std::int32_t>(read_le32(data, 18));
        height = static_cast<std::int32_t>(read_le32(data, 22));
        if (height < 0) height = -height;  // top-down BMP
    }
    if (width == 0 || height == 0)
        fail(path, "zero size: the header declares " + std::to_string(width) + "x" + std::to_string(height) + " pixels");
}

// stb decodes a cut-off file without complaint (or with an unrelated reason), so the end of each
// format is checked here.
void check_complete(const std::vector<std::uint8_t>& data, file_format format, const std::filesystem::path& path) {
    switch (format) {
        case file_format::png:
            if (!contains_near_end(data, "IEND", 64))
                fail(path, "truncated PNG data: the file ends before its IEND chunk (" + std::to_string(data.size()) +
                               " bytes; was the download or copy cut off?)");
            break;
        case file_format::jpeg:
            if (!contains_near_end(data, "\xFF\xD9", 1024))
                fail(path, "truncated JPEG data: the file ends before its end-of-image marker (" +
                               std::to_string(data.size()) + " bytes; was the download or copy cut off?)");
            break;
        case file_format::bmp: {
            if (data.size() < 26) fail(path, "truncated BMP data: the header is incomplete");
            const std::uint32_t declared = read_le32(data, 2);
            if (declared != 0 && data.size() < declared)
                fail(path, "truncated BMP data: the header declares " + std::to_string(declared) + " bytes, the file has " +
                               std::to_string(data.size()));
            break;
        }
    }
}

const char* format_name(file_format format) {
    switch (format) {
        case file_format::png: return "PNG";
        case file_format::jpeg: return "JPEG";
        case file_format::bmp: return "BMP";
    }
    return "image";
}

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(path, "no such file");
    if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not an image file");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, std::string("cannot open for reading: ") + std::strerror(errno));
    std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) fail(path, "read error");
    if (data.empty()) fail(path, "the file is empty");
    return data;
}

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<std::uint8_t>*>(context);
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

}  // namespace

void check_image_shape(int width, int height, int channels, const std::string& what) {
    if (width <= 0 || height <= 0)
        throw image_error(what + ": size " + std::to_string(width) + "x" + std::to_string(height) +
                          " is empty; width and height must be at least 1");
    if (channels != 1 && channels != 3 && channels != 4)
        throw image_error(what + ": " + std::to_string(channels) +
                          " channels; the kit handles 1 (gray), 3 (RGB) or 4 (RGBA)");
    const auto bytes = static_cast<unsigned long long>(width) * static_cast<unsigned long long>(height) *
                       static_cast<unsigned long long>(channels);
    if (bytes > max_image_bytes)
        throw image_error(what + ": " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                          std::to_string(channels) + " is too large to allocate (" + std::to_string(bytes) +
                          " bytes; the limit is " + std::to_string(max_image_bytes) + ")");
}

image::image(int width, int height, int channels) : width_(width), height_(height), channels_(channels) {
    check_image_shape(width, height, channels);
    pixels_.assign(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * static_cast<std::size_t>(channels),
                   0);
}

image::image(const_image_view view) : image(view.width, view.height, view.channels) {
    for (int y = 0; y < height_; ++y) std::ranges::copy(view.row(y), this->view().row(y).begin());
}

image load_image(const std::filesystem::path& path) {
    const std::vector<std::uint8_t> data = read_file(path);
    const file_format format = detect_format(data, path);
    check_declared_size(data, format, path);
    check_complete(data, format, path);
    if (data.size() > static_cast<std::size_t>(INT32_MAX)) fail(path, "the file is too large to read");
    const int size = static_cast<int>(data.size());

    int width = 0, height = 0, channels = 0;
    if (stbi_info_from_memory(data.data(), size, &width, &height, &channels) == 0)
        fail(path, std::string("corrupt ") + format_name(format) + " header (decoder: " + stbi_failure_reason() + ")");
    const int wanted = channels == 2 ? 4 : channels;  // gray + alpha is kept as RGBA
    check_image_shape(width, height, wanted, "image '" + path.string() + "'");

    int w = 0, h = 0, file_channels = 0;
    stbi_uc* pixels = stbi_load_from_memory(data.data(), size, &w, &h, &file_channels, wanted);
    if (pixels == nullptr)
        fail(path, std::string("corrupt ") + format_name(format) + " data (decoder: " + stbi_failure_reason() + ")");
    image result;
    try {
        result = image(w, h, wanted);
        std::memcpy(result.bytes().data(), pixels, result.size_bytes());
    } catch (...) {
        stbi_image_free(pixels);
        throw;
    }
    stbi_image_free(pixels);
    return result;
}

void save_image(const std::filesystem::path& path, const_image_view pixels) {
    if (pixels.data == nullptr || pixels.width <= 0 || pixels.height <= 0)
        fail(path, "cannot save an empty image");
    check_image_shape(pixels.width, pixels.height, pixels.channels, "image '" + path.string() + "'");
    std::string ext = path.extension().string();
    std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

    // stb wants packed rows for JPEG and BMP; copy when the view has padding.
    const image packed = pixels.stride == pixels.row_bytes() ? image() : image(pixels);
    const std::uint8_t* base = packed.empty() ? pixels.data : packed.bytes().data();
    const int stride = static_cast<int>(pixels.row_bytes());

    std::vector<std::uint8_t> encoded;
    int ok = 0;
    if (ext == ".png") {
        ok = stbi_write_png_to_func(append_bytes, &encoded, pixels.width, pixels.height, pixels.channels, base, stride);
    } else if (ext == ".jpg" || ext == ".jpeg") {
        ok = stbi_write_jpg_to_func(append_bytes, &encoded, pixels.width, pixels.height, pixels.channels, base, 92);
    } else if (ext == ".bmp") {
        ok = stbi_write_bmp_to_func(append_bytes, &encoded, pixels.width, pixels.height, pixels.channels, base);
    } else {
        fail(path, "unsupported output format '" + ext + "' (use .png, .jpg, .jpeg or .bmp)");
    }
    if (ok == 0) fail(path, "encoding failed");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, std::string("cannot open for writing: ") + std::strerror(errno));
    out.write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
    out.close();
    if (!out) fail(path, std::string("write failed: ") + std::strerror(errno));
}

std::string first_difference(const_image_view expected, const_image_view got) {
    if (expected.width != got.width || expected.height != got.height || expected.channels != got.channels)
        return "shape differs: expected " + std::to_string(expected.width) + "x" + std::to_string(expected.height) + "x" +
               std::to_string(expected.channels) + ", got " + std::to_string(got.width) + "x" + std::to_string(got.height) +
               "x" + std::to_string(got.channels);
    for (int y = 0; y < expected.height; ++y) {
        const auto e = expected.row(y);
        const auto g = got.row(y);
        const auto [ei, gi] = std::mismatch(e.begin(), e.end(), g.begin());
        if (ei != e.end()) {
            const auto offset = static_cast<int>(ei - e.begin());
            return "pixel (" + std::to_string(offset / expected.channels) + ", " + std::to_string(y) + ") channel " +
                   std::to_string(offset % expected.channels) + ": expected " + std::to_string(*ei) + ", got " +
                   std::to_string(*gi);
        }
    }
    return {};
}

}  // namespace parlab
