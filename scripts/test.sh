#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: set-up, then every module's tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
mvn -B verify
