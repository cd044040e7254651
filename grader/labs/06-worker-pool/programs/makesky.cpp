// You do not need to modify this file.
//
// The makesky program (`./parlab makesky OUT_DIR [--count N] [--side PIXELS] [--seed S] [--float64]`):
// writes N fake sky images of PIXELS x PIXELS (fake_sky, seeds S, S + 1, ...) as sky-000.fits, ...
// into OUT_DIR, the input of `./parlab highpass`. The classic batch is the default: 25 of
// 1000 x 1000 in 32-bit floats (BITPIX -32); --float64 writes 64-bit ones (BITPIX -64).
// Exit status: 0 written, 1 a file that cannot be written, 2 a usage mistake.

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <string>
#include <string_view>
#include <vector>

#include "parlab/teaching.hpp"
#include "worker_pool.hpp"

namespace {

constexpr std::string_view usage =
    "usage: parlab_lab06_makesky OUT_DIR [--count N] [--side PIXELS] [--seed S] [--float64]\n"
    "  --count N       images to write (default 25)\n"
    "  --side PIXELS   each image is PIXELS x PIXELS (default 1000)\n"
    "  --seed S        the first image's seed (default 1)\n"
    "  --float64       64-bit float pixels (BITPIX -64; default: 32-bit, BITPIX -32)\n";

struct options {
    std::filesystem::path out;
    std::size_t count = 25;
    std::size_t side = 1000;
    std::size_t seed = 1;
    parlab::lab06::pixel_type type = parlab::lab06::pixel_type::float32;
};

options parse(int argc, char** argv) {
    options o;
    std::vector<std::string> folders;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--count")) o.count = args.positive_value(1000);
        else if (args.is("--side")) o.side = args.positive_value(20000);
        else if (args.is("--seed")) o.seed = args.positive_value();
        else if (args.is("--float64")) o.type = parlab::lab06::pixel_type::float64;
        else if (args.positional()) folders.push_back(args.current());
        else args.unknown();
    }
    if (folders.size() != 1) throw std::invalid_argument("give the output folder (--help shows how)");
    o.out = folders[0];
    return o;
}

int run(const options& o) {
    std::error_code error;
    std::filesystem::create_directories(o.out, error);
    if (error) throw std::runtime_error("cannot make the folder " + o.out.string() + ": " + error.message());
    const auto files = parlab::lab06::write_fake_batch(o.out, o.count, o.side, o.side, o.seed, o.type);
    const bool doubles = o.type == parlab::lab06::pixel_type::float64;
    std::printf("wrote %zu fake skies of %zu x %zu (%s) into %s\n", files.size(), o.side, o.side,
                doubles ? "float64, BITPIX -64" : "float32, BITPIX -32", o.out.string().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("makesky", usage, argc, argv, parse, run);
}
