#pragma once
// NumPy .npy files of doubles: the arrays numpy.save writes and numpy.load reads, so that data
// can go between the kit and NumPy/SciPy. Only what the kit needs: float64, little-endian
// ('<f8'), C order, 1 or 2 dimensions. Anything else is refused with a message saying what the
// file holds and what is expected.

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace parlab {

/// A .npy file that cannot be read or written, or holds something the kit does not support.
/// The message names the file and the problem.
class npy_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An array read from a .npy file: `shape` has 1 or 2 entries, `values` their product, in C
/// order (row after row).
struct npy_array {
    std::vector<std::size_t> shape;
    std::vector<double> values;
};

/// Reads a .npy file (format versions 1.0, 2.0 and 3.0). Throws npy_error naming the file when
/// it cannot be opened, does not start like a .npy file, has a header it cannot parse, a data
/// type other than '<f8', Fortran order, other than 1 or 2 dimensions, fewer data bytes than the
/// header announces (truncated), or bytes after the data.
[[nodiscard]] npy_array load_npy(const std::filesystem::path& path);

/// The same from a stream; `name` stands for the file in messages.
[[nodiscard]] npy_array read_npy(std::istream& in, const std::string& name);

/// Writes values with `shape` (1 or 2 entries whose product is values.size()) as numpy.save
/// does: version 1.0, '<f8', C order, the header padded with spaces to a multiple of 64 bytes.
/// Throws npy_error for a bad shape or a failed write (naming the file).
void save_npy(const std::filesystem::path& path, std::span<const double> values, std::span<const std::size_t> shape);

/// The same into a stream; `name` stands for the file in messages.
void write_npy(std::ostream& out, std::span<const double> values, std::span<const std::size_t> shape,
               const std::string& name);

}  // namespace parlab
