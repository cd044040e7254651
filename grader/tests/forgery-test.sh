#!/usr/bin/env bash
# Submissions that try to forge a grade, each graded end to end: every one must get the verdict
# of what it really does. The forgeries (grader/tests/forgery/*.inc) are appended to a real
# solution or skeleton file. One submission folder is reused, so later cases rebuild little.
#   grader/tests/forgery-test.sh KIT [isolation|timing]
# isolation: the forgeries of what a run may do (1-5, 8); timing: those of the timing checks
# (6, 7, 9, 10), which need a quiet machine (./parlab test runs them last, alone; the isolation part
# builds their tree first); both by default.
set -uo pipefail
kit=$(cd "$1" && pwd)
part=${2:-all}
case $part in all | isolation | timing) ;; *) echo "forgery test: no part '$part' (isolation or timing)" >&2; exit 2 ;; esac
# The grader itself, not ./parlab, which would first bring the release tree up to date: ./parlab
# test has built the grader before any test starts, and this test starts beside the one that builds
# the grader's unit tests in that tree (two builds in one tree at once are not safe). Run alone,
# after a change to the grader, build it first (./parlab list).
grader=$kit/build/release/grader/parlab_grader
[[ -x $grader ]] || { echo "forgery test: no grader at $grader: run ./parlab list first, which builds it" >&2; exit 1; }
work=$kit/build/forgery-test-$part
submission=$work/submission
rm -rf "$work/reports" && mkdir -p "$work/reports" "$submission/01-race-condition" "$submission/04-edge-filter"
failures=0 busy=0
fail() { echo "forgery test: $*" >&2; failures=$((failures + 1)); }

# make LAB BASE INC: the submission's file of LAB = BASE + the forgery INC
make() {
    local lab=$1 base=$2 inc=$3 file
    file=$(basename "$base")
    cat "$base" "$kit/grader/tests/forgery/$inc" >"$submission/$lab/$file"
}

# grade NAME CHECKS...: grades the submission with a fixed seed; the JSON report is NAME.json
grade() {
    local name=$1 checks=$2 lab=$3
    shift 3
    local started=$SECONDS
    "$grader" grade --root "$kit" --submission "$submission" --seed 11 --quiet "${build_options[@]}" --check "$checks" \
        --json "$work/reports/$name.json" "$lab" "$@" >"$work/reports/$name.txt" 2>&1
    echo "forgery test: $name graded in $((SECONDS - started)) s"
}

# check NAME CHECK STATUS TEXT [strict]: the check's status and that its message contains TEXT;
# strict: a timing check not run "on a busy machine" is a failure too (the load was the forgery's)
expect() {
    local name=$1 check=$2 status=$3 text=$4 strict=${5:-} got
    got=$(python3 - "$work/reports/$name.json" "$check" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
if report.get("format") != 1:  # the README's "The JSON report"
    sys.exit(f'forgery test: {sys.argv[1]} has format {report.get("format")}; this test reads format 1')
for lab in report["labs"]:
    for c in lab["checks"]:
        if c["name"] == sys.argv[2]:
            print(c["status"], c["score"], c["message"], sep="\t")
PY
)
    if [[ -z $got ]]; then fail "$name: no check $check in the report: $(cat "$work/reports/$name.txt")"; return; fi
    IFS=$'\t' read -r got_status got_score got_message <<<"$got"
    # A timing check that the grader declined to run because other programs held the processors
    # is the grader doing its job on a busy machine: this test then cannot tell, and says so.
    if [[ $part == timing && -z $strict && $got_status == skipped && $got_message == "not run here"* ]]; then
        echo "forgery test: $name: $check not timed, the machine was busy ($got_message)"
        # what else was running (this part runs alone, so anything busy here is not the suite's)
        echo "forgery test: the processes with the largest share of a processor over their life:"
        ps -eo pid,ppid,user,pcpu,etime,args --sort=-pcpu | head -8 | cut -c1-160
        busy=$((busy + 1))
        return
    fi
    [[ $got_status == "$status" ]] || fail "$name: $check is $got_status, expected $status ($got_message)"
    [[ $got_message == *"$text"* ]] || fail "$name: $check says '$got_message', expected it to say '$text'"
    if [[ $status != passed && $got_score != 0 && $got_score != 0.0 ]]; then fail "$name: $check scored $got_score"; fi
}

bank=$kit/solutions/01-race-condition/bank.cpp
skeleton_filter=$kit/labs/04-edge-filter/filter.cpp
[[ -f $bank ]] || { echo "forgery test: needs solutions/ (the instructor's copy)"; exit 0; }

