#include "parlab/teaching.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "parlab/testing.hpp"

namespace {

using parlab::testing::contains;

// A folder for this test program's files, under the system's temporary folder.
std::filesystem::path scratch() {
    return std::filesystem::temp_directory_path() / ("parlab-teaching-test-" + std::to_string(::getpid()));
}

}  // namespace

TEST_CASE("output_file makes its folder and writes the file", "[common][teaching]") {
    const std::filesystem::path path = scratch() / "demo" / "results.csv";
    parlab::teaching::output_file file(path);
    file.stream() << "version,result\n\"v1\",3.5\n";
    file.close();
    CHECK(file.path() == path);
    std::ostringstream text;
    text << std::ifstream(path).rdbuf();
    CHECK(text.str() == "version,result\n\"v1\",3.5\n");
    std::filesystem::remove_all(scratch());
}

TEST_CASE("output_file::close names the file it could not write", "[common][teaching]") {
    SECTION("it could not be made: a folder has its name") {
        std::filesystem::create_directories(scratch() / "taken.csv");
        parlab::teaching::output_file file(scratch() / "taken.csv");
        file.stream() << "lost\n";
        CHECK_THROWS_WITH(file.close(), contains("cannot write") && contains("taken.csv"));
        std::filesystem::remove_all(scratch());
    }
    SECTION("a write failed: the device is full") {
        parlab::teaching::output_file file("/dev/full");
        file.stream() << "lost\n";
        CHECK_THROWS_WITH(file.close(), contains("cannot write /dev/full"));
    }
}
