#!/usr/bin/env bash
# Builds and grades a student edition made by ./parlab release: it has no solutions/, and the
# grader still grades the untouched skeleton of lab 01 (which must not get full marks).
# The grading goes through the edition's CI workflow (.github/workflows/grade.yml): its grade
# step, run here as GitHub runs it, must fill the job summary and pass with a low score, and
# fail when the grader cannot grade.
set -uo pipefail
kit=$(cd "$1" && pwd)
# Under the kit's build/, so that the edition's files sit at the same paths relative to it as the
# kit's own (what ccache matches when it gives the edition the release tree's objects).
mkdir -p "$kit/build"
work=$(mktemp -d -p "$kit/build" release-test.XXXXXX)
chmod 755 "$work"  # under root the grader compiles and runs student code as nobody, who must read the kit
trap 'rm -rf "$work"' EXIT
fail() { echo "release test: $*" >&2; exit 1; }

"$kit/parlab" release "$work/kit" || fail "./parlab release failed"
[[ ! -e $work/kit/solutions ]] || fail "the student edition contains solutions/"
# Grader code that is a graded task's answer stays with the instructor: lab 06's least-squares
# Amdahl fit, lab 02's version 2 (the lock-per-element baseline), lab 04's tuned filter (a
# working filter_row: integer_correlate is its), and pipe loops of lab 07's bench of its own (it
# moves bytes with the lab's write_all and read_full).
for name in serial_fraction lock_per_element integer_correlate; do
    if found=$(grep -rlw --exclude=release-test.sh -- "$name" "$work/kit"); then fail "the student edition has '$name' in: $found"; fi
done
[[ ! -e $work/kit/grader/labs/02-lock-placement/baseline.cpp ]] || fail "the student edition has lab 02's baseline.cpp"
bench=$work/kit/grader/labs/07-messages-vs-shared-memory/programs/bench.cpp
if grep -nE '::(read|write) *\(' "$bench"; then fail "lab 07's bench reads or writes a pipe with loops of its own"; fi
# nor does any of its programs carry a read or write loop that resumes after a partial transfer
if grep -nE '::(read|write) *\([^;]*\+ *(got|done)' "$work"/kit/grader/labs/07-messages-vs-shared-memory/programs/*.cpp; then
    fail "a lab 07 program has a partial-transfer loop of its own (task 1's read_full or write_all)"
fi
workflow=$work/kit/.github/workflows/grade.yml
[[ -f $workflow ]] || fail "the student edition has no .github/workflows/grade.yml"
cd "$work/kit" || exit 1

if ! python3 -c 'import yaml' 2>/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml >/dev/null 2>&1
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
    echo "release test: python3-yaml is missing (apt-get install python3-yaml): the workflow's shape is not checked"
    printf '%s\n' 'status=0' './parlab grade $LABS --quiet --json grade-results/report.json || status=$?' \
        'if [ "$status" -gt 1 ]; then exit "$status"; fi' >"$work/step.sh"
    mkdir -p grade-results
    summary_checked=no
else
    # The workflow: on push, only GitHub's own actions (check out, cache, keep files), one step that grades with the
    # Markdown and JUnit reports and writes the summary. Its script is kept to run below.
    python3 - "$workflow" "$work/step.sh" <<'PY' || fail "the workflow does not have the expected shape"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
assert isinstance(triggers, dict) and "push" in triggers, "not run on push"
steps = [step for job in doc["jobs"].values() for step in job["steps"]]
used = {step["uses"].split("@")[0] for step in steps if "uses" in step}
assert used <= {"actions/checkout", "actions/cache", "actions/upload-artifact"}, f"third-party actions: {used}"
assert "actions/checkout" in used, "the repository is never checked out"
grading = [step for step in steps if "./parlab grade" in step.get("run", "")]
assert len(grading) == 1, "expected one step that runs ./parlab grade"
script = grading[0]["run"]
for needed in ("--markdown", "--junit", "GITHUB_STEP_SUMMARY"):
    assert needed in script, f"the grade step does not use {needed}"
open(sys.argv[2], "w").write(script)
PY
    summary_checked=yes
fi

# GitHub runs a bash step as `bash -e -o pipefail`; LABS narrows the grade to lab 01.
# The edition's grader (./parlab keeps a configured tree): with ccache (CCACHE_DIR from the test's
# environment, see grader/tests/CMakeLists.txt) compiled as the kit's, so that every file the
# edition shares with the kit comes from the kit's release tree; without it, unoptimised: the test
# proves the edition builds and grades, not how fast its grader runs.
cache=no
if [[ -n ${CCACHE_DIR:-} ]] && command -v ccache >/dev/null; then cache=yes; fi
compile=(-DCMAKE_CXX_FLAGS_RELEASE="-O0 -DNDEBUG")
[[ $cache == yes ]] && compile=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset release "${compile[@]}" >"$work/configure.log" 2>&1 ||
    { tail -20 "$work/configure.log"; fail "configuring the edition's release tree failed"; }

# The grade's trees take the kit's library and Catch2's runner from the kit's own grade trees
# (the same flags at the same place relative to each kit) through the kit's grade cache. Light
# builds (-O1, nothing timed), like the kit's known-bad and skeleton grades, whose objects they
# then share: the workflow's step is what is tested here, not the speed of lab 01's checks, and
# a full build compiled the library twice more (-O3, and ThreadSanitizer at -O2).
[[ $cache == yes ]] && export PARLAB_COMPILER_CACHE=$kit/build/grade/compiler-cache
run_step() { LABS=$1 GITHUB_STEP_SUMMARY=$work/summary.md PARLAB_NO_INSTALL=1 bash -e -o pipefail "$work/step.sh" >"$work/grade.log" 2>&1; }
run_step "race-condition --seed 11 --light-build"
status=$?
cat "$work/grade.log"
[[ $status -eq 0 ]] || fail "the grade step should pass with a low score (exit 0), got $status"
report=grade-results/report.json
grep -q '"max_score": 100' "$report" || fail "the report has no lab worth 100 points"
grep -q '"status": "failed"' "$report" || fail "no check failed on the skeleton"
if grep -q 'does not build' "$report"; then fail "the skeleton did not build in the student edition"; fi
if [[ $summary_checked == yes ]]; then
    grep -q '^# ParLab grade: ' "$work/summary.md" || fail "the job summary has no grade: $(cat "$work/summary.md")"
    grep -q '<testsuite name="01-race-condition"' grade-results/junit.xml || fail "no JUnit report"
fi
run_step "no-such-lab"
status=$?
[[ $status -eq 2 ]] || fail "the grade step should fail when the grader cannot grade (exit 2), got $status"
PARLAB_NO_INSTALL=1 ./parlab list | grep -q "not yet" || fail "./parlab list does not show the graded tasks"
# Lab 04's bench builds and runs without the tuned filter, and says that it has none.
cmake --build build/release --target parlab_lab04_bench >"$work/bench-build.log" 2>&1 ||
    { tail -20 "$work/bench-build.log"; fail "lab 04's bench does not build in the edition"; }
build/release/parlab_lab04_bench --max-workers 1 --repetitions 1 >"$work/bench.log" 2>&1 ||
    { tail -20 "$work/bench.log"; fail "lab 04's bench fails in the edition"; }
grep -q "no tuned filter" "$work/bench.log" || fail "lab 04's bench in the edition does not say that it has no tuned filter"
echo "release test: the student edition builds and grades, and its CI workflow reports the grade"
