package org.medes.criu.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A live function worker ({@code workers/worker.py}, Python 3 with numpy) that CRIU can dump and
 * restore: started with {@code setsid}, stdin and stdout on {@code /dev/null}, stderr on
 * {@code worker.err} in its directory, serving one request per connection on a Unix domain socket,
 * {@code worker.sock} in its directory (a listening TCP socket cannot be dumped by CRIU 4.1.1 on
 * Linux &gt;= 6.16: see the script's header). {@link #invoke()} answers
 * {@code "FUNCTION INPUT COUNTER VALUE"}, where COUNTER counts invocations since the worker started
 * and VALUE(k) = VALUE(k-1) + k is computed from state built at start, so an answer after a
 * restore shows that the state came back.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class FunctionWorker implements AutoCloseable {
    /** The worker's runtime: Debian's python3, which has python3-numpy (scripts/setup.sh). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Functions the worker knows. */
    public static final List<String> FUNCTIONS = List.of("numpy-sum", "wordcount");
    static final String SOCKET = "worker.sock";
    static final String SCRIPT = "worker.py";
    /** Longest Unix socket path Linux takes (sun_path is 108 bytes with its NUL). */
    static final int MAX_SOCKET_PATH = 107;
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);

    private final long pid;
    private final Path socket;
    private final Path dir;
    private final Process process;
    private final Duration coldStart;

    private FunctionWorker(long pid, Path dir, Process process, Duration coldStart) {
        this.pid = pid;
        this.socket = dir.resolve(SOCKET);
        this.dir = dir;
        this.process = process;
        this.coldStart = coldStart;
    }

    /**
     * Starts a worker of {@code function} with input {@code input} in {@code dir} (created; its
     * working directory, where the script, the socket and stderr go) and waits until it answers a
     * ping, at most {@code timeout}.
     */
    public static FunctionWorker start(String function, int input, Path dir, Duration timeout) throws IOException {
        if (!FUNCTIONS.contains(function)) {
            throw new IllegalArgumentException("unknown function " + function + " " + FUNCTIONS);
        }
        Files.createDirectories(dir);
        Path script = dir.resolve(SCRIPT);
        try (InputStream in = FunctionWorker.class.getResourceAsStream("/workers/" + SCRIPT)) {
            if (in == null) {
                throw new IOException("resource /workers/" + SCRIPT + " is missing from the classpath");
            }
            Files.write(script, in.readAllBytes());
        }
        Path socket = dir.toAbsolutePath().resolve(SOCKET);
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket path " + socket + " is longer than " + MAX_SOCKET_PATH
                    + " bytes (sun_path); use a shorter directory");
        }
        Files.deleteIfExists(socket);
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("setsid", PYTHON.toString(), script.toString(), function,
                Integer.toString(input), socket.toString())
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("worker.err").toFile());
        // one BLAS thread: fewer threads to freeze and dump
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        try {
            new FunctionWorker(p.pid(), dir, p, Duration.ZERO).awaitReady(timeout);
            return new FunctionWorker(p.pid(), dir, p, Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** The worker of {@code dir} restored as {@code pid} (not a child of this JVM). */
    public static FunctionWorker attach(long pid, Path dir) {
        return new FunctionWorker(pid, dir, null, Duration.ZERO);
    }

    private static String stderr(Path dir) {
        try {
            Path err = dir.resolve("worker.err");
            return Files.exists(err) ? Files.readString(err).strip() : "(no worker.err)";
        } catch (IOException e) {
            return "(worker.err unreadable: " + e.getMessage() + ")";
        }
    }

    /** Polls with pings until the worker answers; fails after {@code timeout} or when a started worker exits. */
    public void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() - deadline < 0) {
            if (process != null && !process.isAlive()) {
                throw new IOException("worker " + pid + " exited with " + process.exitValue() + " before answering: "
                        + stderr(dir));
            }
            try {
                String pong = request("ping", deadline);
                if (pong.equals("pong " + pid)) {
                    return;
                }
                throw new IOException("worker on " + socket + " answered '" + pong + "' to ping, expected pong " + pid);
            } catch (java.net.SocketException e) {
                last = e; // not listening yet: no socket file, or connection refused
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        throw new IOException("worker " + pid + " did not answer on " + socket + " within " + timeout.toMillis()
                + " ms" + (last != null ? " (" + last.getMessage() + ")" : "") + "; " + stderr(dir));
    }

    /** Invokes the function: {@code "FUNCTION INPUT COUNTER VALUE"}. */
    public String invoke() throws IOException {
        String answer = request("invoke");
        if (answer.startsWith("error")) {
            throw new IOException("worker " + pid + ": " + answer);
        }
        return answer;
    }

    /** The COUNTER field of an answer. */
    public static long counter(String answer) {
        return Long.parseLong(answer.split(" ")[2]);
    }

    /** The VALUE field of an answer. */
    public static long value(String answer) {
        return Long.parseLong(answer.split(" ")[3]);
    }

    private String request(String line) throws IOException {
        return request(line, System.nanoTime() + IO_TIMEOUT.toNanos());
    }

    /**
     * One request, one line back, by {@code deadline} ({@link System#nanoTime()}); reads to the end,
     * so the worker has closed its side of the connection when this returns.
     */
    private String request(String line, long deadline) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.configureBlocking(false);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(256);
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_READ);
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException("worker " + pid + " on " + socket + " did not answer " + line + " in time");
                    }
                    sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    sel.selectedKeys().clear();
                    int r = ch.read(buf.clear());
                    if (r < 0) {
                        break;
                    }
                    answer.write(buf.array(), 0, r);
                }
            }
            String text = answer.toString(StandardCharsets.US_ASCII);
            int nl = text.indexOf('\n');
            if (nl < 0) {
                throw new IOException("worker " + pid + " on " + socket + " closed without answering " + line
                        + (text.isEmpty() ? "" : " (said '" + text + "')"));
            }
            return text.substring(0, nl);
        }
    }

    public long pid() {
        return pid;
    }

    /** The Unix domain socket it listens on. */
    public Path socket() {
        return socket;
    }

    public Path dir() {
        return dir;
    }

    /** From process start to the first answered ping (zero for an attached worker). */
    public Duration coldStart() {
        return coldStart;
    }

    /** True while the worker's pid runs (zombies excluded). */
    public boolean isRunning() {
        return Processes.isRunning(pid);
    }

    /**
     * Waits until a started worker has exited and this JVM reaped it (after a dump killed it), so
     * its pid is free for a restore.
     */
    public void awaitReaped(Duration timeout) throws IOException {
        if (process != null) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IOException("worker " + pid + " still runs after " + timeout.toMillis() + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for worker " + pid, e);
            }
        }
        if (!Processes.awaitFree(pid, timeout)) {
            throw new IOException("pid " + pid + " still taken (state " + Processes.state(pid) + ") after "
                    + timeout.toMillis() + " ms");
        }
    }

    /**
     * Kills the worker (SIGKILL) and waits, at most 10 s, until it no longer runs. A started worker
     * that already exited (a dump without --leave-running ended it) is left alone, so a restored
     * process under its pid is not touched: {@link #attach} that one. Idempotent.
     */
    @Override
    public void close() {
        if (process != null) {
            if (!process.isAlive()) {
                return;
            }
            process.destroyForcibly();
        } else {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        Processes.awaitExit(pid, IO_TIMEOUT);
    }
}
