#!/usr/bin/env bash
# Lab 06's highpass program (./parlab highpass) end to end: a folder of fake skies from makesky is
# high-passed into FITS files; a file named .fits that is not FITS and a 3-D cube each get one line
# naming them while the rest of the batch is still written, and the summary lists them (exit 1); a
# file not named .fits is skipped with a line; makesky into a folder it cannot make says so; an
# output that cannot be written fails every file (exit 1); a usage mistake is exit 2.
#   highpass-test.sh PATH/TO/parlab_lab06_makesky PATH/TO/parlab_lab06_highpass
set -uo pipefail
makesky=$1
highpass=$2
fail() { echo "highpass test: $*" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# card KEY VALUE: one 80-character FITS header card.
card() { printf '%-80s' "$(printf '%-8s= %20s' "$1" "$2")"; }
# A minimal FITS file holding a 2 x 2 x 2 cube of bytes: header and data, each one 2880-byte block.
{
    card SIMPLE T; card BITPIX 8; card NAXIS 3; card NAXIS1 2; card NAXIS2 2; card NAXIS3 2
    printf '%-80s' END
    printf '%*s' $((2880 - 7 * 80)) ''
    head -c 2880 /dev/zero
} >"$dir/cube.fits"

"$makesky" "$dir/in" --count 3 --side 40 --seed 7 >/dev/null || fail "makesky failed"
"$highpass" "$dir/in" "$dir/out" --size 5 --workers 2 >"$dir/log" 2>&1 || fail "a good batch failed: $(cat "$dir/log")"
for name in sky-000.fits sky-001.fits sky-002.fits; do
    [[ $(head -c 6 "$dir/out/$name") == SIMPLE ]] || fail "$name was not written as FITS"
done
grep -q "high-passed 3 of 3 files" "$dir/log" || fail "the summary says: $(cat "$dir/log")"

# Bad files among good ones: one line each on stderr, the good ones still written, exit 1.
# A file not named as FITS is skipped with one line, not read.
cp "$dir/cube.fits" "$dir/in/"
echo "not a sky" >"$dir/in/bogus.fits"
echo "notes on the batch" >"$dir/in/readme.txt"
rm -rf "$dir/out"
"$highpass" "$dir/in" "$dir/out" --size 4 --workers 2 >"$dir/log" 2>"$dir/err"
status=$?
[[ $status -eq 1 ]] || fail "a batch with bad files exited $status, expected 1"
[[ $(grep -c . "$dir/err") -eq 3 ]] || fail "expected one line per bad or skipped file on stderr, got: $(cat "$dir/err")"
grep -q "skipped 1 file(s) not named .fits, .fit or .fts: readme.txt" "$dir/err" || fail "no line for readme.txt: $(cat "$dir/err")"
grep -q "bogus.fits: not a FITS image" "$dir/err" || fail "no clear line for bogus.fits: $(cat "$dir/err")"
grep -q "cube.fits: a 3-D image" "$dir/err" || fail "no clear line for cube.fits: $(cat "$dir/err")"
grep -q "high-passed 3 of 5 files" "$dir/log" || fail "the summary says: $(cat "$dir/log")"
grep -q "2 failed (listed above)" "$dir/log" || fail "the summary does not count the failures: $(cat "$dir/log")"
# each failure once: on stderr as it happens, not again in the summary
[[ $(cat "$dir/log" "$dir/err" | grep -c "bogus.fits") -eq 1 ]] || fail "bogus.fits named more than once: $(cat "$dir/log" "$dir/err")"
[[ -f $dir/out/sky-002.fits ]] || fail "the good files were not written after a bad one"

# An output that cannot be written (a file where the folder should be): every file fails.
rm "$dir/in/cube.fits" "$dir/in/bogus.fits" "$dir/in/readme.txt"
touch "$dir/not-a-folder"
"$highpass" "$dir/in" "$dir/not-a-folder" --size 3 >"$dir/log" 2>"$dir/err"
status=$?
[[ $status -eq 1 ]] || fail "an unwritable output exited $status, expected 1"
[[ $(grep -c "cannot write" "$dir/err") -eq 3 ]] || fail "expected 3 'cannot write' lines, got: $(cat "$dir/err")"

# Usage mistakes: exit 2 with one line.
"$highpass" "$dir/in" "$dir/out" >/dev/null 2>"$dir/err"
[[ $? -eq 2 ]] && grep -q -- "--size is required" "$dir/err" || fail "no --size: $(cat "$dir/err")"
"$highpass" "$dir/no-such" "$dir/out" --size 3 >/dev/null 2>"$dir/err"
[[ $? -eq 2 ]] && grep -q "not a folder" "$dir/err" || fail "a missing input folder: $(cat "$dir/err")"
# makesky into a folder it cannot make: one line naming it, not a raw filesystem error.
"$makesky" "$dir/not-a-folder/skies" --count 1 --side 8 >/dev/null 2>"$dir/err"
status=$?
[[ $status -ne 0 ]] && grep -q "cannot make the folder $dir/not-a-folder/skies" "$dir/err" ||
    fail "makesky into an impossible folder exited $status: $(cat "$dir/err")"
echo "highpass test: a good batch, bad and skipped files, an unwritable output, usage mistakes and makesky's folder as expected"
