#include "parlab/image.hpp"


#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "parlab/testing.hpp"

namespace fs = std::filesystem;
using parlab::testing::contains;
using parlab::testing::random_image;

namespace {

const fs::path images_dir = PARLAB_IMAGES_DIR;


void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A BMP file header and info header declaring width x height at 24 bits, with no pixels.
std::vector<std::uint8_t> bmp_header(std::int32_t width, std::int32_t height) {
    std::vector<std::uint8_t> h(54, 0);
    const auto put32 = [&](std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) h[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
    };
    h[0] = 'B';
    h[1] = 'M';
    put32(10, 54);
    put32(14, 40);
    put32(18, static_cast<std::uint32_t>(width));
    put32(22, static_cast<std::uint32_t>(height));
    h[26] = 1;
    h[28] = 24;
    return h;
}

}  // namespace

TEST_CASE("the kit's photographs load with their sizes", "[common][image]") {
    struct expected { const char* file; int w, h, c; };
    const auto e = GENERATE(expected{"chelsea.png", 451, 300, 3}, expected{"coffee.png", 600, 400, 3},
                            expected{"astronaut.png", 512, 512, 3}, expected{"hubble_deep_field.jpg", 1000, 872, 3},
                            expected{"camera.png", 512, 512, 1}, expected{"coins.png", 384, 303, 1});
    const auto img = parlab::load_image(images_dir / e.file);
    CHECK(img.width() == e.w);
    CHECK(img.height() == e.h);
    CHECK(img.channels() == e.c);
    CHECK(img.size_bytes() == static_cast<std::size_t>(e.w * e.h * e.c));
}

TEST_CASE("PNG and BMP round-trip exactly, JPEG closely", "[common][image]") {
    const parlab::testing::temp_folder dir("image-test");
    const int channels = GENERATE(1, 3, 4);
    const auto original = random_image(37, 5, channels, 42);
    for (const char* ext : {".png", ".bmp"}) {
        if (std::string(ext) == ".bmp" && channels != 3) continue;  // BMP stores gray as RGB
        const fs::path file = dir.path / (std::string("out") + ext);
        parlab::save_image(file, original.view());
        const auto back = parlab::load_image(file);
        INFO(ext);
        CHECK(parlab::first_difference(original.view(), back.view()).empty());
    }
    parlab::image smooth(64, 64, channels);
    for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
            for (int c = 0; c < channels; ++c) smooth.at(x, y, c) = static_cast<std::uint8_t>(x * 2 + y);
    parlab::save_image(dir.path / "out.jpg", smooth.view());
    const auto jpeg = parlab::load_image(dir.path / "out.jpg");
    REQUIRE(jpeg.width() == 64);
    CHECK(std::abs(int(jpeg.at(10, 10, 0)) - int(smooth.at(10, 10, 0))) < 12);
}

TEST_CASE("bad image files are errors that name the file and the problem", "[common][image]") {
    const parlab::testing::temp_folder dir("image-test");
    SECTION("missing file") {
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "nope.png"), contains("nope.png': no such file"));
    }
    SECTION("truncated JPEG says truncated, not 'bad png sig'") {
        try {
            (void)parlab::load_image(images_dir / "truncated.jpg");
            FAIL("truncated.jpg loaded");
        } catch (const parlab::image_error& error) {
            const std::string message = error.what();
            CHECK_THAT(message, contains("truncated.jpg"));
            CHECK_THAT(message, contains("truncated JPEG data"));
            CHECK(message.find("png") == std::string::npos);
        }
    }
    SECTION("truncated PNG") {
        std::ifstream in(images_dir / "coins.png", std::ios::binary);
        std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
        bytes.resize(bytes.size() / 2);
        write_bytes(dir.path / "half.png", bytes);
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "half.png"), contains("truncated PNG data"));
    }
    SECTION("corrupt PNG data") {
        std::vector<std::uint8_t> bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        for (int i = 0; i < 100; ++i) bytes.push_back(static_cast<std::uint8_t>(i * 37));
        for (char ch : std::string("IEND")) bytes.push_back(static_cast<std::uint8_t>(ch));
        write_bytes(dir.path / "corrupt.png", bytes);
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "corrupt.png"), contains("corrupt PNG"));
    }
    SECTION("unsupported format") {
        write_bytes(dir.path / "anim.gif", {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0});
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "anim.gif"), contains("unsupported format: GIF"));
        write_bytes(dir.path / "notes.png", {'h', 'e', 'l', 'l', 'o'});
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "notes.png"), contains("unsupported format"));
    }
    SECTION("empty file and folder") {
        write_bytes(dir.path / "empty.png", {});
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "empty.png"), contains("empty"));
        CHECK_THROWS_WITH(parlab::load_image(dir.path), contains("is a directory"));
    }
    SECTION("zero size") {
        write_bytes(dir.path / "zero.bmp", bmp_header(0, 10));
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "zero.bmp"), contains("zero size"));
        CHECK_THROWS_AS(parlab::image(0, 5, 3), parlab::image_error);
    }
    SECTION("too large to allocate") {
        write_bytes(dir.path / "huge.bmp", bmp_header(60000, 60000));
        CHECK_THROWS_WITH(parlab::load_image(dir.path / "huge.bmp"), contains("too large to allocate"));
    }
    SECTION("bad channel count") {
        CHECK_THROWS_WITH(parlab::image(4, 4, 2), contains("2 channels"));
    }
}

TEST_CASE("saving reports bad paths and formats", "[common][image]") {
    const parlab::testing::temp_folder dir("image-test");
    const auto img = random_image(4, 4, 3, 1);
    CHECK_THROWS_WITH(parlab::save_image(dir.path / "out.tiff", img.view()), contains("unsupported output format '.tiff'"));
    CHECK_THROWS_WITH(parlab::save_image(dir.path / "no" / "such" / "dir.png", img.view()), contains("cannot open for writing"));
    CHECK_THROWS_WITH(parlab::save_image(dir.path / "x.png", parlab::const_image_view{}), contains("empty image"));
}

TEST_CASE("first_difference names the first wrong pixel", "[common][image]") {
    auto a = random_image(5, 4, 3, 7);
    auto b = a;
    CHECK(parlab::first_difference(a.view(), b.view()).empty());
    b.at(3, 2, 1) = static_cast<std::uint8_t>(a.at(3, 2, 1) + 1);
    CHECK(parlab::first_difference(a.view(), b.view()) ==
          "pixel (3, 2) channel 1: expected " + std::to_string(a.at(3, 2, 1)) + ", got " + std::to_string(b.at(3, 2, 1)));
    CHECK_THAT(parlab::first_difference(a.view(), random_image(5, 5, 3, 7).view()), contains("shape differs"));
}
