// A stateful Java function worker for medes-criu: worker.py's protocol, with state in the Java heap.
//
//   java -XX:-UsePerfData -XX:+UseSerialGC -Xmx64m -cp DIR Worker FUNCTION INPUT SOCKET_PATH
//
// FunctionWorker compiles this file (javax.tools, no preview features, default package) into the
// worker's directory and runs it with the flags it documents. Builds its state from INPUT (an
// integer), listens on the Unix domain socket SOCKET_PATH (java.net.UnixDomainSocketAddress, Java
// 16+) and answers one request per connection, closing the connection after the answer (see
// worker.py for why not TCP). Requests (one line):
//   ping    -> "pong PID"
//   invoke  -> "FUNCTION INPUT COUNTER VALUE": COUNTER counts invocations since start; invocation k
//              adds k to one element of the state, VALUE is the sum of the state, so
//              VALUE(k) = VALUE(k-1) + k, and an answer after a restore shows whether the
//              pre-checkpoint state came back.
// Functions: "array-sum" (a long[] of 2^19 + INPUT % 1024 random values below 1000, plus a
// 5000-entry HashMap) and "wordcount" (a HashMap<String, long[]> of about 20000 words counted from
// about 60000 random words).
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

public final class Worker {
    private Worker() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: Worker FUNCTION INPUT SOCKET_PATH");
            System.exit(2);
        }
        String function = args[0];
        long seed = Long.parseLong(args[1]);
        Path socketPath = Path.of(args[2]);
        LongUnaryOperator invoke = switch (function) {
            case "array-sum" -> arraySum(seed);
            case "wordcount" -> wordcount(seed);
            default -> {
                System.err.println("unknown function '" + function + "' (array-sum, wordcount)");
                System.exit(2);
                yield null;
            }
        };
        Files.deleteIfExists(socketPath);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socketPath), 16);
            long counter = 0;
            ByteBuffer in = ByteBuffer.allocate(256);
            while (true) {
                try (SocketChannel conn = server.accept()) {
                    String request = readLine(conn, in);
                    String answer;
                    if (request.equals("ping")) {
                        answer = "pong " + ProcessHandle.current().pid();
                    } else if (request.equals("invoke")) {
                        counter++;
                        answer = function + " " + seed + " " + counter + " " + invoke.applyAsLong(counter);
                    } else {
                        answer = "error unknown request '" + request + "'";
                    }
                    ByteBuffer out = ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.US_ASCII));
                    while (out.hasRemaining()) {
                        conn.write(out);
                    }
                } catch (IOException e) {
                    // the client went away; serve the next one
                }
            }
        }
    }

    private static String readLine(SocketChannel conn, ByteBuffer in) throws IOException {
        in.clear();
        while (in.hasRemaining()) {
            if (conn.read(in) < 0) {
                break;
            }
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return new String(in.array(), 0, i, StandardCharsets.US_ASCII).strip();
                }
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).strip();
    }

    private static LongUnaryOperator arraySum(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        long[] data = new long[(1 << 19) + (int) Math.floorMod(seed, 1024L)];
        for (int i = 0; i < data.length; i++) {
            data[i] = rng.nextInt(1000);
        }
        Map<String, Integer> table = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            table.put("w" + i, i);
        }
        return k -> {
            data[(int) (k % data.length)] += k;
            long sum = 0;
            for (long v : data) {
                sum += v;
            }
            return sum + table.get("w" + k % 5000) - k % 5000;
        };
    }

    private static LongUnaryOperator wordcount(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] stems = {"alpha", "beta", "gamma", "delta"};
        Map<String, long[]> counts = new HashMap<>();
        int n = 60000 + (int) Math.floorMod(seed, 1000L);
        for (int i = 0; i < n; i++) {
            counts.computeIfAbsent(stems[i % 4] + rng.nextInt(20000), w -> new long[1])[0]++;
        }
        List<String> keys = new ArrayList<>(counts.keySet());
        Collections.sort(keys);
        return k -> {
            counts.get(keys.get((int) (k % keys.size())))[0] += k;
            long sum = 0;
            for (long[] c : counts.values()) {
                sum += c[0];
            }
            return sum;
        };
    }
}
