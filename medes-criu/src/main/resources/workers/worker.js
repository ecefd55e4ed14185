// A stateful Node.js function worker for medes-criu: worker.py's protocol, with state in V8.
//
//   UV_USE_IO_URING=0 node worker.js FUNCTION INPUT SOCKET_PATH
//
// Builds its state from INPUT (an integer), listens on the Unix domain socket SOCKET_PATH and
// answers one request per connection, closing the connection after the answer (see worker.py for
// why not TCP). Requests (one line):
//   ping    -> "pong PID"
//   invoke  -> "FUNCTION INPUT COUNTER VALUE": COUNTER counts invocations since start; invocation k
//              adds k to one element of the state, VALUE is the sum of the state, so
//              VALUE(k) = VALUE(k-1) + k, and an answer after a restore shows whether the
//              pre-checkpoint state came back.
// Functions: "typed-sum" (a Float64Array of 2^19 + INPUT % 1024 integers, its backing store outside
// the V8 heap, plus a 5000-entry object) and "wordcount" (a Map of about 20000 words built from
// about 60000 random words, strings and Map in the V8 heap).
// CRIU: UV_USE_IO_URING=0 keeps libuv on epoll (CRIU 4.1.1 cannot dump an io_uring instance);
// no node flags are needed: V8's and libuv's threads, eventfds and epoll instances dump and
// restore as they are (see FunctionWorker).
'use strict';
const fs = require('fs');
const net = require('net');

const [fn, seedText, socketPath] = process.argv.slice(2);
const seed = Number.parseInt(seedText, 10);
if (!Number.isSafeInteger(seed) || socketPath === undefined) {
  process.stderr.write('usage: worker.js FUNCTION INPUT SOCKET_PATH\n');
  process.exit(2);
}

// mulberry32: a small deterministic generator seeded by INPUT
let s = seed >>> 0;
function rand() {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

let invoke;
if (fn === 'typed-sum') {
  const data = new Float64Array((1 << 19) + (((seed % 1024) + 1024) % 1024));
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.floor(rand() * 1000);
  }
  const table = {};
  for (let i = 0; i < 5000; i++) {
    table['w' + i] = i;
  }
  invoke = (k) => {
    data[k % data.length] += k;
    let sum = 0;
    for (let i = 0; i < data.length; i++) {
      sum += data[i];
    }
    return sum + table['w' + (k % 5000)] - (k % 5000);
  };
} else if (fn === 'wordcount') {
  const stems = ['alpha', 'beta', 'gamma', 'delta'];
  const counts = new Map();
  const n = 60000 + (((seed % 1000) + 1000) % 1000);
  for (let i = 0; i < n; i++) {
    const w = stems[i % 4] + Math.floor(rand() * 20000);
    counts.set(w, (counts.get(w) || 0) + 1);
  }
  const keys = [...counts.keys()].sort();
  invoke = (k) => {
    const key = keys[k % keys.length];
    counts.set(key, counts.get(key) + k);
    let sum = 0;
    for (const v of counts.values()) {
      sum += v;
    }
    return sum;
  };
} else {
  process.stderr.write(`unknown function '${fn}' (typed-sum, wordcount)\n`);
  process.exit(2);
}

try {
  fs.unlinkSync(socketPath);
} catch (e) {
  if (e.code !== 'ENOENT') {
    throw e;
  }
}

let counter = 0;
const server = net.createServer((conn) => {
  let buffered = '';
  conn.setEncoding('ascii');
  conn.on('data', (chunk) => {
    buffered += chunk;
    const nl = buffered.indexOf('\n');
    if (nl < 0) {
      return;
    }
    const request = buffered.slice(0, nl).trim();
    let answer;
    if (request === 'ping') {
      answer = `pong ${process.pid}`;
    } else if (request === 'invoke') {
      counter += 1;
      answer = `${fn} ${seed} ${counter} ${invoke(counter)}`;
    } else {
      answer = `error unknown request '${request}'`;
    }
    conn.end(answer + '\n');
  });
  conn.on('error', () => conn.destroy());
});
server.listen(socketPath);
