#!/usr/bin/env bash
# Lab 07's shmnames program (./parlab shmnames) end to end. Its own run must end well and say each
# step, and leave no name of its own in /dev/shm. Then, checked from outside: a creator killed
# before it unlinks leaves its segment in /dev/shm, another process finds it by name and reads
# what the dead one wrote, and once the name is removed nobody finds it any more.
#   shmnames-test.sh PATH/TO/parlab_lab07_shmnames
set -uo pipefail
shmnames=$1
prefix="parlab-shmtest-$$"
fail() { echo "shmnames test: $*" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log" /dev/shm/"$prefix"-* /dev/shm/sem."$prefix"-*' EXIT
[[ -d /dev/shm ]] || fail "no /dev/shm on this machine"

"$shmnames" --prefix "$prefix" >"$log" 2>&1 || fail "the program failed: $(cat "$log")"
for step in "is there (4096 bytes)" "by name and read: \"written by pid" "the same page now also holds its answer" \
    "fails with ENOENT" "was killed (SIGKILL) before it could unlink" "is still there (4096 bytes)" \
    "opened it by name and posted it" "the parent's wait timed out" "mapped it by name and posted"; do
    grep -qF -- "$step" "$log" || fail "the output lacks '$step': $(cat "$log")"
done
leftovers=$(ls /dev/shm | grep -F -- "$prefix")
[[ -z $leftovers ]] || fail "the run left in /dev/shm: $leftovers"

# A creator killed before it unlinks: its segment stays, found by name from another process.
name="/$prefix-orphan"
# (in a shell of its own, whose "Killed" line is not wanted here)
status=$(bash -c '"$1" --create-and-die "$2" >/dev/null 2>&1; echo $?' _ "$shmnames" "$name" 2>/dev/null)
[[ $status -eq 137 ]] || fail "--create-and-die ended with $status, expected 137 (killed by SIGKILL)"
[[ -f /dev/shm$name ]] || fail "the killed creator's segment is not in /dev/shm"
[[ $(stat -c %s "/dev/shm$name") -eq 4096 ]] || fail "the leftover segment is not 4096 bytes"
"$shmnames" --attach "$name" >"$log" 2>&1 || fail "another process could not open the leftover: $(cat "$log")"
grep -q "read: \"left by pid" "$log" || fail "the leftover does not hold what its creator wrote: $(cat "$log")"
rm "/dev/shm$name"
if "$shmnames" --attach "$name" >"$log" 2>&1; then fail "the segment was still found after its name was removed"; fi
grep -q "No such file or directory" "$log" || fail "opening a removed name said: $(cat "$log")"
echo "shmnames test: every step held, no name left behind, a killed creator's segment stayed until removed"
