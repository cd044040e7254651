// You do not need to modify this file.
//
// The highpass program (`./parlab highpass IN_DIR OUT_DIR --size S [--workers N] [--chunksize C]
// [--solutions]`): every file of IN_DIR high-passed (frame - its S x S median) by your pool
// (highpass_batch), written under the same name into OUT_DIR, with a progress bar on a terminal.
// A file that cannot be used (not FITS, a 3-D cube, an output that cannot be written) gets one
// line naming it; the rest of the batch goes on, and the summary lists the failures.
// Exit status: 0 every file done, 1 some failed (or your pool did), 2 a usage mistake.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "parlab/teaching.hpp"
#include "worker_pool.hpp"

namespace {

namespace lab06 = parlab::lab06;
namespace fs = std::filesystem;

constexpr std::string_view usage =
    "usage: parlab_lab06_highpass IN_DIR OUT_DIR --size S [--workers N] [--chunksize C]\n"
    "  --size S       the median window, S x S pixels (required; 50 in the classic exercise)\n"
    "  --workers N    the pool's workers (default: PARLAB_WORKERS or the CPUs)\n"
    "  --chunksize C  files handed to a worker at once (default 1)\n"
    "Every file of IN_DIR is read as a FITS image; OUT_DIR (made when missing) gets the high-passes.\n";

struct options {
    fs::path in, out;
    std::size_t size = 0;
    std::size_t workers = 0;
    std::size_t chunksize = 1;
};

options parse(int argc, char** argv) {
    options o;
    std::vector<std::string> folders;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--size")) o.size = args.positive_value();
        else if (args.is("--workers")) o.workers = args.positive_value();
        else if (args.is("--chunksize")) o.chunksize = args.positive_value();
        else if (args.positional()) folders.push_back(args.current());
        else args.unknown();
    }
    if (folders.size() != 2) throw std::invalid_argument("give the input and the output folder (--help shows how)");
    if (o.size == 0) throw std::invalid_argument("--size is required");
    o.workers = parlab::teaching::workers_or_default(o.workers);
    o.in = folders[0];
    o.out = folders[1];
    if (!fs::is_directory(o.in)) throw std::invalid_argument(o.in.string() + ": not a folder");
    return o;
}

// The bar on a terminal: "[#######.............]  7/25 files, 1 failed".
void show_progress(std::size_t done, std::size_t total, std::size_t failures) {
    constexpr std::size_t width = 30;
    const std::size_t filled = total == 0 ? width : done * width / total;
    std::fprintf(stdout, "\r[%s%s] %zu/%zu files, %zu failed", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), done, total, failures);
    std::fflush(stdout);
}

// Whether a file's name says FITS: .fits, .fit or .fts, in any case.
bool is_fits_name(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const std::string ending : {".fits", ".fit", ".fts"})
        if (lower.size() > ending.size() && lower.compare(lower.size() - ending.size(), ending.size(), ending) == 0) return true;
    return false;
}

int run(const options& o) {
    std::vector<fs::path> files;
    std::vector<std::string> skipped;
    for (const auto& entry : fs::directory_iterator(o.in)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || name.front() == '.') continue;
        if (is_fits_name(name)) files.push_back(entry.path());
        else skipped.push_back(name);
    }
    std::sort(files.begin(), files.end());
    std::sort(skipped.begin(), skipped.end());
    if (!skipped.empty())
        std::fprintf(stderr, "skipped %zu file(s) not named .fits, .fit or .fts: %s%s\n", skipped.size(),
                     skipped.front().c_str(), skipped.size() > 1 ? ", ..." : "");
    if (files.empty()) throw std::runtime_error(o.in.string() + ": no FITS files (.fits, .fit, .fts) to high-pass");

    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    std::size_t failures = 0;
    if (terminal) show_progress(0, files.size(), 0);
    const auto start = std::chrono::steady_clock::now();
    const auto outcomes = lab06::highpass_batch(
        files, o.out, o.size, o.workers, o.chunksize,
        [&](std::size_t done, std::size_t total, const lab06::file_outcome& file) {
            if (!file.ok) {
                ++failures;
                if (terminal) std::fprintf(stdout, "\r%*s\r", 60, "");
                std::fprintf(stderr, "failed: %s\n", file.error.empty() ? file.input.string().c_str() : file.error.c_str());
            }
            if (terminal) show_progress(done, total, failures);
        });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (terminal) std::fprintf(stdout, "\n");

    std::size_t ok = 0;
    for (const auto& file : outcomes) ok += file.ok ? 1 : 0;
    std::printf("high-passed %zu of %zu files (window %zu) into %s in %.2f s with %zu worker%s\n", ok, outcomes.size(),
                o.size, o.out.string().c_str(), seconds, o.workers, o.workers == 1 ? "" : "s");
    if (ok == outcomes.size()) return 0;
    // each failure was printed as it came ("failed: ..." on standard error), so not again here
    std::printf("%zu failed (listed above)\n", outcomes.size() - ok);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("highpass", usage, argc, argv, parse, run);
}
