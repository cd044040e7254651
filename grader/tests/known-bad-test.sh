#!/usr/bin/env bash
# ./parlab test's part of the known-bad self-check (grader/tests/CMakeLists.txt): one variant of
# each lab named, graded with one new seed, and the lab's untouched skeleton, which may score only
# the checks its lab.json gives. Which variant goes by the commit: the number of
# commits is the turn (`--turn`), so that successive commits grade each lab's variants one after
# the other, and a run of the same commit grades the same ones again. A copy of the kit without
# its whole history (no git, or a shallow clone, where that number does not move) draws one with
# the seed instead. The whole sweep is `./parlab grade --known-bad`.
# Usage: known-bad-test.sh KIT LAB...
set -uo pipefail
kit=$1
shift
turn=()
if [[ $(git -C "$kit" rev-parse --is-shallow-repository 2>/dev/null) == false ]] &&
    count=$(git -C "$kit" rev-list --count HEAD 2>/dev/null); then
    turn=(--turn "$count")
fi
exec "$kit/parlab" grade --known-bad --seeds 1 --sample 1 "${turn[@]}" "$@"
