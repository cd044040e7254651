#pragma once
// Catch2 for the kit's tests, whether the system has Catch2 2.x (Debian 12) or 3.x (Debian 13,
// Ubuntu 24.04). Tests include this header instead of Catch2's own and use parlab::testing for
// the few names that differ between the two.

#include <string>

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
