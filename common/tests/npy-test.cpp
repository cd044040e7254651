#include "parlab/npy.hpp"

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "parlab/testing.hpp"

namespace {

using parlab::testing::contains;

// A .npy file made by hand: magic, version 1.0, the header padded to 64 bytes, then `data`.
std::string npy_file(const std::string& dict, const std::string& data, char major = 1) {
    std::string header = dict;
    const std::size_t prefix = major == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string file = "\x93NUMPY";
    file += major;
    file += '\0';
    file += static_cast<char>(header.size() & 0xFF);
    file += static_cast<char>((header.size() >> 8) & 0xFF);
    if (major != 1) file += std::string(2, '\0');
    return file + header + data;
}

std::string doubles(const std::vector<double>& values) {
    return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

parlab::npy_array read(const std::string& bytes) {
    std::istringstream in(bytes);
    return parlab::read_npy(in, "test.npy");
}

std::string write(const std::vector<double>& values, const std::vector<std::size_t>& shape) {
    std::ostringstream out;
    parlab::write_npy(out, values, shape, "test.npy");
    return out.str();
}

// A header read_npy must refuse, and the words its message must hold.
struct refused_header {
    std::string dict;
    std::vector<std::string> says;
};

// Checks that read() refuses `bytes` with a message holding every one of `says`.
void check_refused(const std::string& bytes, const std::vector<std::string>& says) {
    std::string message;
    try {
        (void)read(bytes);
    } catch (const std::exception& error) {
        message = error.what();
    }
    std::string shown = bytes.substr(0, 90);  // the header's dict, where there is one
    for (char& c : shown)
        if (c < ' ' || c > '~') c = '.';
    INFO("the file of " << bytes.size() << " bytes starting \"" << shown << "\"");
    CHECK_FALSE(message.empty());  // empty: read() returned instead of refusing
    if (message.empty()) return;
    for (const std::string& part : says) CHECK_THAT(message, contains(part));
}

}  // namespace

TEST_CASE("write_npy writes what numpy.save writes", "[common][npy]") {
    // numpy.save(f, numpy.arange(6.0).reshape(2, 3)) writes these 128 header bytes.
    const std::string bytes = write({0, 1, 2, 3, 4, 5}, {2, 3});
    const std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    REQUIRE(bytes.size() == 128 + 48);
    CHECK(bytes.substr(0, 10) == std::string("\x93NUMPY\x01\x00\x76\x00", 10));
    CHECK(bytes.substr(10, dict.size()) == dict);
    CHECK(bytes[127] == '\n');
    CHECK(bytes.substr(10 + dict.size(), 127 - 10 - dict.size()) == std::string(127 - 10 - dict.size(), ' '));
    CHECK(bytes.substr(128) == doubles({0, 1, 2, 3, 4, 5}));
    const std::string one = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
    CHECK(write({1.5}, {1}).substr(10, one.size() + 1) == one + ' ');
}

TEST_CASE("read_npy reads back what write_npy wrote, 1-D, 2-D and empty", "[common][npy]") {
    const std::vector<std::vector<std::size_t>> shapes = {{5}, {2, 3}, {1, 1}, {0}, {0, 4}, {3, 0}};
    for (const auto& shape : shapes) {
        std::size_t count = 1;
        for (const std::size_t d : shape) count *= d;
        std::vector<double> values(count);
        for (std::size_t i = 0; i < count; ++i) values[i] = 0.1 * static_cast<double>(i) - 1e300 * static_cast<double>(i % 2);
        const parlab::npy_array back = read(write(values, shape));
        CHECK(back.shape == shape);
        CHECK(back.values == values);
    }
}

TEST_CASE("read_npy accepts the header variations NumPy may write", "[common][npy]") {
    const std::string data = doubles({1, 2, 3});
    CHECK(read(npy_file("{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<f8\"}", data)).shape ==
          std::vector<std::size_t>{3});
    CHECK(read(npy_file("{'descr':'<f8','fortran_order':False,'shape':(1,3)}", data)).shape ==
          std::vector<std::size_t>{1, 3});
    const parlab::npy_array v2 = read(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data, 2));
    CHECK(v2.values == std::vector<double>{1, 2, 3});
}

TEST_CASE("read_npy refuses other data types, Fortran order and other dimensions", "[common][npy]") {
    const refused_header refused[] = {
        {"{'descr': '>f8', 'fortran_order': False, 'shape': (4,), }", {"test.npy", "'>f8'", "'<f8'"}},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", {"'<f4'"}},
        {"{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }", {"'<i8'"}},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,), }", {"float64"}},
        {"{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", {"Fortran order"}},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 2), }", {"3 dimensions", "(1, 2, 2)"}},
    };
    for (const refused_header& header : refused) check_refused(npy_file(header.dict, doubles({1, 2, 3, 4})), header.says);
    check_refused(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", doubles({1})), {"0 dimensions"});
}

TEST_CASE("read_npy refuses bad headers and truncated files", "[common][npy]") {
    const std::string data = doubles({1, 2, 3, 4});
    const std::string good = npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", data);
    CHECK(read(good).values.size() == 4);
    check_refused("PK\x03\x04 not npy at all", {"not a NumPy .npy file"});
    check_refused("", {"not a NumPy .npy file"});
    check_refused(good.substr(0, 9), {"truncated"});
    check_refused(good.substr(0, 40), {"truncated"});
    check_refused(good.substr(0, good.size() - 1), {"truncated", "32 bytes of data", "only 31"});
    check_refused(good + "x", {"more bytes follow"});
    std::string version = good;
    version[6] = 4;
    check_refused(version, {"version 4.0"});
    const refused_header refused[] = {
        {"{'descr': '<f8', 'fortran_order': False}", {"lacks"}},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'x': 1}", {"unexpected key 'x'"}},
        {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (4,)}", {"True or False"}},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-4,)}", {"non-negative integers"}},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}", {"too large"}},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", {"too large"}},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4,)} trailing", {"after the closing"}},
    };
    for (const refused_header& header : refused) check_refused(npy_file(header.dict, data), header.says);
}

TEST_CASE("save_npy and load_npy round-trip a file and name it in errors", "[common][npy]") {
    const auto dir = std::filesystem::temp_directory_path() / ("parlab-npy-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "a.npy";
    const std::vector<double> values = {1, -2, 3.25, 4e-300, 5, 6};
    const std::vector<std::size_t> shape = {3, 2};
    parlab::save_npy(path, values, shape);
    const parlab::npy_array back = parlab::load_npy(path);
    CHECK(back.shape == shape);
    CHECK(back.values == values);
    CHECK_THROWS_WITH(parlab::load_npy(dir / "missing.npy"), contains("missing.npy") && contains("cannot open"));
    const std::vector<std::size_t> wrong = {4, 2};
    CHECK_THROWS_WITH(parlab::save_npy(path, values, wrong), contains("6 values") && contains("(4, 2)"));
    const std::vector<std::size_t> three = {1, 2, 3};
    CHECK_THROWS_WITH(parlab::save_npy(path, values, three), contains("1 or 2 dimensions"));
    CHECK_THROWS_WITH(parlab::save_npy(dir / "no-such-dir" / "b.npy", values, shape), contains("b.npy"));
    std::filesystem::remove_all(dir);
}
