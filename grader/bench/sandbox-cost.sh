#!/usr/bin/env bash
# A benchmark of the sandbox (not a test): start to exit of /bin/true with the grader's limits
# alone and inside bubblewrap's namespaces (grader/bench/sandbox-cost.cpp), RUNS times each.
# Usage: grader/bench/sandbox-cost.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/parlab" list >/dev/null  # the release tree, configured and built as ./parlab does
cmake --build "$root/build/release" --target parlab_sandbox_bench >/dev/null
exec "$root/build/release/grader/parlab_sandbox_bench" "$@"
