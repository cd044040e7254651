// Lab 04: the filter program's command line (run_filter_cli). Bad input gives one line on
// stderr and exit status 2 (usage) or 1 (files); a good run writes the filtered image.


#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "filter.hpp"
#include "parlab/testing.hpp"

namespace {

struct cli_result {
    int status = 0;
    std::string err;
};

cli_result run(std::vector<std::string> args) {
    std::ostringstream err;
    const int status = parlab::lab04::run_filter_cli(args, err);
    return {status, err.str()};
}


const std::string photo = (parlab::testing::images_dir() / "coins.png").string();

void check_one_line_error(const cli_result& r, int status, const std::string& mentions) {
    INFO("exit status " << r.status << ", stderr: " << r.err);
    CHECK(r.status == status);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_THAT(r.err, parlab::testing::contains(mentions));
}

}  // namespace

TEST_CASE("the filter program writes the filtered image", "[lab04][task2]") {
    const parlab::testing::temp_folder dir("lab04-cli");
    const std::string out = (dir.path / "coins-sobel.png").string();
    const cli_result r = run({photo, out, "--kernel", "sobel-x", "--workers", "2"});
    INFO("stderr: " << r.err);
    REQUIRE(r.status == 0);
    const parlab::image source = parlab::load_image(photo);
    const parlab::image written = parlab::load_image(out);
    parlab::image expected(source.width(), source.height(), source.channels());
    const auto f = parlab::lab04::named_filter("sobel-x");
    REQUIRE(f);
    for (int y = 0; y < source.height(); ++y) parlab::lab04::filter_row(source.view(), *f, y, expected.view().row(y));
    const std::string difference = parlab::first_difference(expected.view(), written.view());
    INFO(difference);
    CHECK(difference.empty());
}

TEST_CASE("the filter program reports usage mistakes in one line, exit status 2", "[lab04][task2]") {
    const parlab::testing::temp_folder dir("lab04-cli");
    const std::string out = (dir.path / "out.png").string();
    check_one_line_error(run({}), 2, "expected an INPUT and an OUTPUT");
    check_one_line_error(run({photo, out}), 2, "--kernel is required");
    check_one_line_error(run({photo, out, "--kernel"}), 2, "--kernel needs a value");
    check_one_line_error(run({photo, out, "--kernel", "sobel-z"}), 2, "unknown name");
    check_one_line_error(run({photo, out, "--kernel", "1,2,3"}), 2, "nine numbers");
    check_one_line_error(run({photo, out, "--kernel", "1,2,3,4,5,6,7,8,nine"}), 2, "'nine'");
    check_one_line_error(run({photo, out, "--kernel", "box", "--workers", "0"}), 2, "--workers");
    check_one_line_error(run({photo, out, "--kernel", "box", "--workers", "two"}), 2, "--workers");
    check_one_line_error(run({photo, out, "--kernel", "box", "--workers", "-3"}), 2, "--workers");
    check_one_line_error(run({photo, out, "--kernel", "box", "--frobnicate"}), 2, "unknown option");
    check_one_line_error(run({photo, (dir.path / "out.gif").string(), "--kernel", "box"}), 2, "extension");
    CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("the filter program reports bad files in one line, exit status 1", "[lab04][task2]") {
    const parlab::testing::temp_folder dir("lab04-cli");
    const std::string out = (dir.path / "out.png").string();
    check_one_line_error(run({(parlab::testing::images_dir() / "truncated.jpg").string(), out, "--kernel", "box"}), 1, "truncated.jpg");
    check_one_line_error(run({(dir.path / "missing.png").string(), out, "--kernel", "box"}), 1, "missing.png");
    const std::string not_an_image = (dir.path / "notes.png").string();
    std::ofstream(not_an_image) << "this is not a PNG file\n";
    check_one_line_error(run({not_an_image, out, "--kernel", "box"}), 1, "notes.png");
    const std::string unwritable = (dir.path / "no-such-folder" / "out.png").string();
    check_one_line_error(run({photo, unwritable, "--kernel", "box"}), 1, "out.png");
}
