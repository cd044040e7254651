// The kit's typed JSON macro (grader/shared/typed_json.hpp), which every lab's answers.hpp uses:
// it must round-trip, refuse a missing required field by name, and keep an optional field's
// default. It is built against whatever nlohmann-json the machine has, 3.10.5 included.

#include <string>
#include <vector>

#include "parlab/testing.hpp"
#include "typed_json.hpp"

namespace json_test {

struct sample {
    std::vector<long> values;
    std::string label = "none";
};
PARLAB_JSON_FIELDS(sample, values, label)

struct lenient {
    std::vector<long> values;
    long extra = 7;
};
PARLAB_JSON_OPTIONAL(lenient, values, extra)

}  // namespace json_test

TEST_CASE("PARLAB_JSON_FIELDS writes every field and reads it back", "[grader][json]") {
    const json_test::sample written{{3, -1, 4}, "pi"};
    const nlohmann::json json = written;
    CHECK(json.dump() == R"({"label":"pi","values":[3,-1,4]})");
    const auto read = json.get<json_test::sample>();
    CHECK(read.values == written.values);
    CHECK(read.label == "pi");
}

TEST_CASE("PARLAB_JSON_FIELDS refuses an answer without a field, naming it", "[grader][json]") {
    const auto missing = nlohmann::json::parse(R"({"values": [1]})");
    try {
        (void)missing.get<json_test::sample>();
        FAIL("a missing field was accepted");
    } catch (const nlohmann::json::out_of_range& error) {
        CHECK_THAT(std::string(error.what()), parlab::testing::contains("label"));
    }
    CHECK_THROWS_AS(nlohmann::json::parse(R"({"values": "three", "label": "x"})").get<json_test::sample>(),
                    nlohmann::json::type_error);
}

TEST_CASE("PARLAB_JSON_OPTIONAL keeps the struct's default for a missing field", "[grader][json]") {
    const auto read = nlohmann::json::parse(R"({"values": [5, 6]})").get<json_test::lenient>();
    CHECK(read.values == std::vector<long>{5, 6});
    CHECK(read.extra == 7);
    CHECK(nlohmann::json::parse(R"({"values": [], "extra": 9})").get<json_test::lenient>().extra == 9);
}
