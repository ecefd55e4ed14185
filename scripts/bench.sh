#!/usr/bin/env bash
# Builds and runs the JMH benchmarks with the JVM flags Chronicle needs (forks inherit them).
#   scripts/bench.sh                      every benchmark
#   scripts/bench.sh FingerprintBenchmark one class; any JMH option may follow (-prof gc, -p corpus=real)
#   scripts/bench.sh table                runs them all and prints the README table (MB/s, lookups/s)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
log="$(mktemp)"
if ! (cd "$root" && mvn -q -B -DskipTests -pl jmh -am package) >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
mapfile -t flags < "$root/scripts/jvm-flags"
if [[ "${1:-}" == "table" ]]; then
  shift
  exec java "${flags[@]}" -cp "$root/jmh/target/benchmarks.jar" org.medes.jmh.BenchmarkTable "$@"
fi
exec java "${flags[@]}" -jar "$root/jmh/target/benchmarks.jar" "$@"
