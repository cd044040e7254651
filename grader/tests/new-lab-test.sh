#!/usr/bin/env bash
# Adding a lab touches labs/NN-name/, solutions/NN-name/ and grader/labs/NN-name/, nothing else:
# this test writes a tiny lab (triangle numbers) into those three folders of a copy of the kit,
# and nothing anywhere else, then builds it, runs its kit self-check (the solution passes, the
# skeleton fails), and grades it (the solution gets every point, the skeleton none, the known-bad
# variant fails the lab's tests and loses the points of their task).
set -uo pipefail
kit=$(cd "$1" && pwd)
# Under the kit's build/, so that the copy's files sit at the same paths relative to it as the
# kit's own (what ccache matches when it gives the copy the release tree's objects).
mkdir -p "$kit/build"
work=$(mktemp -d -p "$kit/build" new-lab-test.XXXXXX)
chmod 755 "$work"  # under root the grader compiles and runs student code as nobody, who must read the copy
trap 'rm -rf "$work"' EXIT
fail() { echo "new-lab test: $*" >&2; exit 1; }

copy=$work/kit
mkdir -p "$copy"
# The kit as it is now: in a git work tree its tracked files and new ones not ignored (build/ is);
# elsewhere (a copied kit, a root without git) every file but build/.
if [[ -e $kit/.git ]] && command -v git >/dev/null; then
    (cd "$kit" && git ls-files -co --exclude-standard -z | xargs -0 -I{} cp --parents -p {} "$copy/") ||
        fail "cannot copy the kit"
else
    (cd "$kit" && tar --exclude=./build --exclude=./.git -cf - .) | (cd "$copy" && tar -xf -) || fail "cannot copy the kit"
fi
[[ -f $copy/CMakeLists.txt ]] || fail "the copy of the kit is empty"

lab=$copy/labs/99-throwaway solution=$copy/solutions/99-throwaway grading=$copy/grader/labs/99-throwaway
mkdir -p "$lab/tests" "$solution/bad" "$grading"

cat >"$lab/lab.json" <<'EOF'
{
  "number": 99,
  "name": "throwaway",
  "title": "Triangle numbers (the kit's own test of adding a lab)",
  "sources": ["triangle.cpp"],
  "tests": ["tests/triangle-test.cpp"],
  "tasks": [{"id": 1, "title": "Triangle numbers"}]
}
EOF
printf '# Lab 99: triangle numbers\n\nA lab made by the kit'"'"'s tests.\n' >"$lab/README.md"
printf '# Hints\n\n## Task 1\n\n### Hint 1\n\nAdd 1 + 2 + ... + n.\n' >"$lab/hints.md"
printf '# Answers\n\nNo questions.\n' >"$lab/ANSWERS.md"
cat >"$lab/triangle.hpp" <<'EOF'
#pragma once
namespace parlab::lab99 {
/// 1 + 2 + ... + n, for n >= 0.
long triangle(long n);
}  // namespace parlab::lab99
EOF
cat >"$lab/triangle.cpp" <<'EOF'
#include "triangle.hpp"
namespace parlab::lab99 {
long triangle(long n) {
    (void)n;
    return 0;  // TODO(task 1)
}
}  // namespace parlab::lab99
EOF
cat >"$lab/tests/triangle-test.cpp" <<'EOF'
#include "parlab/testing.hpp"
#include "triangle.hpp"
TEST_CASE("triangle numbers", "[lab99][task1]") {
    CHECK(parlab::lab99::triangle(0) == 0);
    CHECK(parlab::lab99::triangle(4) == 10);
}
EOF

cat >"$solution/triangle.cpp" <<'EOF'
#include "triangle.hpp"
namespace parlab::lab99 {
long triangle(long n) { return n * (n + 1) / 2; }
}  // namespace parlab::lab99
EOF
cp "$lab/ANSWERS.md" "$solution/ANSWERS.md"
sed 's|n \* (n + 1) / 2|n * (n - 1) / 2|' "$solution/triangle.cpp" >"$work/bad.cpp"
(cd "$solution" && diff -u --label triangle.cpp --label triangle.cpp triangle.cpp "$work/bad.cpp" >bad/off-by-one.patch)
cat >"$solution/kit.json" <<'EOF'
{
  "skeleton_fails": ["[task1]"],
  "bad": [{"name": "off-by-one", "patch": "bad/off-by-one.patch", "fails": "[task1]", "why": "adds 1 + ... + (n - 1)"}]
}
EOF

