// The kit check (parlab_grader check-kit, run by the build): each fact about a lab is written
// once, and a broken reference to it names the file and the key.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "build.hpp"
#include "kit_check.hpp"
#include "known_bad.hpp"
#include "parlab/testing.hpp"

using namespace parlab::grader;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

// The kit's lab facts (every lab.json, rubric and probe, and lab 01's model answer with its
// known-bad patches) copied into a folder of their own, to break one at a time.
struct kit_copy {
    fs::path root = fs::temp_directory_path() / ("parlab-kit-check-test-" + std::to_string(::getpid()));
    kit_copy() {
        const fs::path kit = PARLAB_KIT_ROOT;
        for (const auto& lab : fs::directory_iterator(kit / "labs")) {
            const std::string folder = lab.path().filename().string();
            if (!fs::exists(lab.path() / "lab.json")) continue;
            write_text(root / "labs" / folder / "lab.json", read_text(lab.path() / "lab.json"));
            for (const char* file : {"rubric.json", "probe.cpp"})
                write_text(root / "grader/labs" / folder / file, read_text(kit / "grader/labs" / folder / file));
        }
        if (fs::is_directory(kit / "solutions")) {  // not in a student edition
            fs::create_directories(root / "solutions");
            fs::copy(kit / "solutions/01-race-condition", root / "solutions/01-race-condition", fs::copy_options::recursive);
        }
    }
    ~kit_copy() {
        std::error_code ignored;
        fs::remove_all(root, ignored);
    }
    // What the kit check reports on the copy, each problem shown when the test fails.
    [[nodiscard]] std::vector<std::string> problems() const {
        auto found = kit_problems(root);
        for (const auto& problem : found) UNSCOPED_INFO(problem);
        return found;
    }
    // Replaces the first `from` in `file` (relative to the copy) by `to`.
    void edit(const std::string& file, const std::string& from, const std::string& to) const {
        std::string text = read_text(root / file);
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
        write_text(root / file, text);
    }
};

// One fact of the kit changed by an edit of one file (the first `from` replaced by `to`), and
// the problems the kit check must report for it, in its order.
struct broken_fact {
    const char* what;
    const char* file;  // relative to the kit
    const char* from;
    const char* to;
    std::vector<std::string> problems;
};

}  // namespace

TEST_CASE("the kit as it is has nothing for the kit check to report", "[grader][kit-check]") {
    const std::vector<std::string> problems = kit_problems(PARLAB_KIT_ROOT);
    for (const auto& problem : problems) UNSCOPED_INFO(problem);
    CHECK(problems.empty());
    CHECK(kit_problems(kit_copy().root).empty());
}

TEST_CASE("a check deleted from a rubric is named with the verifier and the probe entry left over", "[grader][kit-check]") {
    const kit_copy kit;
    const std::string rubric = "grader/labs/01-race-condition/rubric.json";
    auto edited = nlohmann::json::parse(read_text(kit.root / rubric));
    edited["checks"].erase(edited["checks"].size() - 1);  // atomic-processes
    write_text(kit.root / rubric, edited.dump(2));
    CHECK(kit.problems() == std::vector<std::string>{"grader/labs/01-race-condition/verify.cpp: verifier \"atomic-processes\" is "
                                                     "used by no check of grader/labs/01-race-condition/rubric.json",
                                                     "grader/labs/01-race-condition/probe.cpp: table.checks[\"atomic-processes\"] is "
                                                     "used by no check of grader/labs/01-race-condition/rubric.json"});
}

