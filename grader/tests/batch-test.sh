#!/usr/bin/env bash
# ./parlab batch grades every submission folder, survives broken ones, writes the CSV and one
# JSON report each, and resumes: a second run skips what was graded unless --force.
# The submissions here are broken on purpose (nothing to build), so the test is quick.
set -uo pipefail
kit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "batch test: $*" >&2; exit 1; }

mkdir -p "$work/class/alice/labs/01-race-condition" "$work/class/bob" "$work/class/carol/01-race-condition"
echo "this is not C++" >"$work/class/carol/01-race-condition/bank.cpp.txt"
touch "$work/class/notes.txt"  # not a folder: not a submission

PARLAB_NO_INSTALL=1 "$kit/parlab" batch "$work/class" --csv "$work/grades.csv" race-condition >"$work/out" 2>&1
status=$?
cat "$work/out"
[[ $status -eq 0 ]] || fail "batch exited $status"
[[ -f $work/grades.csv ]] || fail "no CSV"
head -1 "$work/grades.csv" | grep -q '^submission,01-race-condition,total,max,error$' || fail "bad CSV header: $(head -1 "$work/grades.csv")"
[[ $(tail -n +2 "$work/grades.csv" | wc -l) -eq 3 ]] || fail "expected 3 rows: $(cat "$work/grades.csv")"
grep -q '^alice,0,0,100,' "$work/grades.csv" || fail "alice should score 0 of 100: $(cat "$work/grades.csv")"
for who in alice bob carol; do
    [[ -f $work/reports/$who.json ]] || fail "no report for $who"
done
grep -q 'the submission has no bank.cpp' "$work/reports/alice.json" || fail "alice's report does not say what is missing"

PARLAB_NO_INSTALL=1 "$kit/parlab" batch "$work/class" --csv "$work/grades.csv" race-condition >"$work/out" 2>&1
[[ $(grep -c "graded before, skipped" "$work/out") -eq 3 ]] || fail "a second run should skip all three: $(cat "$work/out")"
[[ $(tail -n +2 "$work/grades.csv" | wc -l) -eq 3 ]] || fail "the resumed CSV lost rows"
PARLAB_NO_INSTALL=1 "$kit/parlab" batch "$work/class" --csv "$work/grades.csv" --force race-condition >"$work/out" 2>&1
grep -q "graded before" "$work/out" && fail "--force should grade again"
echo "batch test: broken submissions graded, CSV and reports written, resumed"
