#!/usr/bin/env bash
# Idempotent set-up of what Medes needs on a fresh Debian machine: a JDK 17+, Maven, python3 (with
# numpy) and Node.js (the demo workers' runtimes), xdelta3 (./medes compare), libucx0 (the UCX page
# fetcher) and CRIU >= 4.1 (scripts/criu.sh). Installs only what is missing, from the Debian archive.
set -euo pipefail
missing=()
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
[[ -x /usr/bin/python3 ]] || missing+=(python3)
# numpy for medes-criu's function worker (workers/worker.py), which runs on /usr/bin/python3
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
# xdelta3 for the xdelta3 row of ./medes compare (org.medes.criu.compare)
command -v xdelta3 >/dev/null 2>&1 || missing+=(xdelta3)
# UCX (libucp.so.0) for medes-rdma's UCX page fetcher, bound at run time by jnr-ffi (no headers needed)
[[ -e /usr/lib/x86_64-linux-gnu/libucp.so.0 || -e /usr/lib/aarch64-linux-gnu/libucp.so.0 ]] || missing+=(libucx0)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# CRIU >= 4.1 for medes-criu's integration tests; criu.sh is cached (a second run is offline).
if [[ $(id -u) -eq 0 ]]; then
  "$(dirname "${BASH_SOURCE[0]}")/criu.sh" >/dev/null
else
  echo "setup: not root, so CRIU is not set up (scripts/criu.sh needs root to install it and run" \
    "'criu check'); run medes-criu's tests with -Dmedes.criu.disabled=true or install CRIU >= 4.1" >&2
fi
