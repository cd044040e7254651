// The helpers of parlab/testing.hpp that every test program links with (test_main.cpp holds the
// runner and the time limit). PARLAB_IMAGES_DIR, the kit's images/ folder, is set for this file.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "parlab/testing.hpp"

// Defined by a sanitizer's runtime when the program has one; a weak reference is null without it.
extern "C" {
void __asan_init() __attribute__((weak));
void __tsan_init() __attribute__((weak));
}

bool parlab::testing::under_sanitizer() { return __asan_init != nullptr || __tsan_init != nullptr; }

parlab::image parlab::testing::random_image(int width, int height, int channels, unsigned seed, int lowest) {
    parlab::image picture(width, height, channels);
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> value(lowest, 255);
    for (auto& byte : picture.bytes()) byte = static_cast<std::uint8_t>(value(random));
    return picture;
}

namespace {
std::filesystem::path make_temp_folder(const std::string& label) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("parlab-" + label + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "cannot make a folder like " + pattern);
    return pattern;
}
}  // namespace

parlab::testing::temp_folder::temp_folder(const std::string& label) : path(make_temp_folder(label)) {}

parlab::testing::temp_folder::~temp_folder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

std::filesystem::path parlab::testing::images_dir() { return PARLAB_IMAGES_DIR; }

std::vector<std::filesystem::path> parlab::testing::photos() {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(images_dir())) {
        const auto ext = entry.path().extension();
        if ((ext == ".png" || ext == ".jpg") && entry.path().stem() != "truncated") found.push_back(entry.path());
    }
    if (under_sanitizer() && found.size() > 2) {
        std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
            return std::filesystem::file_size(a) < std::filesystem::file_size(b);
        });
        found.resize(2);
    }
    std::sort(found.begin(), found.end());
    return found;
}
