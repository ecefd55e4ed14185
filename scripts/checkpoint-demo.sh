#!/usr/bin/env bash
# Two numpy workers with different inputs: checkpoint one as the base (left running), checkpoint
# the other, deduplicate it against the base (raw pages deleted), dedup-start it and invoke it
# again; its counter and value continue from before the checkpoint. Root; images on /dev/shm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
W=$PWD/medes-criu/src/main/resources/workers/worker.py
D=/dev/shm/medes-checkpoint-demo; rm -rf $D; mkdir -p $D
inv() { python3 -c "import socket,sys;s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);s.sendall(sys.argv[2].encode()+b'\n');print(s.recv(4096).decode().strip())" "$1" "$2"; }
setsid python3 $W numpy-sum 1 $D/a.sock </dev/null >/dev/null 2>&1 & A=$!
setsid python3 $W numpy-sum 2 $D/b.sock </dev/null >/dev/null 2>&1 & B=$!
for i in $(seq 100); do inv $D/a.sock ping >/dev/null 2>&1 && inv $D/b.sock ping >/dev/null 2>&1 && break; sleep 0.1; done
inv $D/a.sock invoke; inv $D/b.sock invoke; inv $D/b.sock invoke
./medes checkpoint --pid $A --out $D/base --leave-running
./medes checkpoint --pid $B --out $D/ck
wait $B 2>/dev/null || true   # reap it: its PID must be free for the restore
./medes dedup --base $D/base --out $D/b.medes $D/ck
./medes restore --base $D/base --out $D/rs --start $D/b.medes
echo "after the dedup start: $(inv $D/b.sock invoke)"
kill $A 2>/dev/null || true
pkill -f "worker.py numpy-sum 2 $D" 2>/dev/null || true
