#include "parlab/npy.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <string_view>

namespace parlab {
namespace {

constexpr std::string_view magic = "\x93NUMPY";
constexpr std::size_t header_alignment = 64;

[[noreturn]] void fail(const std::string& name, const std::string& problem) {
    throw npy_error(name + ": " + problem);
}

std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
    return text + (shape.size() == 1 ? ",)" : ")");
}

// The header is a Python dict literal such as
//     {'descr': '<f8', 'fortran_order': False, 'shape': (100, 400000), }
// This reads exactly the subset numpy.save writes: quoted strings, True/False, tuples of integers.
class header_parser {
public:
    header_parser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

    struct fields {
        std::string descr;
        bool fortran_order = false;
        std::vector<std::size_t> shape;
    };

    fields parse() {
        fields result;
        bool has_descr = false, has_order = false, has_shape = false;
        expect('{');
        for (;;) {
            skip_spaces();
            if (peek() == '}') break;
            const std::string key = quoted();
            expect(':');
            if (key == "descr") {
                skip_spaces();
                if (peek() != '\'' && peek() != '"')
                    bad("the data type is not a simple type string: only little-endian float64 ('<f8') is supported");
                result.descr = quoted();
                has_descr = true;
            } else if (key == "fortran_order") {
                result.fortran_order = boolean();
                has_order = true;
            } else if (key == "shape") {
                result.shape = tuple();
                has_shape = true;
            } else {
                bad("unexpected key '" + key + "' (expected descr, fortran_order and shape)");
            }
            skip_spaces();
            if (peek() == ',') {
                ++at_;
                continue;
            }
            if (peek() != '}') bad("expected ',' or '}' after the value of '" + key + "'");
        }
        ++at_;
        skip_spaces();
        if (at_ != text_.size()) bad("unexpected text after the closing '}'");
        if (!has_descr || !has_order || !has_shape) bad("the header lacks one of descr, fortran_order and shape");
        return result;
    }

private:
    [[noreturn]] void bad(const std::string& problem) const {
        fail(name_, "bad .npy header \"" + std::string(text_) + "\": " + problem);
    }
    char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
    void skip_spaces() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n')) ++at_;
    }
    void expect(char c) {
        skip_spaces();
        if (peek() != c) bad(std::string("expected '") + c + "'");
        ++at_;
    }
    std::string quoted() {
        skip_spaces();
        const char quote = peek();
        if (quote != '\'' && quote != '"') bad("expected a quoted key or string");
        const std::size_t end = text_.find(quote, at_ + 1);
        if (end == std::string_view::npos) bad("a string is not closed");
        std::string value(text_.substr(at_ + 1, end - at_ - 1));
        at_ = end + 1;
        return value;
    }
    bool boolean() {
        skip_spaces();
        for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, std::pair{std::string_view("False"), false}}) {
            if (text_.substr(at_, word.size()) == word) {
                at_ += word.size();
                return value;
            }
        }
        bad("fortran_order must be True or False");
    }
    std::vector<std::size_t> tuple() {
        expect('(');
        std::vector<std::size_t> values;
        for (;;) {
            skip_spaces();
            if (peek() == ')') break;
            if (peek() < '0' || peek() > '9') bad("the shape must be a tuple of non-negative integers");
            std::size_t value = 0;
            while (peek() >= '0' && peek() <= '9') {
                const auto digit = static_cast<std::size_t>(peek() - '0');
                if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) bad("a dimension is too large");
                value = value * 10 + digit;
                ++at_;
            }
            values.push_back(value);
            skip_spaces();
            if (peek() == ',') {
                ++at_;
                continue;
            }
            if (peek() != ')') bad("expected ',' or ')' in the shape");
        }
        ++at_;
        return values;
    }

    std::string_view text_;
    const std::string& name_;
    std::size_t at_ = 0;
};

std::uint64_t swap_bytes(std::uint64_t v) {
    std::uint64_t r = 0;
    for (int i = 0; i < 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xFF);
    return r;
}

// The values as little-endian bytes, in place (nothing to do on a little-endian machine).
void to_or_from_little_endian(std::span<double> values) {
    if constexpr (std::endian::native == std::endian::little) return;
    for (double& v : values) v = std::bit_cast<double>(swap_bytes(std::bit_cast<std::uint64_t>(v)));
}

std::size_t read_some(std::istream& in, char* into, std::size_t count) {
    in.read(into, static_cast<std::streamsize>(count));
    return static_cast<std::size_t>(in.gcount());
}

}  // namespace

