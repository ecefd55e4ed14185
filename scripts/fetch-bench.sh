#!/usr/bin/env bash
# Runs medes-rdma's PageFetchBenchmark (a plain timed loop, not JMH): p50/p99 of one 4 KiB fetch
# and MB/s of batches of 1, 8 and 64 pages, for the local, TCP and UCX fetchers (TCP and UCX
# servers in their own JVM; UCX pinned to its TCP transport, UCX_TLS=tcp: no RDMA NIC here).
# Prints the load average and one table row per path.
#   scripts/fetch-bench.sh         local, TCP and UCX over loopback
#   scripts/fetch-bench.sh netns   adds TCP and UCX across a network namespace and veth pair (root;
#                                  UCX also gets UCX_NET_DEVICES=<veth end> on each side)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
log="$(mktemp)"
cp="$(mktemp)"
# in the reactor, so medes-core comes from its target/classes (the last module written wins: medes-rdma)
if ! (cd "$root" && mvn -q -B -DskipTests -pl medes-rdma -am test-compile dependency:build-classpath \
      -Dmdep.outputFile="$cp") >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log" "$cp"
  exit 1
fi
rm -f "$log"
mapfile -t flags < "$root/scripts/jvm-flags"
classpath="$root/medes-rdma/target/classes:$root/medes-rdma/target/test-classes:$(cat "$cp")"
rm -f "$cp"
exec java "${flags[@]}" -cp "$classpath" org.medes.rdma.PageFetchBenchmark "$@"
