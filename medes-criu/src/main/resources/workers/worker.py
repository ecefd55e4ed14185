# A stateful function worker for medes-criu's checkpoint tests and tools.
#
#   worker.py FUNCTION INPUT SOCKET_PATH
#
# Builds its state from INPUT (an integer), listens on the Unix domain socket SOCKET_PATH and
# answers one request per connection, closing the connection after the answer, so between
# invocations it holds only a listening socket, which CRIU dumps and restores as it is (the socket
# file stays when the process is dumped, and a restore binds it again). Not TCP: on Linux >= 6.16
# getsockopt(SO_PASSCRED) fails on inet sockets and CRIU 4.1.1 then refuses to dump them
# ("sockets: Can't get 1:16 opt: Operation not supported"). Requests (one line):
#   ping    -> "pong PID"
#   invoke  -> "FUNCTION INPUT COUNTER VALUE": COUNTER counts invocations since start, VALUE is
#              computed from the state built at start and changed by every invocation, so an
#              answer after a restore shows whether the pre-checkpoint state came back.
# Functions: "numpy-sum" (an int64 numpy array; invocation k adds k to element k mod n, VALUE is
# the array's sum, so VALUE(k) = VALUE(k-1) + k) and "wordcount" (a dict of words built in the
# Python heap; invocation k adds k to the count of one word, VALUE is the sum of the counts, with
# the same rule).
import os
import socket
import sys

import numpy as np

function, seed, socket_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(seed)
if function == "numpy-sum":
    data = rng.integers(0, 1000, size=(1 << 19) + (seed % 1024), dtype=np.int64)
    table = {"w%d" % i: i for i in range(5000)}

    def invoke(k):
        data[k % data.size] += k
        return int(data.sum())
elif function == "wordcount":
    words = ["%s%d" % (("alpha", "beta", "gamma", "delta")[i % 4], int(x))
             for i, x in enumerate(rng.integers(0, 20000, size=60000 + seed % 1000))]
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    keys = sorted(counts)

    def invoke(k):
        counts[keys[k % len(keys)]] += k
        return sum(counts.values())
else:
    sys.exit("unknown function %r (numpy-sum, wordcount)" % function)

if os.path.exists(socket_path):
    os.unlink(socket_path)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(socket_path)
server.listen(16)

counter = 0
while True:
    conn, _ = server.accept()
    try:
        request = conn.makefile("r").readline().strip()
        if request == "ping":
            answer = "pong %d" % os.getpid()
        elif request == "invoke":
            counter += 1
            answer = "%s %d %d %d" % (function, seed, counter, invoke(counter))
        else:
            answer = "error unknown request %r" % request
        conn.sendall((answer + "\n").encode())
    except OSError:
        pass
    finally:
        conn.close()
