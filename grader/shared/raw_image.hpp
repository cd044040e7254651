#pragma once
// Images passed from a probe to the grader as raw files: "PLRAW width height channels\n" and
// the packed bytes. Quick to write and read, and exact.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "parlab/image.hpp"

namespace parlab::grader {

inline void write_raw(const std::filesystem::path& path, const_image_view pixels) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "PLRAW " << pixels.width << ' ' << pixels.height << ' ' << pixels.channels << '\n';
    for (int y = 0; y < pixels.height; ++y)
        out.write(reinterpret_cast<const char*>(pixels.row(y).data()), static_cast<std::streamsize>(pixels.row_bytes()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

/// Reads a raw image; throws std::runtime_error for a missing, malformed or short file.
inline image read_raw(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string magic;
    int width = 0, height = 0, channels = 0;
    if (!(in >> magic >> width >> height >> channels) || magic != "PLRAW" || in.get() != '\n')
        throw std::runtime_error("the probe's output " + path.filename().string() + " is missing or malformed");
    image img(width, height, channels);
    in.read(reinterpret_cast<char*>(img.bytes().data()), static_cast<std::streamsize>(img.size_bytes()));
    if (static_cast<std::size_t>(in.gcount()) != img.size_bytes())
        throw std::runtime_error("the probe's output " + path.filename().string() + " is cut short");
    return img;
}

}  // namespace parlab::grader
