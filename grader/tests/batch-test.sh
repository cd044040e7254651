#!/usr/bin/env bash
# ./parlab batch grades every submission folder, survives broken ones, and writes the gradebook
# (per-lab and per-check columns, rounded points, seed, why a lab was not graded) and one report
# each. A resumed batch keeps its seed and grades again only what changed (or everything with
# --force). Then ./parlab report turns the reports into the class page.
# The submissions here are broken on purpose (nothing to build), so the test is quick.
set -uo pipefail
kit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "batch test: $*" >&2; exit 1; }
batch() { PARLAB_NO_INSTALL=1 "$kit/parlab" batch "$work/class" --csv "$work/grades.csv" "$@" race-condition >"$work/out" 2>&1; }
row() { grep "^$1," "$work/grades.csv"; }
seed_of() { row "$1" | cut -d, -f12; }  # the seed column (the error after it may hold commas)

mkdir -p "$work/class/alice/labs/01-race-condition" "$work/class/bob" "$work/class/carol/01-race-condition"
echo "this is not C++" >"$work/class/carol/01-race-condition/bank.cpp.txt"
touch "$work/class/notes.txt"  # not a folder: not a submission

batch --markdown
status=$?
cat "$work/out"
[[ $status -eq 0 ]] || fail "batch exited $status"
[[ -f $work/grades.csv ]] || fail "no CSV"
checks='mutex-threads,mutex-race-free,atomic-threads,atomic-race-free,locked-processes,atomic-processes'
header="submission,01-race-condition,01-race-condition max,01-race-condition/${checks//,/,01-race-condition/},total,max,seed,error"
[[ $(head -1 "$work/grades.csv") == "$header" ]] || fail "bad CSV header: $(head -1 "$work/grades.csv"), expected $header"
[[ $(tail -n +2 "$work/grades.csv" | wc -l) -eq 3 ]] || fail "expected 3 rows: $(cat "$work/grades.csv")"
row alice | grep -q '^alice,0,100,0,0,0,0,0,0,0,100,[0-9]*,"\?01-race-condition: the submission is empty' ||
    fail "alice should score 0 of 100 with the empty upload in the error column: $(row alice)"
grep -E -q '[0-9]\.[0-9]{3}' "$work/grades.csv" && fail "points with more than two decimals: $(cat "$work/grades.csv")"
for who in alice bob carol; do
    [[ -f $work/reports/$who.json ]] || fail "no report for $who"
    [[ -f $work/reports/$who.md ]] || fail "no Markdown report for $who (--markdown)"
    row "$who" | grep -q -e 'the submission is empty' -e 'the submission has none of the files' || fail "the error column of $who is empty: $(row "$who")"
done
grep -q '^\[1/3\] alice \.\.\. 0:0[0-9] elapsed$' "$work/out" || fail "no progress line for the first submission"
grep -E -q '^\[3/3\] carol \.\.\. [0-9]+:[0-9]{2} elapsed, about [0-9]+:[0-9]{2} left$' "$work/out" || fail "no estimate of the time left"
seed=$(seed_of alice)
[[ -n $seed && $(seed_of bob) == "$seed" && $(seed_of carol) == "$seed" ]] || fail "one seed per batch expected: $(cat "$work/grades.csv")"

# Resumed: same seed, nothing graded again.
batch
[[ $(grep -c "unchanged since graded, skipped" "$work/out") -eq 3 ]] || fail "a second run should skip all three: $(cat "$work/out")"
grep -q "seed $seed " "$work/out" || fail "the resumed batch did not keep seed $seed: $(cat "$work/out")"
[[ $(tail -n +2 "$work/grades.csv" | wc -l) -eq 3 ]] || fail "the resumed CSV lost rows"

# A changed submission is graded again, the others are not.
echo "// still not C++" >"$work/class/bob/notes.cpp"
batch
grep -q '^\[2/3\] bob \.\.\.' "$work/out" || fail "bob changed and should be graded again: $(cat "$work/out")"
[[ $(grep -c "unchanged since graded, skipped" "$work/out") -eq 2 ]] || fail "only bob should be graded again: $(cat "$work/out")"
[[ $(seed_of bob) == "$seed" ]] || fail "bob was graded again with another seed"

batch --force --jobs 1
grep -q "graded, skipped" "$work/out" && fail "--force should grade again"
grep -q "1 at a time" "$work/out" || fail "--jobs 1 should grade one submission at a time: $(cat "$work/out")"
batch --jobs 0
[[ $? -eq 2 ]] || fail "--jobs 0 should be a usage error (exit 2): $(cat "$work/out")"
grep -q -- "--jobs: expected a whole number from 1 to 64, got .0." "$work/out" || fail "no message for --jobs 0: $(cat "$work/out")"
batch --seed 4242
[[ $(seed_of alice) == 4242 && $(seed_of carol) == 4242 ]] || fail "--seed 4242 should grade everyone with it: $(cat "$work/grades.csv")"

# The class page from these reports, and its answers to bad input.
PARLAB_NO_INSTALL=1 "$kit/parlab" report "$work/reports" "$work/class.html" 2>"$work/out" || fail "report failed: $(cat "$work/out")"
# the page sits beside the reports folder: its links go into it
grep -q 'href="reports/alice.md"' "$work/class.html" || fail "the class page does not link alice's Markdown report"
echo '{ broken' >"$work/reports/dave.json"
PARLAB_NO_INSTALL=1 "$kit/parlab" report "$work/reports" "$work/class.html" 2>"$work/out" || fail "one bad report should not stop the page"
grep -q "warning: skipping .*dave.json" "$work/out" || fail "no warning naming dave.json: $(cat "$work/out")"
# report_error DIR: what ./parlab report says about DIR (without ./parlab's build line), and its exit code.
report_error() {
    err=$(PARLAB_NO_INSTALL=1 "$kit/parlab" report "$1" "$work/x.html" 2>&1)
    code=$?
    err=$(grep -v '^parlab: building build/' <<<"$err")
}
report_error "$work/nowhere"
[[ $code -eq 2 && $(grep -c . <<<"$err") -eq 1 && $err == *"no folder"* ]] || fail "a missing folder should give one line and exit 2: $err"
mkdir "$work/empty"
report_error "$work/empty"
[[ $code -eq 2 && $(grep -c . <<<"$err") -eq 1 && $err == *"no ParLab report"* ]] || fail "a folder without reports should exit 2: $err"
echo "batch test: gradebook columns, rounding, seed kept, changed submissions regraded, errors named, class page"
