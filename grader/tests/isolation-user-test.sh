#!/usr/bin/env bash
# The isolation of graded code when an ordinary user grades (an instructor without root): the
# grader's isolation test case, run as a user made for the purpose. Needs root to make the user
# (CI has it); elsewhere the grader's unit tests already ran it as the user who runs them.
#   grader/tests/isolation-user-test.sh GRADER_TESTS_BINARY
set -uo pipefail
binary=$1
if [[ $(id -u) -ne 0 ]]; then
    echo "isolation-user test: not root, so no user can be made; the unit tests ran the case as $(id -un)"
    exit 0
fi
user=parlab-isolation-test
id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user" ||
    { echo "isolation-user test: cannot make the user $user"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cp "$binary" "$work/tests" && chmod 755 "$work/tests"
out=$(cd "$work" && runuser -u "$user" -- env -i PATH=/usr/bin:/bin TMPDIR=/tmp \
    "$work/tests" "an isolated run writes only its run folder*" 2>&1)
status=$?
echo "$out" | tail -3
if ((status != 0)); then
    echo "isolation-user test: the isolation case failed as $user"
    exit 1
fi
if grep -q "cannot be isolated here" <<<"$out"; then
    echo "isolation-user test: no namespaces for $user here, so nothing was tried"
else
    echo "isolation-user test: as $user, a run wrote only its run folder, reached no listener and saw no process outside"
fi
