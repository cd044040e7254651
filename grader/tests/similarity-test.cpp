// The class's similarity check, with sim_c++ (./parlab test installs similarity-tester), on a
// small class of lab 01 submissions made from the kit's own files.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "parlab/testing.hpp"
#include "similarity.hpp"

using namespace parlab::grader;
using parlab::testing::contains;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

}  // namespace

TEST_CASE("the skeleton's own lines are left out of the comparison", "[grader][similarity]") {
    const std::string skeleton = "int main() {\n    // TODO: your code\n    return 0;\n}\n";
    CHECK(without_given_lines("int main() {\n    return 0;\n}\n", skeleton).empty());
    CHECK(without_given_lines("int main() {\n  int mine = 1;\n  return 0;\n}\n", skeleton) == "  int mine = 1;\n");
    const auto shares = parse_sim_shares("File 0.cpp: 10 tokens\n0.cpp consists for 97 % of 1.cpp material\nnoise\n");
    REQUIRE(shares.size() == 1);
    CHECK(shares[0] == std::tuple<std::string, std::string, int>{"0.cpp", "1.cpp", 97});
}

TEST_CASE("a copy with its names changed is found; the skeleton and unrelated code are not", "[grader][similarity]") {
    const fs::path kit = PARLAB_KIT_ROOT;
    if (!fs::is_directory(kit / "solutions")) {
        WARN("skipped: this copy of the kit has no solutions/ (it is the student edition), whose work the test copies");
        return;
    }
    const fs::path dir = fs::temp_directory_path() / ("parlab-similarity-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const std::string solution = read(kit / "solutions" / "01-race-condition" / "bank.cpp");
    const std::string skeleton = read(kit / "labs" / "01-race-condition" / "bank.cpp");
    write(dir / "class" / "amy" / "01-race-condition" / "bank.cpp", solution);
    // the same code with every identifier of its own renamed
    write(dir / "class" / "ben" / "bank.cpp",
          std::regex_replace(std::regex_replace(solution, std::regex("balance"), "money"), std::regex("worker"), "helper"));
    write(dir / "class" / "cy" / "bank.cpp", skeleton);  // handed in untouched: nothing of their own
    write(dir / "class" / "dan" / "bank.cpp", skeleton + "\nnamespace {\nint unrelated_helper(int a, int b) {\n    int sum = 0;\n"
                                                         "    for (int i = a; i < b; ++i) sum += i * i % 7;\n    return sum;\n}\n}\n");
    similarity_options options;
    options.root = kit;
    options.submissions = dir / "class";
    options.out = dir / "similarity.html";
    options.threshold = 60;
    const auto pairs = find_similar(options);
    REQUIRE(pairs.size() == 1);
    CHECK(pairs[0].lab == "01-race-condition");
    CHECK(pairs[0].first == "amy");
    CHECK(pairs[0].second == "ben");
    CHECK(pairs[0].first_share >= 90);
    CHECK(pairs[0].second_share >= options.threshold);
    CHECK_THAT(pairs[0].runs, contains("|"));  // the two sides of each run
    const std::string html = similarity_html(pairs, options, 4);
    CHECK_THAT(html, contains("amy") && contains("ben") && contains("4 submissions"));
    CHECK(html.find("<script") == std::string::npos);
    fs::remove_all(dir);
}
