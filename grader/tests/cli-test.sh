#!/usr/bin/env bash
# ./parlab's answers to mistakes: one clear line and exit code 2, never a stack trace.
set -uo pipefail
kit=$1
fail() { echo "cli test: $*" >&2; exit 1; }

# expect CODE PATTERN COMMAND...: exit code CODE and stderr of one line matching PATTERN.
expect() {
    local code=$1 pattern=$2
    shift 2
    local err status
    err=$("$@" 2>&1 >/dev/null)
    status=$?
    [[ $status -eq $code ]] || fail "'$*' exited $status, expected $code (stderr: $err)"
    [[ $(grep -c . <<<"$err") -eq 1 ]] || fail "'$*' should print one line on stderr, printed: $err"
    grep -q -- "$pattern" <<<"$err" || fail "'$*' said '$err', expected '$pattern'"
}

# Build the grader program first, so that no build message is counted as an answer's line.
"$kit/parlab" list >/dev/null 2>&1 || fail "./parlab list failed"
expect 2 "unknown command 'frob'" "$kit/parlab" frob
expect 2 "test: unknown option '--fast'" "$kit/parlab" test --fast
expect 2 "grade: unknown option '--bogus'" "$kit/parlab" grade --bogus
expect 2 "grade: --seed needs a value" "$kit/parlab" grade --seed
expect 2 "grade: --seed: expected a whole number, 0 or more, got 'x'" "$kit/parlab" grade --seed x
expect 2 "list: unexpected argument 'extra'" "$kit/parlab" list extra
expect 2 "hint needs LAB (usage: ./parlab hint LAB" "$kit/parlab" hint
expect 2 "watch needs LAB" "$kit/parlab" watch
expect 2 "release needs DIR" "$kit/parlab" release
expect 2 "package: TARGET: expected gradescope, got 'zip'" "$kit/parlab" package zip
expect 2 "report needs OUT.html" "$kit/parlab" report "$kit"
expect 2 "bench: no lab 'frob'" "$kit/parlab" bench --only frob
expect 2 "demo needs a lab" "$kit/parlab" demo
if [[ -d $kit/solutions ]]; then
    expect 2 "package: no folder .*/no-such-folder to write a.zip in" "$kit/parlab" package gradescope no-such-folder/a.zip
    expect 2 "when-not-run: expected award or exclude, got 'later'" "$kit/parlab" package gradescope --when-not-run later
else  # a student edition
    expect 2 "package needs the instructor's copy" "$kit/parlab" package gradescope a.zip
fi

# Every command answers --help with its usage, on stdout, and exit code 0.
for command in grade batch report similarity list hint sources watch release package bench test check-kit help; do
    out=$("$kit/parlab" "$command" --help 2>&1) || fail "'$command --help' exited non-zero: $out"
    grep -q "^Usage: ./parlab $command" <<<"$out" || fail "'$command --help' printed no usage: $out"
done
PARLAB_NO_INSTALL=1 PARLAB_TEST_EXTRA_PACKAGE=parlab-no-such-package \
    expect 2 "missing packages: parlab-no-such-package; install them with: .*apt-get install -y parlab-no-such-package" \
    "$kit/parlab" grade

help=$("$kit/parlab" help) || fail "help exited non-zero"
for command in grade test list hint watch sources filter smooth makesky highpass pipefacts demo bench batch report similarity \
    package release check-kit help; do
    grep -q "^  $command" <<<"$help" || fail "help does not list '$command'"
done
grep -q "^Environment: PARLAB_WORKERS" <<<"$help" || fail "help does not name the environment variables"
[[ $("$kit/parlab" help grade) == "$("$kit/parlab" grade --help)" ]] || fail "'help grade' differs from 'grade --help'"
# Every program the texts name by its place in a build tree is a program the build makes.
tree=${2:-}
if [[ -n $tree && -f $tree/build.ninja ]]; then
    targets=$(ninja -C "$tree" -t targets all 2>/dev/null | sed 's/:.*//')
    while read -r named; do
        [[ -z $named ]] && continue
        grep -qx "$(basename "$named")" <<<"$targets" ||
            fail "a text names $named, but the build makes no program $(basename "$named")"
    done < <(cd "$kit" && grep -rhoE "build/(dev|release|asan|tsan)/[A-Za-z0-9_]+" README.md labs/*/*.md \
                 $(ls -d solutions/*/ANSWERS.md 2>/dev/null) | sort -u)
fi
echo "cli test: mistakes get one line and exit 2"
