#!/usr/bin/env bash
# The solutions' tests under ThreadSanitizer, in the kit's tsan tree (ThreadSanitizer cannot share
# a program with the dev tree's AddressSanitizer). ./parlab test runs this among the dev tree's
# end-to-end tests, so that the tsan tree builds while they wait out deadlocked variants' time
# limits, instead of after them.
#   grader/tests/tsan-tree-test.sh KIT
set -uo pipefail
kit=$(cd "$1" && pwd)
cd "$kit" || exit 1
mkdir -p build/tsan
if [[ ! -f build/tsan/build.ninja ]]; then
    cmake --preset tsan >build/tsan/configure.log 2>&1 || { tail -30 build/tsan/configure.log; exit 1; }
fi
cmake --build --preset tsan >build/tsan/build.log 2>&1 || { grep -E -A6 'error|FAILED' build/tsan/build.log | head -60; exit 1; }
ctest --preset tsan -j2 --output-on-failure
