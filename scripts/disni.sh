#!/usr/bin/env bash
# Builds libdisni 2.1 (DiSNI's JNI library) from DiSNI's own sources, for machines with an RDMA
# device. Not run by CI or scripts/test.sh: without an RDMA NIC the DiSNI tests skip anyway.
#
#   scripts/disni.sh [PREFIX]        # default PREFIX=/var/cache/medes/disni-2.1; needs root for apt-get
#   DISNI_SRC=DIR scripts/disni.sh   # build from an unpacked DiSNI v2.1 source tree instead of downloading
#
# Then run Java with -Djava.library.path=PREFIX/lib (the medes-rdma DiSNI tests:
#   mvn -pl medes-rdma test -Dtest=DisniPageFetcherTest -DargLine="$(tr '\n' ' ' < scripts/jvm-flags) -Djava.library.path=PREFIX/lib"
# ). DisniAvailability names whatever is still missing.
set -euo pipefail
prefix="${1:-/var/cache/medes/disni-2.1}"
tag=v2.1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. build tools, RDMA user libraries and their headers (Debian package names)
pkgs=(build-essential autoconf automake libtool libibverbs-dev librdmacm-dev ibverbs-providers rdma-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# 2. DiSNI's sources at tag v2.1 (its release tarball), unless given
if [[ -z "${DISNI_SRC:-}" ]]; then
  curl -fsSL "https://github.com/zrlio/disni/archive/refs/tags/${tag}.tar.gz" -o "$work/disni.tar.gz"
  tar -xzf "$work/disni.tar.gz" -C "$work"
  DISNI_SRC="$(find "$work" -maxdepth 1 -type d -name 'disni-*' | head -1)"
fi
[[ -f "$DISNI_SRC/libdisni/configure.ac" ]] || { echo "no libdisni/configure.ac under $DISNI_SRC" >&2; exit 1; }

# 3. autotools build against this machine's JDK (for jni.h)
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
cp -r "$DISNI_SRC/libdisni" "$work/build"
cd "$work/build"
./autoprepare.sh >/dev/null
./configure --quiet --prefix="$prefix" --with-jdk="$jdk"
make -s -j"$(nproc)"
make -s install
test -f "$prefix/lib/libdisni.so"
echo "libdisni: $prefix/lib/libdisni.so  (use -Djava.library.path=$prefix/lib)"
if [[ -z "$(ls -A /sys/class/infiniband 2>/dev/null)" ]]; then
  echo "note: no RDMA device in /sys/class/infiniband: DiSNI still cannot run on this machine" >&2
fi
