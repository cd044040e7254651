#!/usr/bin/env bash
# The class report in a real browser: ./parlab report on synthetic reports of a small class, then
# headless Chromium loads the page, takes a screenshot and dumps the DOM. The page must load
# without script or console errors, show its charts and tables, and the screenshot must not be
# blank. Chromium is installed when missing (as root with apt-get); otherwise the test is skipped
# (exit 77). PARLAB_KEEP_SCREENSHOT=FILE keeps the screenshot to look at.
set -uo pipefail
kit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "report browser test: $*" >&2; exit 1; }
skip() { echo "report browser test: skipped: $*"; exit 77; }

browser=$(command -v chromium || command -v chromium-browser)
if [[ -z $browser ]]; then
    [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || skip "no chromium (apt-get install chromium as root)"
    echo "report browser test: installing chromium"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq chromium >/dev/null 2>&1 ||
        skip "installing chromium failed (apt-get update first?)"
    browser=$(command -v chromium) || skip "chromium installed but not found"
fi

# check NAME STATUS SCORE MAX [TYPE MEASURED]: one check of a report, as JSON.
check() {
    printf '{"name": "%s", "task": 1, "type": "%s", "status": "%s", "score": %s, "max_score": %s, "fraction": %s, "rubric": null, ' \
        "$1" "${5:-probe}" "$2" "$3" "$4" "$(($3 / $4))"
    printf '"message": "%s", "details": "", "hint": "", "artifact": "", "seconds": 1.5, "measured": %s}' \
        "$2 <as> the grader saw it" "${6:-null}"
}
# student NAME LAB01_CHECKS LAB04_CHECKS SCORE01 SCORE04: one report with two labs.
student() {
    cat >"$work/reports/$1.json" <<EOF
{"format": 1, "submission": "$1", "score": $(($4 + $5)), "max_score": 200, "seed": 4242, "machine": "test CPU, 2 CPUs available, Linux",
 "sandbox": "test", "seconds": 60, "error": "", "notes": [], "submission_hash": "",
 "labs": [{"folder": "01-race-condition", "name": "race-condition", "title": "", "score": $4, "max_score": 100,
           "unchanged_skeleton": false, "checks": [$2]},
          {"folder": "04-edge-filter", "name": "edge-filter", "title": "", "score": $5, "max_score": 100,
           "unchanged_skeleton": false, "checks": [$3]}]}
EOF
}
mkdir -p "$work/reports"
lab01() { echo "$(check mutex-threads "$1" "$2" 60), $(check atomic-threads "$3" "$4" 40)"; }
lab04() { echo "$(check filter-row "$1" "$2" 80), $(check threads-speedup "$3" "$4" 20 timing "${5:-null}")"; }
student alice "$(lab01 passed 60 passed 40)" "$(lab04 passed 80 passed 20 1.9)" 100 100
student bob "$(lab01 passed 60 failed 0)" "$(lab04 passed 80 failed 0 1.05)" 60 80
student carol "$(lab01 failed 0 failed 0)" "$(lab04 error 0 error 0)" 0 0
student dave "$(lab01 passed 60 passed 40)" "$(lab04 failed 0 skipped 0 null)" 100 0
student '<eve & mallory>' "$(lab01 passed 60 timeout 0)" "$(lab04 passed 80 passed 20 6.5)" 60 100
echo "# alice's grade" >"$work/reports/alice.md"
echo '{"seed": 4242}' >"$work/reports/.batch.json"

PARLAB_NO_INSTALL=1 "$kit/parlab" report "$work/reports" "$work/class.html" >"$work/out" 2>&1 || fail "report failed: $(cat "$work/out")"
page="file://$work/class.html"
flags=(--headless --disable-gpu --no-sandbox --enable-logging=stderr --v=0 --window-size=1200,1600 --hide-scrollbars
       --user-data-dir="$work/profile")
timeout 90 "$browser" "${flags[@]}" --screenshot="$work/class.png" "$page" >"$work/shot.log" 2>&1 ||
    fail "chromium could not take the screenshot: $(tail -5 "$work/shot.log")"
timeout 90 "$browser" "${flags[@]}" --dump-dom "$page" >"$work/dom.html" 2>"$work/dom.log" ||
    fail "chromium could not load the page: $(tail -5 "$work/dom.log")"

if grep -E -i 'Uncaught|CONSOLE\(|Refused to|ERR_FILE_NOT_FOUND' "$work/shot.log" "$work/dom.log"; then
    fail "the page logged errors in the browser (above)"
fi
grep -q '<h1>ParLab class report</h1>' "$work/dom.html" || fail "the page's title is not in the DOM"
[[ $(grep -o '<svg' "$work/dom.html" | wc -l) -eq 3 ]] || fail "expected three charts in the DOM"
grep -q '&lt;eve &amp; mallory&gt;' "$work/dom.html" || fail "the student name was not escaped"
grep -q '<script' "$work/dom.html" && fail "the page has a script"
[[ $(head -c 8 "$work/class.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "the screenshot is not a PNG"
size=$(stat -c %s "$work/class.png")
((size > 30000)) || fail "the screenshot is $size bytes: a blank page?"
[[ -n ${PARLAB_KEEP_SCREENSHOT:-} ]] && cp "$work/class.png" "$PARLAB_KEEP_SCREENSHOT"
echo "report browser test: the class page loads in Chromium without errors (screenshot $size bytes)"
