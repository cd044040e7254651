#pragma once
// Catch2 for the kit's tests, whether the system has Catch2 2.x (Debian 12) or 3.x (Debian 13,
// Ubuntu 24.04). Tests include this header instead of Catch2's own and use parlab::testing for
// the few names that differ between the two.

#include <filesystem>
#include <string>
#include <vector>

#include "parlab/image.hpp"

#if __has_include(<catch2/catch_test_macros.hpp>)
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/generators/catch_generators_range.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

namespace parlab::testing {
using Approx = Catch::Approx;
/// Matches a string that contains `text`.
inline auto contains(const std::string& text) { return Catch::Matchers::ContainsSubstring(text); }
}  // namespace parlab::testing
#else
#include <catch2/catch.hpp>

namespace parlab::testing {
using Approx = Catch::Detail::Approx;
/// Matches a string that contains `text`.
inline auto contains(const std::string& text) { return Catch::Matchers::Contains(text); }
}  // namespace parlab::testing
#endif

namespace parlab::testing {
/// Whether this test program runs under AddressSanitizer or ThreadSanitizer, where every memory
/// access costs several times more. A test that repeats one check over many large inputs may
/// take a few of them there: a sanitizer needs each kind of access once to report it, and the
/// plain build still checks them all. Asked of the program, not of the test's own compile: in the
/// kit's dev tree only the code under test is instrumented.
[[nodiscard]] bool under_sanitizer();

/// The kit's images/ folder. (A function, not the path in a macro of the test's own compile: a
/// test object then names no folder of the kit, and copies of the kit share it through the
/// compiler cache.)
[[nodiscard]] std::filesystem::path images_dir();

/// The photos in the kit's images/ folder (.png and .jpg, but not truncated.jpg, which is broken on
/// purpose), sorted by name. Under a sanitizer only the two smallest files: a race or a stray write
/// shows on any photo, and the plain build still goes through every one.
[[nodiscard]] std::vector<std::filesystem::path> photos();

/// An image of bytes drawn uniformly from lowest..255 with a generator seeded by `seed` (the same
/// image for the same arguments). A copy test draws from 1: a byte nobody wrote stays 0.
[[nodiscard]] parlab::image random_image(int width, int height, int channels, unsigned seed, int lowest = 0);

/// A new, empty folder of the test's own under the temporary folder (its name starts with
/// "parlab-" and `label`, and is unique), removed with everything in it when the object goes out
/// of scope: also when a REQUIRE fails part-way through the test.
struct temp_folder {
    explicit temp_folder(const std::string& label);
    ~temp_folder();
    temp_folder(const temp_folder&) = delete;
    temp_folder& operator=(const temp_folder&) = delete;

    const std::filesystem::path path;
};

/// Cuts the running test case's time limit to `seconds` (stretched by PARLAB_TIMEOUT_SCALE) and
/// says `why` if it is reached: for a test of code whose usual mistake is a deadlock, a limit of
/// seconds that names the likely cause, instead of the runner's 90 s and a general guess. When it
/// is reached the program stops (with the processes the test started, when it leads its process
/// group), so later test cases do not hang the same way.
void limit_test_case(unsigned seconds, const std::string& why);
}  // namespace parlab::testing
