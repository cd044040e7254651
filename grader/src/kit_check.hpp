#pragma once
// The kit's own consistency, checked when the grader is built (target parlab_kit_checked) and by
// `parlab_grader check-kit`: each fact about a lab is written once, and what refers to it must
// find it.

#include <filesystem>
#include <string>
#include <vector>

namespace parlab::grader {

/// What is wrong with the kit at `root`, one line each naming the file and the key; empty when
/// nothing is. Checked: every lab.json and rubric loads (load_labs: keys, types, tasks); every
/// probe or race check has its verifier and every timing check's student side its timed
/// verifier, registered by the lab's verify.cpp; every verifier a verify.cpp registers is used by
/// a check of its lab, and names a lab that exists; with solutions/, every known-bad variant of
/// a kit.json names a patch that applies to the model answer.
[[nodiscard]] std::vector<std::string> kit_problems(const std::filesystem::path& root);

}  // namespace parlab::grader
