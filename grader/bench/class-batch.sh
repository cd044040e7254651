#!/usr/bin/env bash
# A benchmark of class-scale grading (not a test): a class of N submissions of every lab (a third
# the solutions, a third the untouched skeletons, a third known-bad variants, as loose files the
# way an upload arrives) graded with `./parlab batch --jobs J`, then a few of them graded alone
# with `./parlab grade --submission` to compare the points.
# Usage: grader/bench/class-batch.sh [N] [J] [LAB...]
#   (default 30 submissions, the machine's cores, every lab; LAB names narrow the class to those labs)
#   PARLAB_BENCH_TWICE=1 grades the class a second time with the same seed and compares the CSVs;
#   PARLAB_BENCH_COPIES=1 hands in the solutions as exact copies (they then share lab results);
#   PARLAB_BENCH_KEEP=DIR keeps the class, its reports and gradebooks in DIR (which must not exist).
# Run it on an idle machine: timing checks are skipped while other programs are busy.
set -uo pipefail
count=${1:-30}
jobs=${2:-$(nproc)}
labs=("${@:3}")
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
[[ -d solutions ]] || { echo "class-batch: needs the instructor's copy (solutions/)" >&2; exit 2; }
if [[ -n ${PARLAB_BENCH_KEEP:-} ]]; then
    [[ -e $PARLAB_BENCH_KEEP ]] && { echo "class-batch: $PARLAB_BENCH_KEEP exists" >&2; exit 2; }
    mkdir -p "$PARLAB_BENCH_KEEP" && work=$(cd "$PARLAB_BENCH_KEEP" && pwd)
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi

in_class() {  # whether lab folder $1 (NN-name) is one the class takes
    ((${#labs[@]} == 0)) && return 0
    local name
    for name in "${labs[@]}"; do [[ $1 == [0-9][0-9]-"$name" || $1 == "$name" ]] && return 0; done
    return 1
}
mapfile -t sources < <(./parlab sources 2>/dev/null | while read -r entry; do
    in_class "${entry%%/*}" && echo "$entry"
done)  # NN-name/FILE, one per editable file
mapfile -t variants < <(for kit in solutions/*/kit.json; do
    lab=$(basename "$(dirname "$kit")")
    in_class "$lab" || continue
    grep -o '"patch": *"[^"]*"' "$kit" | sed 's/.*"\(bad\/[^"]*\)"/\1/' | sed "s|^|$lab |"
done)
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs"
echo "class: $count submissions of ${#sources[@]} files each; ${#variants[@]} known-bad variants to draw from"

# student K: solution (K % 3 == 0), skeleton (1) or one known-bad variant (2), as loose files
for ((k = 0; k < count; k++)); do
    dir=$work/class/student-$(printf '%02d' "$k")
    mkdir -p "$dir"
    for entry in "${sources[@]}"; do
        case $((k % 3)) in
            1) cp "labs/$entry" "$dir/" ;;
            *) cp "solutions/$entry" "$dir/" ;;
        esac
    done
    # Students who did the work hand in files of their own: a comment makes each one differ (and
    # compile the same), so that no lab shares another's result (lab_cache.hpp) the way the
    # untouched skeletons of a third of the class do. PARLAB_BENCH_COPIES=1 leaves them copies.
    if ((k % 3 != 1)) && [[ ${PARLAB_BENCH_COPIES:-0} != 1 ]]; then
        for file in "$dir"/*; do printf '\n// handed in by student %02d\n' "$k" >>"$file"; done
    fi
    if ((k % 3 == 2)); then
        read -r lab patch <<<"${variants[$(((k / 3) % ${#variants[@]}))]}"
        file=$(grep -m1 "^$lab/" <(printf '%s\n' "${sources[@]}") | cut -d/ -f2)
        patch --quiet --force -o "$dir/$file.patched" "solutions/$lab/$file" "solutions/$lab/$patch" &&
            mv "$dir/$file.patched" "$dir/$file"
    fi
done

rm -rf build/grade/batch-*  # cold job trees: the first submission of each job builds the kit's files
start=$(date +%s)
./parlab batch "$work/class" --csv "$work/grades.csv" --jobs "$jobs" --force "${labs[@]}" >"$work/batch.log" 2>&1
status=$?
end=$(date +%s)
grep -E '^\[|batch:' "$work/batch.log" | tail -4
((status <= 1)) || { echo "class-batch: the batch failed (exit $status):" >&2; tail -5 "$work/batch.log" >&2; exit 1; }
echo "batch of $count with $jobs jobs: $((end - start)) s, $(((end - start) / count)) s per submission"

# where the time went: each check's own seconds summed by lab and check type (jobs overlap, so the
# sums exceed the wall time; a timing check has the machine alone), and the timing checks deferred
python3 - "$work/reports" <<'PY'
import collections, glob, json, sys
seconds, counts, deferred = collections.Counter(), collections.Counter(), 0
for path in glob.glob(sys.argv[1] + "/*.json"):
    if path.endswith(".batch.json"):
        continue
    for lab in json.load(open(path)).get("labs", []):
        for check in lab["checks"]:
            key = (lab["folder"], check.get("type", "?"))
            seconds[key] += check.get("seconds", 0)
            counts[key] += 1
            deferred += check.get("type") == "timing" and check["status"] in ("skipped", "inconclusive")
print("check seconds by lab and type (summed over the class):")
for (lab, kind), total in sorted(seconds.items()):
    print(f"  {lab:32} {kind:7} {total:7.1f} s over {counts[(lab, kind)]} checks")
print(f"timing checks deferred or inconclusive: {deferred}")
PY

# With PARLAB_BENCH_TWICE=1, the same class graded again with the same seed: on a quiet machine the
# two gradebooks are the same byte for byte.
if [[ ${PARLAB_BENCH_TWICE:-0} == 1 ]]; then
    seed=$(grep -o '"seed": *[0-9]*' "$work/reports/.batch.json" | grep -o '[0-9]*$')
    cp "$work/grades.csv" "$work/grades-first.csv"
    start=$(date +%s)
    ./parlab batch "$work/class" --csv "$work/grades.csv" --jobs "$jobs" --force --seed "$seed" "${labs[@]}" >"$work/batch-2.log" 2>&1
    status=$?
    ((status <= 1)) || { echo "class-batch: the second batch failed (exit $status):" >&2; tail -5 "$work/batch-2.log" >&2; exit 1; }
    echo "second batch, same seed: $(($(date +%s) - start)) s"
    if cmp -s "$work/grades-first.csv" "$work/grades.csv"; then
        echo "the two gradebooks are identical"
    else
        echo "the two gradebooks differ:"
        diff "$work/grades-first.csv" "$work/grades.csv" | head -20
    fi
fi

# a few graded alone with the batch's seed: the points should agree (timing checks may differ by noise)
seed=$(grep -o '"seed": *[0-9]*' "$work/reports/.batch.json" | grep -o '[0-9]*$')
for k in 0 1 2; do
    name=student-$(printf '%02d' "$k")
    alone=$(./parlab grade "${labs[@]}" --submission "$work/class/$name" --seed "$seed" --quiet \
        --json "$work/alone-$name.json" 2>/dev/null | grep '^total' | awk '{print $2}')
    batch=$(python3 - "$work/grades.csv" "$name" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if row["submission"] == sys.argv[2]:
        print(f"{row['total']}/{row['max']}")
PY
)
    echo "$name: batch $batch, alone $alone"
    # the checks whose points differ, with both messages
    python3 - "$work/reports/$name.json" "$work/alone-$name.json" <<'PY' 2>/dev/null
import json, sys
def checks(path):
    report = json.load(open(path))
    return {(lab.get("folder", ""), c["name"]): c for lab in report.get("labs", []) for c in lab["checks"]}
batch, alone = checks(sys.argv[1]), checks(sys.argv[2])
for key in sorted(batch.keys() & alone.keys()):
    if batch[key]["score"] != alone[key]["score"]:
        print(f"  {key[1]}: batch {batch[key]['score']} ({batch[key]['message'][:90]}), alone {alone[key]['score']} ({alone[key]['message'][:90]})")
PY
done