# sandbox_of NAME: how the runs of report NAME were isolated
sandbox_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("sandbox", ""))' "$work/reports/$1.json"; }

isolation_part() {
    # Nothing here is timed: compiled at -O1, like the known-bad self-check's grades, whose objects
    # of the common library and lab 01 it then shares through the compiler cache.
    build_options=(--light-build)
    # 1. A fake test summary, then exit: nothing is passed on text.
    make 01-race-condition "$bank" fake-summary.inc
    grade fake-summary mutex-threads,mutex-race-free race-condition
    expect fake-summary mutex-threads error "ended without an answer"
    expect fake-summary mutex-race-free failed ""

    # 2. ThreadSanitizer silenced from inside, on a real race: the race check refuses to vouch.
    make 01-race-condition "$bank" silenced-race.inc
    grade silenced-race mutex-threads,mutex-race-free race-condition
    expect silenced-race mutex-threads passed "right balance"
    expect silenced-race mutex-race-free failed "__tsan_default_options"
    make 01-race-condition "$bank" hides-race.inc
    grade hides-race mutex-race-free race-condition
    expect hides-race mutex-race-free failed "ThreadSanitizer saw a data race"
    make 01-race-condition "$bank" no-sanitize-race.inc
    grade no-sanitize-race mutex-threads,mutex-race-free race-condition
    expect no-sanitize-race mutex-race-free failed "no_sanitize"

    # 3. A memory hog fails its own check only.
    make 01-race-condition "$bank" memory-hog.inc
    grade memory-hog mutex-threads,atomic-threads race-condition
    expect memory-hog mutex-threads failed "used more than 2 GiB of memory"
    expect memory-hog atomic-threads passed "right balance"
    # ... and under ThreadSanitizer, where only a memory cgroup can hold it (3 times the limit)
    memory_kind=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("sandbox", ""))' "$work/reports/memory-hog.json")
    if [[ $memory_kind == *"cgroup v"*" memory limit"* ]]; then
        make 01-race-condition "$bank" tsan-hog.inc
        grade tsan-hog mutex-race-free race-condition
        expect tsan-hog mutex-race-free failed "used more than 6 GiB of memory"
    else
        echo "forgery test: no memory cgroup here, so the ThreadSanitizer hog is not tried ($memory_kind)"
    fi

    # 4. A hang before main() costs one time limit for the whole lab.
    make 01-race-condition "$bank" hang-at-start.inc
    PARLAB_TIMEOUT_SCALE=0.1 grade hang-at-start mutex-threads,atomic-threads,locked-processes,atomic-processes race-condition
    expect hang-at-start mutex-threads timeout "before the program reached main()"
    expect hang-at-start atomic-processes timeout "not run: an earlier check"

    # 5. Reading a root-only file at compile time: the compiler runs as the sandbox user.
    if [[ $(id -u) -eq 0 ]]; then
        secret_dir=$(mktemp -d)
        chmod 700 "$secret_dir"
        echo "THE-SECRET-ANSWER-IS-4271" >"$secret_dir/secret.txt"
        { cat "$bank"; echo "#include \"$secret_dir/secret.txt\""; } >"$submission/01-race-condition/bank.cpp"
        grade root-include mutex-threads race-condition
        expect root-include mutex-threads error "does not build"
        if grep -q "THE-SECRET" "$work/reports/root-include.json" "$work/reports/root-include.txt"; then
            fail "root-include: the report shows the root-only file's content"
        fi
        rm -rf "$secret_dir"
    else
        echo "forgery test: not root, so the compile-as-sandbox-user case is skipped (nothing to drop to)"
    fi

    # 8. Reaching outside the run: /tmp, the shared build tree of submissions, the loopback. Every run
    # of graded code is in namespaces of its own (grader/src/sandbox.hpp): none of it gets out, and
    # the code is graded on what it computes.
    tmp_marker=/tmp/parlab-forgery-escape-$$
    tree_marker=$kit/build/grade/submission/release/parlab-forgery-escape  # a folder of the compiler's
    rm -f "$tmp_marker" "$tree_marker"
    listener_log=$work/listener.log
    python3 - "$work/listener.port" >"$listener_log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(1.0)
end = time.time() + 600
while time.time() < end:
    try:
        peer, _ = s.accept()
        print("connection:", peer.recv(64).decode(errors="replace").strip(), flush=True)
        peer.close()
    except socket.timeout:
        pass
