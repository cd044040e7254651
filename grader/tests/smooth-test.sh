#!/usr/bin/env bash
# Lab 05's smooth program (./parlab smooth) end to end on hand-made .npy files: a round trip that
# must keep every number (sigma 0.1 has radius 0, a filter that changes nothing), a real smoothing
# checked with od, both axes, SciPy's answer when python3 has SciPy, and one line with exit code
# 1 (bad file) or 2 (usage mistake) for each mistake.
#   smooth-test.sh PATH/TO/parlab_lab05_smooth
set -uo pipefail
smooth=$1
fail() { echo "smooth test: $*" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# npy FILE DESCR SHAPE DATA-HEX: a version 1.0 .npy header padded to 64 bytes, then the data
# given as escaped bytes (printf %b).
npy() {
    local header="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
    local pad=$(( (64 - (10 + ${#header} + 1) % 64) % 64 ))
    local length=$(( ${#header} + pad + 1 ))
    {
        printf '\x93NUMPY\x01\x00'
        printf "\\x$(printf %02x $((length & 255)))\\x$(printf %02x $((length >> 8)))"
        printf '%s%*s\n' "$header" "$pad" ''
        printf '%b' "$4"
    } >"$1"
}
zero='\x00\x00\x00\x00\x00\x00\x00\x00'
one='\x00\x00\x00\x00\x00\x00\xf0\x3f'
two='\x00\x00\x00\x00\x00\x00\x00\x40'
four='\x00\x00\x00\x00\x00\x00\x10\x40'

# values FILE N: the last N numbers of a .npy file (its data), one a line.
values() { od -A n -v -t f8 -j $(($(stat -c %s "$1") - 8 * $2)) "$1" | tr -s ' ' '\n' | grep .; }

# expect CODE PATTERN ARGS...: smooth exits CODE with one line on stderr matching PATTERN.
expect() {
    local code=$1 pattern=$2
    shift 2
    local err status
    err=$("$smooth" "$@" 2>&1 >/dev/null)
    status=$?
    [[ $status -eq $code ]] || fail "'smooth $*' exited $status, expected $code (stderr: $err)"
    [[ $(grep -c . <<<"$err") -eq 1 ]] || fail "'smooth $*' should print one line on stderr, printed: $err"
    grep -q -- "$pattern" <<<"$err" || fail "'smooth $*' said '$err', expected '$pattern'"
}

# Round trip: radius 0 keeps every number, on both axes and any number of workers.
npy "$dir/a.npy" '<f8' '(2, 3)' "$one$two$four$zero$one$two"
for args in "--workers 1" "--workers 3" "--axis 0 --workers 2" "--axis 1"; do
    # shellcheck disable=SC2086
    "$smooth" "$dir/a.npy" "$dir/b.npy" --sigma 0.1 $args >/dev/null || fail "round trip with $args failed"
    cmp -s "$dir/a.npy" "$dir/b.npy" || fail "round trip with $args changed the file: $(values "$dir/b.npy" 6 | tr '\n' ' ')"
done

# A real smoothing of 0 0 4 0 0 with sigma 1 (radius 4): the middle keeps 4 * 0.3989..., the
# ends get a little, the values are symmetric.
npy "$dir/c.npy" '<f8' '(5,)' "$zero$zero$four$zero$zero"
"$smooth" "$dir/c.npy" "$dir/d.npy" --sigma 1 --workers 2 >/dev/null || fail "smoothing a 1-D array failed"
mapfile -t got < <(values "$dir/d.npy" 5)
[[ ${#got[@]} -eq 5 ]] || fail "expected 5 numbers, got ${got[*]}"
awk -v m="${got[2]}" -v a="${got[0]}" -v b="${got[4]}" 'BEGIN { exit !(m > 1.59 && m < 1.60 && a > 0 && a < 0.5 && (a - b) < 1e-15 && (b - a) < 1e-15) }' ||
    fail "smoothing 0 0 4 0 0 with sigma 1 gave ${got[*]}"
# Along the columns of a 5 x 1 array: the same numbers.
npy "$dir/e.npy" '<f8' '(5, 1)' "$zero$zero$four$zero$zero"
"$smooth" "$dir/e.npy" "$dir/f.npy" --sigma 1 --axis 0 >/dev/null || fail "smoothing along axis 0 failed"
[[ "$(values "$dir/f.npy" 5)" == "$(values "$dir/d.npy" 5)" ]] || fail "axis 0 of a column differs from the 1-D result"

# SciPy's answer, when it is there.
python=
for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import numpy, scipy.ndimage' 2>/dev/null; then python=$candidate && break; fi
done
if [[ -n $python ]]; then
    "$python" -c 'import numpy; numpy.save("'"$dir"'/r.npy", numpy.random.default_rng(5).normal(size=(7, 300)) * 1e3)'
    for axis in 0 1; do
        "$smooth" "$dir/r.npy" "$dir/s$axis.npy" --sigma 3.7 --axis $axis --workers 3 >/dev/null || fail "smoothing r.npy failed"
        "$python" -c '
import sys, numpy, scipy.ndimage
x = numpy.load(sys.argv[1]); y = numpy.load(sys.argv[2])
want = scipy.ndimage.gaussian_filter1d(x, 3.7, axis=int(sys.argv[3]))
sys.exit(0 if numpy.abs(want - y).max() <= 1e-12 * numpy.abs(x).max() else 1)' "$dir/r.npy" "$dir/s$axis.npy" $axis ||
            fail "axis $axis differs from scipy.ndimage.gaussian_filter1d"
    done
else
    echo "smooth test: no SciPy in python3, comparison with gaussian_filter1d skipped"
fi

# Bad files: exit 1.
expect 1 "no-such.npy" "$dir/no-such.npy" "$dir/out.npy" --sigma 1
head -c 100 "$dir/a.npy" >"$dir/short.npy"
expect 1 "short.npy" "$dir/short.npy" "$dir/out.npy" --sigma 1
npy "$dir/f4.npy" '<f4' '(2,)' "$zero"
expect 1 "f4.npy" "$dir/f4.npy" "$dir/out.npy" --sigma 1
expect 1 "only axis 0" "$dir/c.npy" "$dir/out.npy" --sigma 1 --axis 1
expect 1 "out.npy" "$dir/a.npy" "$dir/no-such-folder/out.npy" --sigma 1
# Usage mistakes: exit 2.
expect 2 "--sigma is required" "$dir/a.npy" "$dir/out.npy"
expect 2 "out of range" "$dir/a.npy" "$dir/out.npy" --sigma 0
expect 2 "not a number" "$dir/a.npy" "$dir/out.npy" --sigma abc
expect 2 "not 0 or 1" "$dir/a.npy" "$dir/out.npy" --sigma 1 --axis 2
expect 2 "input and the output" "$dir/a.npy" --sigma 1
expect 2 "unknown option" "$dir/a.npy" "$dir/out.npy" --sigma 1 --frob
echo "smooth test: round trips, smoothing and every mistake as expected"
