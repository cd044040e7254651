#include "kit_build.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "io.hpp"

namespace parlab::grader {
namespace fs = std::filesystem;

int run_program(const std::vector<std::string>& argv, const fs::path& workdir, const fs::path& log, bool stdout_to_stderr) {
    std::vector<char*> raw;
    for (const auto& a : argv) raw.push_back(const_cast<char*>(a.c_str()));
    raw.push_back(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("cannot start a process (fork failed)");
    if (child == 0) {
        if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) ::_exit(127);
        if (!log.empty()) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (out < 0) ::_exit(127);
            ::dup2(out, 1);
            ::dup2(out, 2);
        } else if (stdout_to_stderr) {
            ::dup2(2, 1);
        }
        ::signal(SIGPIPE, SIG_DFL);  // the grader ignores it; the program gets the default
        ::execvp(raw[0], raw.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return 127;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

namespace {

/// The lines of a build log worth showing when the build failed: errors with a little context.
std::string build_errors(const std::string& log) {
    std::istringstream lines(log);
    std::vector<std::string> all;
    for (std::string line; std::getline(lines, line);) all.push_back(line);
    // The compiler's command line (ninja prints it after FAILED) says nothing to a student.
    const auto command_line = [](const std::string& line) {
        return line.find(" -c ") != std::string::npos && line.find(" -o ") != std::string::npos;
    };
    std::string shown;
    int count = 0;
    for (std::size_t i = 0; i < all.size() && count < 60; ++i) {
        if (all[i].find("error") == std::string::npos && all[i].find("FAILED") == std::string::npos) continue;
        // each line once: the next search starts after the lines shown with this one
        std::size_t j = i;
        for (; j < all.size() && j <= i + 6 && count < 60; ++j)
            if (!command_line(all[j])) {
                shown += all[j] + "\n";
                ++count;
            }
        i = j - 1;
    }
    return shown;
}

// How many tests of a ctest run passed, failed and were skipped, from its summary ("100% tests
// passed, 0 tests failed out of 76", which counts a skipped test as passed, and one "(Skipped)"
// line for each); nothing when the run stopped before it.
struct test_count {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
};
std::optional<test_count> count_tests(const std::string& log) {
    static const std::regex summary(R"(tests passed, ([0-9]+) tests? failed out of ([0-9]+))");
    static const std::regex skipped_line(R"(\n\s*[0-9]+ - \S+ \(Skipped\))");
    std::optional<test_count> last;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), summary); it != std::sregex_iterator(); ++it) {
        const int failed = std::stoi((*it)[1]), total = std::stoi((*it)[2]);
        last = test_count{total - failed, failed, 0};
    }
    if (last) {
        last->skipped = static_cast<int>(std::distance(std::sregex_iterator(log.begin(), log.end(), skipped_line),
                                                       std::sregex_iterator()));
        last->passed -= last->skipped;
    }
    return last;
}

}  // namespace

void build_targets(const fs::path& root, const std::string& preset, const std::vector<std::string>& targets) {
    const fs::path tree = root / "build" / preset;
    fs::create_directories(tree);
    if (!fs::exists(tree / "build.ninja")) {
        fmt::print(stderr, "parlab: first use of build/{}: configuring and building it takes a few minutes (later "
                           "builds only what changed)\n", preset);
        if (run_program({"cmake", "--preset", preset}, root, tree / "configure.log") != 0) {
            fmt::print(stderr, "{}", build_errors(read_text(tree / "configure.log")));
            throw std::runtime_error(
                fmt::format("configuring build/{} failed; the full log is build/{}/configure.log", preset, preset));
        }
    }
    std::vector<std::string> argv = {"cmake", "--build", "--preset", preset};
    if (!targets.empty()) {
        argv.emplace_back("--target");
        argv.insert(argv.end(), targets.begin(), targets.end());
    }
    // On a terminal the build tool draws its own one-line progress; elsewhere the output goes to
    // the log and only the errors are shown.
    const bool live = ::isatty(2) != 0;
    const fs::path log = tree / "build.log";
    if (live) fmt::print(stderr, "parlab: building build/{}\n", preset);
    if (run_program(argv, root, live ? fs::path() : log) != 0) {
        if (!live) fmt::print(stderr, "{}", build_errors(read_text(log)));
        throw std::runtime_error(fmt::format("the build in build/{} failed; see the errors above{}", preset,
                                             live ? "" : fmt::format(" or build/{}/build.log", preset)));
    }
    // Said only when something was built, so that a command's own answer stands alone.
    if (const std::string text = live ? "" : read_text(log);
        text.find("Building ") != std::string::npos || text.find("Linking ") != std::string::npos)
        fmt::print(stderr, "parlab: built build/{} (log: build/{}/build.log)\n", preset, preset);
}

int run_kit_tests(const fs::path& root) {
    // Every test runs in the dev tree. With solutions/ (the kit's own repository), labs/ holds the
    // untouched skeletons: the kit check runs their tests (they must fail), so the plain lab tests
    // are left out. The dev tree's tests also build the release tree's grader tests and run them,
    // run the solutions' tests under AddressSanitizer and UBSan (cmake/ParlabOptions.cmake), and
    // build the tsan tree and run its tests (grader.tsan-tree, grader.tsan-tests). Five at a time
    // there: the end-to-end tests spend much of their time waiting (time limits of deadlocked
    // variants and skeletons, sandboxes, links), and the build of the grader's tests takes two
    // (PROCESSORS in grader/tests/CMakeLists.txt). With four, the short tests (the labs' own)
    // waited until the known-bad parts ended and then ran with a processor a third idle: 608 s and
    // 1,120 processor seconds from a fresh clone, against 592 s and 1,101 with five. (Five was
    // worse while the skeletons had a test of their own beside the known-bad parts: both compiled
    // the same probes at once, each missing the compiler cache.)
    const bool kit_repository = fs::is_directory(root / "solutions");
    build_targets(root, "dev", {});
    fmt::print(stderr, "parlab: testing build/dev\n");
    const fs::path log = root / "build" / "dev" / "test.log";
    std::vector<std::string> argv = {"ctest", "--preset", "dev", kit_repository ? "-j5" : "-j2", "--output-log",
                                     log.string()};
    if (kit_repository) argv.insert(argv.end(), {"-LE", "^lab$"});
    const int code = run_program(argv, root, {}, false);
    const auto counted = count_tests(read_text(log));
    const test_count total = counted.value_or(test_count{});
    fmt::print("\nparlab test: {} passed, {} failed{}\n", total.passed, total.failed,
               total.skipped > 0 ? fmt::format(", {} skipped", total.skipped) : "");
    return code == 0 && counted && total.failed == 0 ? 0 : 1;
}

}  // namespace parlab::grader