TEST_CASE("a fact changed in one file only stops the kit check, which names the file and the key", "[grader][kit-check]") {
    const broken_fact broken[] = {
        {"a check renamed in the probe only: the rubric's check has no probe entry, the probe's entry no check",
         "grader/labs/01-race-condition/probe.cpp", R"(table.checks["locked-processes"])", R"(table.checks["locked-procs"])",
         {"grader/labs/01-race-condition/rubric.json: check \"locked-processes\": "
          "grader/labs/01-race-condition/probe.cpp has no table.checks[\"locked-processes\"]",
          "grader/labs/01-race-condition/probe.cpp: table.checks[\"locked-procs\"] is used by no check of "
          "grader/labs/01-race-condition/rubric.json"}},
        {"a check renamed in the rubric: it has no verifier", "grader/labs/01-race-condition/rubric.json",
         R"("name": "locked-processes")", R"("name": "locked-procs")",
         {"grader/labs/01-race-condition/rubric.json: check \"locked-procs\": unknown key \"runs\" (no "
          "verifier is named \"locked-procs\" in grader/labs/01-race-condition/verify.cpp)"}},
        {"a race check's probe renamed, without keys of its own", "grader/labs/01-race-condition/rubric.json",
         R"("probe": "mutex-threads", "runs": 2,)", R"("probe": "mutex-thread",)",
         {"grader/labs/01-race-condition/rubric.json: check \"mutex-race-free\": probe \"mutex-thread\" "
          "has no verifier in grader/labs/01-race-condition/verify.cpp",
          "grader/labs/01-race-condition/rubric.json: check \"mutex-race-free\": "
          "grader/labs/01-race-condition/probe.cpp has no table.checks[\"mutex-thread\"]"}},
        {"a rubric key given a default in the probe as well as in its verifier", "grader/labs/01-race-condition/probe.cpp",
         R"(args.number("runs"))", R"(args.number("runs", 5))",
         {"grader/labs/01-race-condition/probe.cpp: args.number(\"runs\", ...) gives rubric key \"runs\" "
          "a second default; the one in grader/labs/01-race-condition/verify.cpp is passed to every run: "
          "read it as args.number(\"runs\")"}},
        {"task points written in lab.json as well as in the rubric", "labs/05-array-splitting/lab.json", R"("id": 4, )",
         R"("id": 4, "points": 15, )", {"labs/05-array-splitting/lab.json: task 4: \"points\" is the rubric's to give (a task is worth what its "
          "checks in grader/labs/05-array-splitting/rubric.json add up to): remove it"}},
        {"a race check in a lab whose lab.json says it runs no threads", "labs/01-race-condition/lab.json", R"("tasks")",
         R"("threads": false, "tasks")", {"grader/labs/01-race-condition/rubric.json: check \"mutex-race-free\" is a race check, but "
          "labs/01-race-condition/lab.json says \"threads\": false (ThreadSanitizer follows the threads of one "
          "process, so it has nothing to check in a lab of processes alone)"}},
    };
    for (const broken_fact& fact : broken) {
        INFO(fact.what);
        const kit_copy kit;
        kit.edit(fact.file, fact.from, fact.to);
        CHECK(kit.problems() == fact.problems);
    }
}

TEST_CASE("a known-bad patch that no longer applies to the model answer is named", "[grader][kit-check]") {
    if (!fs::is_directory(fs::path(PARLAB_KIT_ROOT) / "solutions")) {
        WARN("skipped: this copy of the kit has no solutions/ (it is the student edition)");
        return;
    }
    const kit_copy kit;
    // the model answer changed under the patches: every line of it moved into another function
    std::string solution = read_text(kit.root / "solutions/01-race-condition/bank.cpp");
    std::replace(solution.begin(), solution.end(), '{', '(');
    write_text(kit.root / "solutions/01-race-condition/bank.cpp", solution);
    const auto problems = kit_problems(kit.root);
    CHECK_FALSE(problems.empty());
    for (const auto& problem : problems) CHECK_THAT(problem, parlab::testing::contains("no longer applies to solutions/01-race-condition/bank.cpp"));
}

// ./parlab test grades one known-bad variant of each lab, the commit count as the turn: successive
// turns must reach every variant, and a draw must be the same for the same seed.
TEST_CASE("known-bad sampling: turns reach every variant, draws repeat with their seed", "[grader][known-bad]") {
    known_bad_options options;
    options.sample = 1;
    for (const std::size_t count : {std::size_t{1}, std::size_t{2}, std::size_t{5}, std::size_t{8}}) {
        std::vector<int> times_graded(count, 0);
        for (unsigned long long turn = 1000; turn < 1000 + count; ++turn) {
            options.turn = turn;
            const auto graded = variants_to_grade(count, options, 4);
            CHECK(std::count(graded.begin(), graded.end(), true) == 1);
            for (std::size_t i = 0; i < count; ++i) times_graded[i] += graded[i] ? 1 : 0;
        }
        CHECK(std::all_of(times_graded.begin(), times_graded.end(), [](int n) { return n == 1; }));
    }
    options.sample = 2;  // 5 variants, two a turn: turns 0 to 2 grade 0 1, 2 3, 4 0
    options.turn = 2;
    CHECK(variants_to_grade(5, options, 4) == std::vector<bool>{true, false, false, false, true});
    options.sample = 9;  // more than there are: every one
    CHECK(variants_to_grade(3, options, 4) == std::vector<bool>(3, true));

    options.turn.reset();
    options.sample = 2;
    options.seed = 77;
    const auto drawn = variants_to_grade(8, options, 5);
    CHECK(std::count(drawn.begin(), drawn.end(), true) == 2);
    CHECK(variants_to_grade(8, options, 5) == drawn);
    options.sample = 0;  // no sample: every variant
    CHECK(variants_to_grade(4, options, 5) == std::vector<bool>(4, true));
}