PY
    listener=$!
    for _ in $(seq 50); do [[ -s $work/listener.port ]] && break; sleep 0.1; done
    sed -e "s|@TMP_MARKER@|$tmp_marker|" -e "s|@TREE_MARKER@|$tree_marker|" -e "s|@PORT@|$(cat "$work/listener.port")|" \
        -e "s|@SOLUTION@|$kit/solutions/01-race-condition/bank.cpp|" \
        "$kit/grader/tests/forgery/escapes.inc" >"$work/escapes.inc"
    cat "$bank" "$work/escapes.inc" >"$submission/01-race-condition/bank.cpp"
    grade escapes mutex-threads,mutex-race-free race-condition
    kill "$listener" 2>/dev/null
    wait "$listener" 2>/dev/null
    sandbox=$(sandbox_of escapes)
    if [[ $sandbox != "no namespaces"* ]]; then
        # (a run that could read solutions/ ended at once: its check would not pass)
        expect escapes mutex-threads passed "right balance"
        [[ -e $tmp_marker ]] && fail "escapes: a run wrote $tmp_marker"
        grep -q connection "$listener_log" && fail "escapes: a run reached the loopback listener: $(cat "$listener_log")"
    else
        # a chroot, or a container without user namespaces: what is isolated there is the README's
        echo "forgery test: no namespaces here, so /tmp and the loopback are not tried ($sandbox)"
    fi
    if [[ $sandbox != "no namespaces"* || $(id -u) -eq 0 ]]; then
        # the build tree is out of reach with namespaces (not in the run's view) and as root without
        # them (the compiler's user is not the run's)
        [[ -e $tree_marker ]] && fail "escapes: a run wrote into the build tree of submissions ($tree_marker)"
    fi
    rm -f "$tmp_marker" "$tree_marker" "$work/listener.port"
}

# The timing part's build (lab 04 at full optimisation, in the same tree), done while other tests
# run: the timing part runs alone at the end of ./parlab test, and then compiles only its forgeries.
prepare_timing_part() {
    build_options=()
    cp "$skeleton_filter" "$submission/04-edge-filter/filter.cpp"
    local started=$SECONDS
    "$grader" grade --root "$kit" --submission "$submission" --quiet --build-only --check filter-row-fast edge-filter \
        >"$work/reports/prepare-timing.txt" 2>&1 || fail "building lab 04 for the timing part failed: $(cat "$work/reports/prepare-timing.txt")"
    echo "forgery test: the timing part's build took $((SECONDS - started)) s"
}

timing_part() {
    build_options=()
    # 6. Answering the timing protocol without doing the work.
    cp "$kit/solutions/01-race-condition/bank.cpp" "$submission/01-race-condition/bank.cpp"
    make 04-edge-filter "$skeleton_filter" answers-protocol.inc
    grade answers-protocol filter-row-fast edge-filter
    expect answers-protocol filter-row-fast failed "answered a wrong result"

    # 7. Slowing the grader's reference from the background.
    make 04-edge-filter "$skeleton_filter" slows-reference.inc
    grade slows-reference filter-row-fast edge-filter
    expect slows-reference filter-row-fast failed "needed 1.50x"

    # 10. Load made by the submission itself, from a grandchild outside its process group: the
    # grader pauses every process of the run, not just its group, and counts their time as the
    # run's. (Before, every pair looked disturbed, and a slow filter was never failed.)
    make 04-edge-filter "$skeleton_filter" busy-grandchild.inc
    grade busy-grandchild filter-row-fast edge-filter
    expect busy-grandchild filter-row-fast failed "needed 1.50x" strict

    if [[ $(sandbox_of answers-protocol) != "no namespaces"* || $(id -u) -eq 0 ]]; then
        # 9. Stopping the grader's reference from a grandchild outside the paused process group: the
        # two sides of a pair are in process namespaces of their own, and as root users of their own.
        make 04-edge-filter "$skeleton_filter" stops-reference.inc
        grade stops-reference filter-row-fast edge-filter
        expect stops-reference filter-row-fast failed "needed 1.50x"
    fi
}

build_options=()
[[ $part == timing ]] || isolation_part
[[ $part != isolation ]] || prepare_timing_part
[[ $part == isolation ]] || timing_part

if ((failures > 0)); then
    echo "forgery test: $failures expectation(s) not met; reports in $work/reports" >&2
    exit 1
fi
if ((busy > 0)); then
    echo "forgery test: $busy timing verdict(s) not reached on this busy machine; skipped (run it again when the machine is idle)"
    exit 77
fi
echo "forgery test: every forgery got the verdict of what it really does"
