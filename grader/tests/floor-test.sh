#!/usr/bin/env bash
# Between runs of the real oldest toolchain (Ubuntu 22.04: GCC 11, CMake 3.22, nlohmann-json
# 3.10.5, fmt 8.1, Catch2 2.13.8, CLI11 2.1.2), refuses the uses of newer library features that
# have broken that build before or are easy to reach for. Each line: a pattern, what it needs, and
# the kit's way instead. The kit's source files only (build trees and the student edition's copies
# aside). Then checks that configuration stops, with one line naming it, on a dependency below the
# floor.
#   grader/tests/floor-test.sh KIT
set -uo pipefail
kit=$(cd "${1:?usage: floor-test.sh KIT}" && pwd)
cd "$kit" || exit 2
rules=(
    'NLOHMANN_DEFINE_TYPE_|nlohmann-json 3.11 for its _WITH_DEFAULT forms|PARLAB_JSON_FIELDS or PARLAB_JSON_OPTIONAL (grader/shared/typed_json.hpp)'
    'NLOHMANN_JSON_FROM_WITH_DEFAULT|nlohmann-json 3.11|PARLAB_JSON_OPTIONAL (grader/shared/typed_json.hpp)'
    'fmt::styled|fmt 9|plain text, or colour written by the kit itself'
    'fmt/std\.h|fmt 9|format the path as .string()'
    'fmt::println|fmt 10|fmt::print with a \\n'
    '#include <format>|GCC 13 (std::format)|fmt::format'
    '#include <expected>|GCC 12 (std::expected)|std::optional or an exception'
    'std::views::(zip|enumerate|chunk|slide|stride|cartesian_product)|GCC 13 ranges|a plain loop'
    'ensure_utf8|CLI11 2.3 (as its README now shows)|the arguments as main gets them'
)
failures=0
# The kit's files, relative to it: git's list in a clone, else every such file outside build/.
files=$(git ls-files '*.cpp' '*.hpp' '*.h' '*.inc' '*.sh' 2>/dev/null) ||
    files=$(find . -path ./build -prune -o -type f \( -name '*.[ch]pp' -o -name '*.h' -o -name '*.inc' -o -name '*.sh' \) -print |
        sed 's|^\./||')
for rule in "${rules[@]}"; do
    IFS='|' read -r pattern needs instead <<<"$rule"
    [[ -z $instead ]] && continue
    # this script and the macro's own header name the patterns on purpose
    hits=$(grep -nE -- "$pattern" $files 2>/dev/null | grep -v -e '^grader/tests/floor-test.sh:' -e '^grader/shared/typed_json.hpp:')
    if [[ -n $hits ]]; then
        echo "floor test: these need $needs, newer than the oldest toolchain the kit promises; use $instead:"
        echo "$hits" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
done
if ((failures == 0)); then
    echo "floor test: no use of a feature newer than GCC 11, fmt 8.1, nlohmann-json 3.10.5 or CLI11 2.1.2 among $(wc -w <<<"$files") files"
fi

# Configuration names a dependency older than the floor: each package in turn is replaced by a
# stand-in package configuration of a version just below it.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
too_old() {  # too_old PACKAGE CONFIG_NAME VERSION EXPECTED_TEXT
    local dir=$scratch/$1
    mkdir -p "$dir"
    echo "set($1_FOUND TRUE)" >"$dir/$2.cmake"
    printf 'set(PACKAGE_VERSION %s)\nset(PACKAGE_VERSION_COMPATIBLE TRUE)\n' "$3" >"$dir/$2-version.cmake"
    local out
    out=$(cmake -S "$kit" -B "$scratch/build-$1" -G Ninja "-D$1_DIR=$dir" 2>&1)
    if grep -q -- "$4" <<<"$out"; then echo "floor test: $1 $3 stops configuration: $4"; else
        echo "floor test: $1 $3 did not stop configuration with '$4':"
        tail -5 <<<"$out"
        failures=$((failures + 1))
    fi
}
too_old fmt fmt-config 7.1.3 "fmt 7.1.3 is too old: the kit needs 8.1 or newer (package libfmt-dev)"
too_old nlohmann_json nlohmann_jsonConfig 3.10.4 "nlohmann-json 3.10.4 is too old: the kit needs 3.10.5 or newer"
too_old Catch2 Catch2Config 2.13.7 "Catch2 2.13.7 is too old: the kit needs 2.13.8 or 3.x"
too_old CLI11 CLI11Config 2.1.1 "CLI11 2.1.1 is too old: the kit needs 2.1.2 or newer (package libcli11-dev)"

if ((failures)); then echo "floor test: $failures rule(s) broken"; exit 1; fi
