#!/usr/bin/env bash
# A measurement, not a product part: the default patch codec's decoder and encoder (block mode,
# pointer marks) written in C, run on the same page pairs as the Java codec's PatchBenchmark, to
# see whether a native codec would reach the codec speed targets. Each C result is checked: every
# decoded page equals its target, every C patch equals the Java encoder's byte for byte.
#   tools/c-codec-spike/run.sh CORPUS_DIR [FUNCTION ...]    (CORPUS_DIR from ./medes corpus --out)
# Needs gcc (not installed by scripts/setup.sh) and the jmh module built (scripts/bench.sh builds it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="${1:?usage: run.sh CORPUS_DIR [FUNCTION ...]}"
shift
functions=("$@")
[[ ${#functions[@]} -gt 0 ]] || functions=(java-wordcount node-typed-sum python-numpy-sum)
command -v gcc >/dev/null || { echo "run.sh: gcc is needed (apt-get install gcc)" >&2; exit 1; }
jar="$root/jmh/target/benchmarks.jar"
[[ -f "$jar" ]] || (cd "$root" && mvn -q -B -DskipTests -pl jmh -am package)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mapfile -t flags < "$root/scripts/jvm-flags"
javac -cp "$jar" -d "$work" "$here/Dump.java"
gcc -O2 -march=native -o "$work/dec" "$here/dec.c"
gcc -O2 -march=native -o "$work/enc" "$here/enc.c"
for f in "${functions[@]}"; do
  java "${flags[@]}" -cp "$jar:$work" org.medes.core.patch.Dump "$corpus/$f" "$work/$f.bin"
  "$work/dec" "$work/$f.bin"
  "$work/enc" "$work/$f.bin"
done
