#!/usr/bin/env bash
# An untouched skeleton earns nothing but what its README gives: every lab in labs/ is graded as
# it is shipped, and a check that scores must be one of the lab's "given_checks" (lab.json).
# Compiled at -O1 (--light-build), like the known-bad self-check's variants: no verdict of an
# untouched skeleton depends on it, and the two then share what they compile.
#   grader/tests/skeleton-test.sh KIT
set -uo pipefail
kit=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ ! -d $kit/solutions ]]; then
    echo "skeleton test: labs/ holds a student's work here, not the untouched skeletons; skipped"
    exit 0
fi
PARLAB_NO_INSTALL=1 "$kit/parlab" grade --light-build --seed 1 --quiet --json "$work/report.json" >"$work/grade.txt" 2>&1
if [[ ! -s $work/report.json ]]; then
    echo "skeleton test: grading the skeletons gave no report:" >&2
    cat "$work/grade.txt" >&2
    exit 1
fi
python3 - "$kit" "$work/report.json" <<'PY'
import json, pathlib, sys
kit, report = pathlib.Path(sys.argv[1]), json.load(open(sys.argv[2]))
if report.get("format") != 1:  # the README's "The JSON report"
    sys.exit(f'skeleton test: the report has format {report.get("format")}; this test reads format 1')
wrong = []
for lab in report["labs"]:
    folder = lab["folder"]
    manifest = json.load(open(kit / "labs" / folder / "lab.json"))
    given = set(manifest.get("given_checks", []))
    for check in lab["checks"]:
        if check["score"] > 0 and check["name"] not in given:
            wrong.append(f'{folder}: {check["name"]} gave the untouched skeleton {check["score"]:.2f} points ({check["message"]})')
        print(f'skeleton test: {folder} {check["name"]}: {check["score"]:.2f}' + (" (given)" if check["name"] in given else ""))
if wrong:
    print("skeleton test: points an untouched skeleton did nothing for:", *wrong, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print("skeleton test: every untouched skeleton scored only its README's given checks")
PY
