#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (`./parlab package gradescope`
# puts it in the zip): it installs what the kit needs, builds the grader, and builds every frozen
# part of the assignment's labs (the probes' support code, the kit library, in both builds)
# against the skeletons, so that grading a submission compiles only the student's files.
set -euo pipefail
cp -r /autograder/source/parlab /autograder/parlab
cd /autograder/parlab
mapfile -t labs < <(grep -v '^$' .gradescope-labs || true)
made=()
mkdir -p /autograder/submission
# The skeletons stand in for a submission at the path submissions are graded from.
while IFS= read -r file; do
    mkdir -p "/autograder/submission/$(dirname "$file")"
    cp "labs/$file" "/autograder/submission/$file"
    made+=("/autograder/submission/$(dirname "$file")")
done < <(./parlab sources "${labs[@]}")
./parlab grade "${labs[@]}" --submission /autograder/submission --build-only --quiet
rm -rf "${made[@]}"