npy_array read_npy(std::istream& in, const std::string& name) {
    char start[12] = {};  // magic, version, and a length of 2 (version 1) or 4 bytes
    const std::size_t got = read_some(in, start, 8);
    if (got < magic.size() || std::string_view(start, magic.size()) != magic)
        fail(name, "not a NumPy .npy file (it does not start with \\x93NUMPY)");
    if (got < 8) fail(name, "truncated: the file ends inside the .npy header");
    const auto major = static_cast<unsigned char>(start[6]);
    const auto minor = static_cast<unsigned char>(start[7]);
    if (major < 1 || major > 3)
        fail(name, ".npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                       " is not supported (expected 1.0, 2.0 or 3.0)");
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    if (read_some(in, start + 8, length_bytes) < length_bytes) fail(name, "truncated: the file ends inside the .npy header");
    std::size_t header_length = 0;
    for (std::size_t i = 0; i < length_bytes; ++i)
        header_length |= static_cast<std::size_t>(static_cast<unsigned char>(start[8 + i])) << (8 * i);
    std::string header(header_length, '\0');
    if (read_some(in, header.data(), header_length) < header_length)
        fail(name, "truncated: the file ends inside the .npy header");

    const header_parser::fields fields = header_parser(header, name).parse();
    if (fields.descr != "<f8")
        fail(name, "the data type is '" + fields.descr +
                       "'; only little-endian float64 ('<f8') is supported (in NumPy: a.astype('<f8'))");
    if (fields.fortran_order)
        fail(name, "the array is stored in Fortran order; only C order is supported (in NumPy: "
                   "numpy.ascontiguousarray(a))");
    if (fields.shape.empty() || fields.shape.size() > 2)
        fail(name, "the array has " + std::to_string(fields.shape.size()) + " dimensions " + shape_text(fields.shape) +
                       "; only 1 or 2 are supported");
    std::size_t count = 1;
    for (const std::size_t d : fields.shape) {
        if (d != 0 && count > std::numeric_limits<std::size_t>::max() / sizeof(double) / d)
            fail(name, "the shape " + shape_text(fields.shape) + " is too large");
        count *= d;
    }

    npy_array array;
    array.shape = fields.shape;
    array.values.resize(count);
    const std::size_t data_bytes = count * sizeof(double);
    const std::size_t data_got = read_some(in, reinterpret_cast<char*>(array.values.data()), data_bytes);
    if (data_got < data_bytes)
        fail(name, "truncated: the header announces " + shape_text(fields.shape) + " float64 values (" +
                       std::to_string(data_bytes) + " bytes of data), but only " + std::to_string(data_got) +
                       " bytes follow");
    char extra[256];
    if (const std::size_t more = read_some(in, extra, sizeof extra); more > 0)
        fail(name, "more bytes follow the " + std::to_string(data_bytes) + " bytes of data the header announces");
    to_or_from_little_endian(array.values);
    return array;
}

npy_array load_npy(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path.string(), "cannot open the file for reading");
    return read_npy(in, path.string());
}

void write_npy(std::ostream& out, std::span<const double> values, std::span<const std::size_t> shape,
               const std::string& name) {
    const std::vector<std::size_t> dims(shape.begin(), shape.end());
    if (dims.empty() || dims.size() > 2) fail(name, "cannot save " + shape_text(dims) + ": 1 or 2 dimensions only");
    std::size_t count = 1;
    for (const std::size_t d : dims) count *= d;
    if (count != values.size())
        fail(name, "cannot save " + std::to_string(values.size()) + " values with the shape " + shape_text(dims));

    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape_text(dims) + ", }";
    const std::size_t unpadded = magic.size() + 4 + header.size() + 1;  // + version, length, '\n'
    header.append((header_alignment - unpadded % header_alignment) % header_alignment, ' ');
    header += '\n';
    const std::size_t length = header.size();
    out.write(magic.data(), static_cast<std::streamsize>(magic.size()));
    const char version_and_length[4] = {1, 0, static_cast<char>(length & 0xFF), static_cast<char>(length >> 8)};
    out.write(version_and_length, 4);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    if constexpr (std::endian::native == std::endian::little) {
        out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(double)));
    } else {
        std::vector<double> swapped(values.begin(), values.end());
        to_or_from_little_endian(swapped);
        out.write(reinterpret_cast<const char*>(swapped.data()), static_cast<std::streamsize>(swapped.size() * sizeof(double)));
    }
    out.flush();
    if (!out) fail(name, "cannot write the file");
}

void save_npy(const std::filesystem::path& path, std::span<const double> values, std::span<const std::size_t> shape) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) fail(path.string(), "cannot open the file for writing");
    write_npy(out, values, shape, path.string());
    out.close();
    if (!out) fail(path.string(), "cannot write the file");
}

}  // namespace parlab