cat >"$grading/rubric.json" <<'EOF'
{
  "checks": [
    {"name": "triangle", "task": 1, "points": 100, "type": "probe", "timeout": 30,
     "description": "triangle numbers of hidden values"}
  ]
}
EOF
cat >"$grading/answers.hpp" <<'EOF'
#pragma once
#include <vector>
#include "typed_json.hpp"
namespace parlab::grader::lab99 {
struct triangle_answer {
    std::vector<long> values;  ///< triangle(n) for n = 0 .. 99 + seed % 100
};
PARLAB_JSON_FIELDS(triangle_answer, values)
}  // namespace parlab::grader::lab99
EOF
cat >"$grading/probe.cpp" <<'EOF'
#include "answers.hpp"
#include "probe.hpp"
#include "triangle.hpp"
int main(int argc, char** argv) {
    parlab::probe::probe_table table;
    table.checks["triangle"] = [](const parlab::probe::arguments& args) {
        parlab::grader::lab99::triangle_answer answer;
        for (long n = 0; n < 100 + static_cast<long>(args.number("seed") % 100); ++n)
            answer.values.push_back(parlab::lab99::triangle(n));
        return nlohmann::json(answer);
    };
    return parlab::probe::run(argc, argv, table);
}
EOF
cat >"$grading/verify.cpp" <<'EOF'
#include <fmt/format.h>
#include "answers.hpp"
#include "lab_api.hpp"
namespace parlab::grader::lab99_checks {
void register_verifiers(lab_verifiers& lab) {
    lab.probes["triangle"] = typed_verifier<lab99::triangle_answer>(
        [](const check_spec&, const lab99::triangle_answer& answer, const verify_context& context) {
            const long count = 100 + static_cast<long>(context.seed % 100);
            if (static_cast<long>(answer.values.size()) != count) return failed("wrong number of values");
            for (long n = 0; n < count; ++n)
                if (answer.values[static_cast<std::size_t>(n)] != n * (n + 1) / 2)
                    return failed(fmt::format("triangle({}) is {}, not {}", n, answer.values[static_cast<std::size_t>(n)],
                                              n * (n + 1) / 2));
            return passed(fmt::format("right for n = 0 to {}", count - 1));
        });
}
}  // namespace parlab::grader::lab99_checks
EOF

cd "$copy" || exit 1
# Only the new lab and the grader, which knows every lab, in the release preset like the kit's
# own grader: with ccache (CCACHE_DIR from the test's environment, see grader/tests/CMakeLists.txt)
# every grader file but the new lab's comes from the kit's release tree, compiled there already.
# Without it, unoptimised: the test proves the grader learns the lab, not how fast it runs.
cache=no
if [[ -n ${CCACHE_DIR:-} ]] && command -v ccache >/dev/null; then cache=yes; fi
compile=(-DCMAKE_CXX_FLAGS_RELEASE="-O0 -DNDEBUG")
[[ $cache == yes ]] && compile=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset release -DPARLAB_LABS=99-throwaway "${compile[@]}" >"$work/configure.log" 2>&1 || { tail -20 "$work/configure.log"; fail "configuring failed"; }
cmake --build --preset release --target parlab_lab99_tests kit_lab99_solution_tests parlab_grader \
    >"$work/build.log" 2>&1 || { grep -E -A5 'error|FAILED' "$work/build.log" | head -40; fail "building the new lab failed"; }
ctest --preset release -R 'lab99' -LE '^lab$' --output-on-failure >"$work/ctest.log" 2>&1 || { cat "$work/ctest.log"; fail "the new lab's kit self-check failed"; }
grep -q "100% tests passed, 0 tests failed out of 2" "$work/ctest.log" || { cat "$work/ctest.log"; fail "expected the 2 kit checks of the new lab"; }

grader=$copy/build/release/grader/parlab_grader
# The grades below build the probe in trees of their own (build/grade/solutions, labs and the
# known-bad one), each compiling the kit's library: with ccache they take it from the kit's own
# grade trees, which compiled it with the same flags at the same place relative to the kit. The
# new lab times nothing, so its grades build light (-O1), as the kit's known-bad and skeleton
# grades do: the solution's full-optimisation build compiled the whole library again at -O3.
[[ $cache == yes ]] && export PARLAB_COMPILER_CACHE=$kit/build/grade/compiler-cache
"$grader" grade --root "$copy" throwaway --solutions --light-build --quiet --json "$work/solution.json" >"$work/solution.txt" 2>&1 ||
    { cat "$work/solution.txt"; fail "the solution of the new lab did not get every point"; }
grep -q "total 100/100" "$work/solution.txt" || { cat "$work/solution.txt"; fail "the solution's grade is not 100/100"; }
"$grader" grade --root "$copy" throwaway --light-build --quiet >"$work/skeleton.txt" 2>&1
[[ $? -eq 1 ]] || { cat "$work/skeleton.txt"; fail "grading the skeleton should exit 1"; }
grep -q "total 0/100" "$work/skeleton.txt" || { cat "$work/skeleton.txt"; fail "the skeleton's grade is not 0/100"; }
"$grader" grade --root "$copy" --known-bad --seeds 1 throwaway >"$work/known-bad.txt" 2>&1 ||
    { cat "$work/known-bad.txt"; fail "the known-bad variant of the new lab was not caught"; }
grep -q "^caught  99-throwaway/off-by-one (task 1) with every seed, and by its tests" "$work/known-bad.txt" ||
    { cat "$work/known-bad.txt"; fail "the known-bad self-check did not run the new lab's tests on its variant"; }
echo "new-lab test: a lab written into labs/, solutions/ and grader/labs/ alone builds, self-checks and grades"
