#pragma once
// The kit's build driver: configures and builds the trees of CMakePresets.json (build/PRESET) and
// runs their tests. The `parlab` script builds only this program, the first time it is needed;
// every other tree is built from here, with the same messages.

#include <filesystem>
#include <string>
#include <vector>

namespace parlab::grader {

/// Runs argv in `workdir` (empty: here) and waits for it. Its output goes to `log` when given, else
/// to this process's stderr (its stdout too, unless `stdout_to_stderr` is false: a build's chatter
/// never mixes with a command's answer).
/// Returns the exit code (128 + signal for a killed program, 127 when it cannot start).
int run_program(const std::vector<std::string>& argv, const std::filesystem::path& workdir,
                const std::filesystem::path& log = {}, bool stdout_to_stderr = true);

/// Builds `targets` of build/PRESET (configuring it first when needed). Progress and errors go to
/// stderr; throws std::runtime_error when the build fails, naming its log.
void build_targets(const std::filesystem::path& root, const std::string& preset, const std::vector<std::string>& targets);

/// `./parlab test`: builds the kit's trees and runs their tests, and prints how many passed and
/// failed. In the kit's own repository (it has solutions/): the dev tree without the skeletons'
/// plain lab tests (the kit's self-check runs them, and they must fail), then the tsan tree; in a
/// student edition: the dev tree. Returns 0 when every test ran and passed.
int run_kit_tests(const std::filesystem::path& root);

}  // namespace parlab::grader
