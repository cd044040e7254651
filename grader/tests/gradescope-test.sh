#!/usr/bin/env bash
# Runs the kit's Gradescope autograder the way Gradescope runs it: the zip unpacked into
# /autograder/source, setup.sh once, then run_autograder for each upload placed in
# /autograder/submission, under half a CPU and 768 MB (cgroups, where this machine lets a root
# user make them), checking every results.json. /autograder is the test's folder in /var/tmp: a
# symbolic link made for the test where there is no /autograder, else a mount over it in a
# namespace of the test's own. Needs root, as Gradescope's containers have.
#   grader/tests/gradescope-test.sh KIT [LAB...]     (default labs: race-condition lock-placement edge-filter)
set -uo pipefail
kit=$(cd "$1" && pwd)
shift
labs=("$@")
((${#labs[@]})) || labs=(race-condition lock-placement edge-filter)
[[ $(id -u) -eq 0 ]] || { echo "gradescope test: needs root (Gradescope runs as root); skipped"; exit 0; }
[[ -d $kit/solutions ]] || { echo "gradescope test: needs solutions/ (the instructor's copy); skipped"; exit 0; }
work=$(mktemp -d /var/tmp/parlab-gradescope.XXXXXX)
chmod 755 "$work"
made_link=0
cgroups=()
cleanup() {
    for g in "${cgroups[@]}"; do rmdir "$g" 2>/dev/null; done
    rm -rf "$work"
    if ((made_link)); then rm -f /autograder; fi
}
trap cleanup EXIT
failures=0
fail() { echo "gradescope test: $*" >&2; failures=$((failures + 1)); }

if [[ ! -e /autograder && ! -L /autograder ]]; then ln -s "$work/root" /autograder && made_link=1; fi
"$kit/parlab" package gradescope "${labs[@]}" "$work/autograder.zip" || { echo "gradescope test: packaging failed" >&2; exit 1; }
mkdir -p "$work/root/source" "$work/root/submission"
(cd "$work/root/source" && cmake -E tar xf "$work/autograder.zip") || exit 1

# Half a CPU and 768 MB, Gradescope's default resources, when cgroups can be made here.
limit=()
own_memory=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
cpu_group=/sys/fs/cgroup/cpu/parlab-gradescope-$$
memory_group=/sys/fs/cgroup/memory${own_memory%/}/parlab-gradescope-$$
if mkdir "$cpu_group" 2>/dev/null && echo 50000 >"$cpu_group/cpu.cfs_quota_us" && echo 100000 >"$cpu_group/cpu.cfs_period_us"; then
    cgroups+=("$cpu_group")
    limit+=("$cpu_group")
fi
if mkdir "$memory_group" 2>/dev/null && echo $((768 << 20)) >"$memory_group/memory.limit_in_bytes"; then
    cgroups+=("$memory_group")
    limit+=("$memory_group")
fi
quota=0
if ((${#limit[@]} == 2)); then echo "gradescope test: run_autograder gets half a CPU and 768 MB"; quota=1; else
    echo "gradescope test: cgroups could not be made here; run_autograder runs without resource limits"; fi

# in_gradescope [LIMITED] COMMAND: COMMAND with /autograder being this test's folder.
in_gradescope() {
    local groups=""
    if [[ $1 == limited ]]; then groups="${limit[*]}"; shift; fi
    local enter='for g in '"$groups"'; do echo $$ >"$g/cgroup.procs"; done'
    if ((made_link)); then
        bash -c "$enter"'; cd /autograder && exec "$@"' in_gradescope "$@"
    else
        unshare --mount --propagation private bash -c "$enter"'
            mount --bind "'"$work/root"'" /autograder && cd /autograder && exec "$@"' in_gradescope "$@"
    fi
}

started=$SECONDS
in_gradescope bash /autograder/source/setup.sh >"$work/setup.log" 2>&1 || {
    tail -20 "$work/setup.log" >&2
    echo "gradescope test: setup.sh failed" >&2
    exit 1
}
echo "gradescope test: setup.sh took $((SECONDS - started)) s"

# upload FILE...: the submission folder holds exactly these files (paths relative to it, each a
# copy of the solution file of the same name, "Bank.cpp" copying bank.cpp; a line of text when
# the solutions have no such file).
upload() {
    rm -rf "$work/root/submission" && mkdir -p "$work/root/submission"
    local f source
    for f in "$@"; do
        source=$(find "$kit/solutions" -path '*/bad' -prune -o -iname "$(basename "$f")" -print | head -1)
        mkdir -p "$(dirname "$work/root/submission/$f")"
        if [[ -n $source ]]; then cp "$source" "$work/root/submission/$f"; else echo "$f" >"$work/root/submission/$f"; fi
    done
}

# upload_skeleton FILE: the submission folder holds the untouched skeleton's FILE.
upload_skeleton() {
    rm -rf "$work/root/submission" && mkdir -p "$work/root/submission"
    cp "$(find "$kit/labs" -name "$1" | head -1)" "$work/root/submission/$1"
}

# grade NAME EXPECTED_SCORE TEXT [UNPASSED]: run_autograder, then check results.json (EXPECTED_SCORE
# "-": any score; UNPASSED: a test whose name has this text must not pass)
grade() {
    local name=$1 expected=$2 text=$3 unpassed=${4:-} started=$SECONDS
    rm -rf "$work/root/results"
    in_gradescope limited bash /autograder/source/run_autograder
    local seconds=$((SECONDS - started))
    local results=$work/root/results/results.json
    [[ -s $results ]] || { fail "$name: no results.json"; return; }
    python3 - "$results" "$expected" "$text" "$name" "$seconds" "$unpassed" <<'PY' || failures=$((failures + 1))
import json, sys
path, expected, text, name, seconds, unpassed = sys.argv[1:]
try:
    r = json.load(open(path))
except ValueError as e:
    sys.exit(f"gradescope test: {name}: results.json is not JSON: {e}")
problems = []
if expected != "-" and abs(r.get("score", -1) - float(expected)) > 0.01:
    problems.append(f"score {r.get('score')} instead of {expected}")
everything = r.get("output", "") + "".join(t.get("output", "") + t.get("name", "") for t in r.get("tests", []))
if text and text not in everything: problems.append(f"no '{text}' in the output")
for t in r.get("tests", []):
    if t.get("status") not in (None, "passed", "failed"): problems.append(f"test {t.get('name')} has status {t.get('status')}")
    if "max_score" in t and t.get("score", 0) > t["max_score"]: problems.append(f"test {t.get('name')} scores above its maximum")
    if unpassed and unpassed in t.get("name", "") and t.get("score", 0) > 0:
        problems.append(f"test {t.get('name')} scored {t.get('score')}: {t.get('output', '')[:200]}")
for t in r.get("tests", []):
    if "not run: see the first check" in t.get("output", "") and "Stuck?" in t.get("output", ""):
        problems.append(f"test {t.get('name')} offers a hint for a check that never ran")
for t in r.get("tests", [])[:1]:
    # a message said once: the details of the first test do not repeat it
    first = t.get("output", "").split("\n")[0]
    if first and t.get("output", "").count(first) > 1: problems.append(f"test {t.get('name')} says '{first}' twice")

if "execution_time" not in r: problems.append("no execution_time")
print(f"gradescope test: {name}: score {r.get('score')}, {len(r.get('tests', []))} tests, run_autograder {seconds} s"
      + ("" if not problems else " -- " + "; ".join(problems)))
sys.exit(1 if problems else 0)
PY
}

upload bank.cpp
grade "loose files of one lab" 100 "the submission has no dot.cpp"
upload bank.cpp dot.cpp
grade "loose files of two labs" 190 "not run here"
upload parlab-main/labs/01-race-condition/bank.cpp parlab-main/labs/02-lock-placement/dot.cpp parlab-main/README.md
grade "a whole repository" 190 ""
if [[ " ${labs[*]} " == *" edge-filter "* ]]; then
    # Under half a CPU no timing check runs (the package leaves them out of the maximum); without
    # the quota, lab 04's one-core check runs and the solution passes it.
    if ((${#labs[@]} == 4)); then
        upload bank.cpp dot.cpp image_copy.cpp filter.cpp
        grade "loose files of four labs" $((quota ? 375 : 385)) "not run here"
    fi
    upload_skeleton filter.cpp
    if ((quota)); then
        # wall-clock pairs under a CPU quota favoured the skeleton (1.6x against 1.5x needed)
        grade "lab 04's untouched skeleton under half a CPU" - "" "filter-row-fast"
    else
        echo "gradescope test: no CPU quota here, so lab 04's skeleton under a quota is not tried"
    fi
fi
upload
grade "an empty upload" 0 "the submission is empty"
upload Bank.cpp
grade "a wrong name" 0 "expected bank.cpp (lab race-condition)"
upload labs/01-race-condition/bank.cpp CMakeLists.txt README.md
grade "a whole repository at the top" - ""
grep -q "CMakeLists.txt was ignored" "$work/root/results/results.json" &&
    fail "a whole repository: its CMakeLists.txt is named as an ignored lab file"

if ((failures > 0)); then
    echo "gradescope test: $failures case(s) failed; the last logs are in $work (kept)" >&2
    trap - EXIT
    for g in "${cgroups[@]}"; do rmdir "$g" 2>/dev/null; done
    exit 1
fi
echo "gradescope test: every upload got the results.json it should"
