#!/usr/bin/env bash
# Proves that the kit builds and passes its tests on another Debian release's toolchain: makes a
# fresh minimal root of that release with debootstrap, copies the kit into it, and runs the kit's
# tests there, installing the packages the way a student's `./parlab` does.
#
#   sudo cmake/check-toolchain.sh trixie            # Debian 13: GCC 14, CMake 3.31, Catch2 3
#   sudo cmake/check-toolchain.sh trixie --dev      # only the dev tree (quicker than ./parlab test)
#   sudo cmake/check-toolchain.sh trixie --reuse    # keep the root and build/ of an earlier run
#   sudo cmake/check-toolchain.sh trixie --gradescope   # the Gradescope package, run as Gradescope
#                                                       # does (grader/tests/gradescope-test.sh)
#   sudo cmake/check-toolchain.sh trixie --cxx g++-13   # with another compiler of that release (the
#                                                       # package's name is the program's), as CXX
#
# RELEASE is a Debian suite (trixie, bookworm, ...). It needs root and debootstrap (apt-get install
# debootstrap). The root lives under /var/tmp/parlab-toolchain/RELEASE (PARLAB_TOOLCHAIN_ROOT
# overrides), outside the kit; the packages come from the Debian mirror this machine's apt uses
# (PARLAB_MIRROR overrides). Heavy steps run under `nice`, one compile at a time unless
# CMAKE_BUILD_PARALLEL_LEVEL says otherwise.
set -euo pipefail

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

release=${1:-}
[[ -z $release || $release == -* ]] && usage
shift
dev_only=0 reuse=0 gradescope=0 cxx=""
while (($#)); do
    case $1 in
        --dev) dev_only=1 ;;
        --gradescope) gradescope=1 ;;
        --reuse) reuse=1 ;;
        --cxx) cxx=${2:-}; [[ $cxx =~ ^[a-z0-9.+-]+$ ]] || usage; shift ;;
        *) usage ;;
    esac
    shift
done

kit=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
base=${PARLAB_TOOLCHAIN_ROOT:-/var/tmp/parlab-toolchain}
root=$base/$release
say() { printf 'check-toolchain: %s\n' "$*" >&2; }
fail() { say "$*"; exit 2; }

[[ $(id -u) -eq 0 ]] || fail "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install debootstrap"

# The first Debian archive this machine's apt reads from (not the security one).
host_mirror() {
    local files=() f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && files+=("$f")
    done
    ((${#files[@]})) || return 0
    grep -h -o -E '^(deb +(\[[^]]*\] +)?|URIs: +)[a-z]+://[^ ]+' "${files[@]}" |
        grep -o -E '[a-z]+://[^ ]+' | grep -v -e security -e '/ubuntu' | grep -m1 debian || true
}
mirror=${PARLAB_MIRROR:-$(host_mirror)}
[[ -n $mirror ]] || fail "no Debian mirror found in /etc/apt; set PARLAB_MIRROR"

mounted=()
unmount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
    mounted=()
}
trap unmount_all EXIT
trap 'exit 130' INT TERM
mount_in_root() {  # mount_in_root TARGET MOUNT-ARGS...
    local target=$root/$1
    shift
    mkdir -p "$target"
    mount "$@" "$target"
    mounted+=("$target")
}

if [[ $reuse -eq 0 || ! -x $root/usr/bin/apt-get ]]; then
    if [[ -e $root ]]; then
        # Never delete through a mount left by an interrupted run.
        if grep -q " $root/" /proc/mounts; then fail "something is still mounted under $root; unmount it first"; fi
        say "removing the old root $root"
        rm -rf --one-file-system "$root"
    fi
    mkdir -p "$base"
    say "making a minimal $release root in $root from $mirror"
    nice -n 19 debootstrap --variant=minbase "$release" "$root" "$mirror" >"$base/$release-debootstrap.log" 2>&1 ||
        fail "debootstrap failed; see $base/$release-debootstrap.log"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# The kit as it is in the working tree: the files git tracks and the new ones it does not ignore,
# without build/ and without .git.
say "copying the kit into $root/kit"
# With --reuse the earlier build/ stays, so the build there is incremental.
if [[ $reuse -eq 1 && -d $root/kit/build ]]; then mv "$root/kit/build" "$root/kit-build"; fi
rm -rf --one-file-system "$root/kit"
mkdir -p "$root/kit"
if [[ -d $root/kit-build ]]; then mv "$root/kit-build" "$root/kit/build"; fi
(cd "$kit" && git ls-files -z --cached --others --exclude-standard | grep -z -v '^build/' |
    xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | tar -xmf - -C "$root/kit"  # -m: new time stamps, so a kept build/ never links objects of an older copy

# Forked workers and shared memory need /proc, /dev and a /dev/shm of their own.
mount_in_root proc -t proc proc
mount_in_root sys -t sysfs sysfs
mount_in_root dev --bind /dev
mount_in_root dev/pts --bind /dev/pts
mount_in_root dev/shm -t tmpfs -o mode=1777,nosuid,nodev tmpfs
# The Gradescope run limits its runs with cgroups, as Gradescope's containers are limited.
if [[ $gradescope -eq 1 && -d /sys/fs/cgroup ]]; then mount_in_root sys/fs/cgroup --rbind /sys/fs/cgroup; fi

# The packages come from ./parlab's own list, installed as ./parlab installs them (after finishing
# whatever an interrupted earlier run left half installed).
install='source <(grep "^PACKAGES=" parlab) && dpkg --configure -a && apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}" >/dev/null'
if [[ -n $cxx ]]; then
    # a fresh build/ tree: CMake keeps the compiler a tree was first configured with
    install="$install && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $cxx >/dev/null && rm -rf build"
fi
versions='${CXX:-g++} --version | head -1 && cmake --version | head -1 &&
          dpkg-query -W catch2 libfmt-dev nlohmann-json3-dev libcli11-dev libstb-dev ninja-build'
if [[ $gradescope -eq 1 ]]; then
    # python3 checks the results.json files (Gradescope's image has it too).
    install="$install && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null"
    run='bash grader/tests/gradescope-test.sh /kit'
elif [[ $dev_only -eq 1 ]]; then
    # What ./parlab test does for the dev tree, without the asan and tsan trees.
    run='cmake --preset dev >/dev/null && cmake --build --preset dev &&
         ctest --preset dev -LE "^lab$" -j1 2>&1 | tee build/dev/test.log'
else
    run='./parlab test'
fi
say "running in $release: $run"
status=0
chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-1}" ${cxx:+CXX=/usr/bin/$cxx} \
    nice -n 19 bash -o pipefail -c "cd /kit && $install && $versions && $run" ||
    status=$?
say "$release: $([[ $status -eq 0 ]] && echo passed || echo "FAILED (exit $status)"); the kit's copy and its build/ stay in $root/kit"
exit "$status"
