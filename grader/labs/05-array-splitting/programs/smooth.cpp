// You do not need to modify this file.
//
// The smooth program (`./parlab smooth IN.npy OUT.npy --sigma S [--axis 0|1] [--workers N]
// [--solutions]`): your split_rows with the lab's Gaussian kernel on a NumPy .npy file of
// doubles, written to another .npy file, so that you can compare with
// scipy.ndimage.gaussian_filter1d(numpy.load(IN), S, axis=A) on any data of your own.
//
//   parlab_lab05_smooth IN.npy OUT.npy --sigma S [--axis 0|1] [--workers N]
//     --sigma S      the Gaussian's standard deviation, 0 < S <= 100000 (required)
//     --axis A       the axis to smooth along, as in NumPy: 1 along each row (the default for a
//                    2-D array), 0 along each column (the array is transposed in and out); a 1-D
//                    array has only axis 0
//     --workers N    split_rows's workers (default: PARLAB_WORKERS or the CPUs)
// Exit status: 0 done, 1 a file that cannot be read or written (or your code failed), 2 a
// usage mistake.

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "array_split.hpp"
#include "parlab/npy.hpp"
#include "parlab/teaching.hpp"

namespace {

namespace lab05 = parlab::lab05;

constexpr std::string_view usage =
    "usage: parlab_lab05_smooth IN.npy OUT.npy --sigma S [--axis 0|1] [--workers N]\n"
    "  --sigma S      the Gaussian's standard deviation, 0 < S <= 100000 (required)\n"
    "  --axis A       1: along each row (default for 2-D), 0: along each column (1-D: only 0)\n"
    "  --workers N    split_rows's workers (default: PARLAB_WORKERS or the CPUs)\n"
    "IN.npy holds float64 numbers in C order, 1-D or 2-D, as numpy.save writes them.\n";

struct options {
    std::filesystem::path in, out;
    double sigma = 0;
    int axis = -1;  // -1: the last axis
    std::size_t workers = 0;
};

double parse_sigma(const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const double sigma = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno != 0)
        throw std::invalid_argument("--sigma: '" + text + "' is not a number");
    if (!(sigma > 0) || sigma > lab05::max_sigma)
        throw std::invalid_argument("--sigma: " + text + " is out of range (0 < sigma <= 100000)");
    return sigma;
}

options parse(int argc, char** argv) {
    options o;
    std::vector<std::string> files;
    for (parlab::teaching::arguments args(argc, argv); args.next();) {
        if (args.is("--sigma")) o.sigma = parse_sigma(args.value());
        else if (args.is("--axis")) {
            const std::string axis = args.value();
            if (axis != "0" && axis != "1") throw std::invalid_argument("--axis: '" + axis + "' is not 0 or 1");
            o.axis = axis == "0" ? 0 : 1;
        } else if (args.is("--workers")) o.workers = args.positive_value();
        else if (args.positional()) files.push_back(args.current());
        else args.unknown();
    }
    if (files.size() != 2) throw std::invalid_argument("give the input and the output file (--help shows how)");
    if (o.sigma == 0) throw std::invalid_argument("--sigma is required");
    o.workers = parlab::teaching::workers_or_default(o.workers);
    o.in = files[0];
    o.out = files[1];
    return o;
}

// rows x cols (row after row) turned into cols x rows.
std::vector<double> transposed(const double* values, std::size_t rows, std::size_t cols) {
    std::vector<double> t(rows * cols);
    for (std::size_t y = 0; y < rows; ++y)
        for (std::size_t x = 0; x < cols; ++x) t[x * rows + y] = values[y * cols + x];
    return t;
}

int run(const options& o) {
    parlab::npy_array array = parlab::load_npy(o.in);
    const bool two_d = array.shape.size() == 2;
    if (!two_d && o.axis == 1)
        throw std::runtime_error(o.in.string() + " is 1-D: it has only axis 0");
    // Smoothing along the columns is smoothing along the rows of the transpose.
    const bool along_columns = two_d && o.axis == 0;
    std::size_t rows = two_d ? array.shape[0] : 1;
    std::size_t cols = two_d ? array.shape[1] : array.shape[0];
    if (along_columns) {
        array.values = transposed(array.values.data(), rows, cols);
        std::swap(rows, cols);
    }
    std::vector<double> result;
    double seconds = 0;
    if (rows > 0 && cols > 0) {
        const auto start = std::chrono::steady_clock::now();
        const lab05::matrix smoothed = lab05::split_rows(lab05::gaussian_row_kernel(o.sigma),
                                                         lab05::const_matrix_view{array.values.data(), rows, cols},
                                                         o.workers);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (smoothed.rows() != rows || smoothed.cols() != cols)
            throw std::runtime_error("split_rows returned a " + std::to_string(smoothed.rows()) + " x " +
                                     std::to_string(smoothed.cols()) + " array for a " + std::to_string(rows) +
                                     " x " + std::to_string(cols) + " input");
        result.assign(smoothed.data(), smoothed.data() + rows * cols);
        if (along_columns) result = transposed(result.data(), rows, cols);
    }
    parlab::save_npy(o.out, result, array.shape);
    std::string shape = std::to_string(array.shape[0]);
    if (two_d) shape += " x " + std::to_string(array.shape[1]);
    std::printf("smoothed %s along axis %d with sigma %g on %zu worker%s in %.3f s: %s\n", shape.c_str(),
                along_columns ? 0 : static_cast<int>(array.shape.size()) - 1, o.sigma, o.workers,
                o.workers == 1 ? "" : "s", seconds, o.out.string().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return parlab::teaching::run_program("smooth", usage, argc, argv, parse, run);
}
