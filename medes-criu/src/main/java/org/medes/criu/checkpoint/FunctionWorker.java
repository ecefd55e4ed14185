package org.medes.criu.checkpoint;

import org.medes.criu.tool.FileTrees;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * A live function worker that CRIU can dump and restore: {@code workers/worker.py} (Python 3 with
 * numpy), {@code workers/worker.js} (Node.js) or {@code workers/Worker.java} (the JVM), one
 * {@link Runtime} each, started with {@code setsid}, stdin and stdout on {@code /dev/null}, stderr
 * on {@code worker.err} in its directory, serving one request per connection on a Unix domain
 * socket, {@code worker.sock} in its directory (a listening TCP socket cannot be dumped by CRIU
 * 4.1.1 on Linux &gt;= 6.16: see worker.py's header). {@link #invoke()} answers
 * {@code "FUNCTION INPUT COUNTER VALUE"}, where COUNTER counts invocations since the worker started
 * and VALUE(k) = VALUE(k-1) + k is computed from state built at start, so an answer after a
 * restore shows that the state came back.
 *
 * <p>What each runtime needs under CRIU 4.1.1 (Linux 6.18, checked by dumping and restoring):
 * <ul>
 *   <li>python: one BLAS thread ({@code OPENBLAS_NUM_THREADS=1}, {@code OMP_NUM_THREADS=1}), for
 *       fewer threads to freeze.</li>
 *   <li>node: {@code UV_USE_IO_URING=0}. An io_uring instance cannot be dumped ("Unknown shit 600
 *       (anon_inode:[io_uring])" in dump.log); Debian's Node 20 keeps libuv on epoll by default, the
 *       variable makes sure. V8's and libuv's threads, eventfds and epoll instances dump and restore
 *       as they are.</li>
 *   <li>java: {@code -XX:-UsePerfData} (no {@code /tmp/hsperfdata_USER/PID} mapping: the restore
 *       would need that file, and any later JVM deletes it as stale once the dumped process is
 *       gone), {@code -XX:+UseSerialGC -Xmx64m} (one GC thread, a small heap, smaller images).
 *       Class data sharing stays on: its archive is a file mapping CRIU restores from the JDK.
 *       {@code JAVA_TOOL_OPTIONS}, {@code _JAVA_OPTIONS} and {@code JDK_JAVA_OPTIONS} are removed
 *       from its environment. Worker.java is compiled once per JVM (javax.tools) and its class
 *       written into each worker's directory; the JVM that runs it is this one's
 *       ({@code java.home}), Java 16+ for Unix domain sockets.</li>
 * </ul>
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class FunctionWorker implements AutoCloseable {
    /** The Python worker's runtime: Debian's python3, which has python3-numpy (scripts/setup.sh). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** The Node.js worker's runtime: Debian's nodejs (scripts/setup.sh). */
    public static final Path NODE = Path.of("/usr/bin/node");
    /** The Java worker's runtime: the {@code java} of the JDK this runs on. */
    public static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    /** JVM options of the Java worker (see the class comment). */
    public static final List<String> JAVA_OPTIONS = List.of("-XX:-UsePerfData", "-XX:+UseSerialGC", "-Xmx64m");
    /** Functions the Python worker knows ({@link Runtime#PYTHON}). */
    public static final List<String> FUNCTIONS = List.of("numpy-sum", "wordcount");

    /** A worker's language runtime, with the functions its worker knows. */
    public enum Runtime {
        PYTHON("python", "worker.py", FUNCTIONS),
        NODE("node", "worker.js", List.of("typed-sum", "wordcount")),
        JAVA("java", "Worker.java", List.of("array-sum", "wordcount"));

        private final String id;
        private final String resource;
        private final List<String> functions;

        Runtime(String id, String resource, List<String> functions) {
            this.id = id;
            this.resource = resource;
            this.functions = functions;
        }

        /** Its name on command lines and in directory names: python, node or java. */
        public String id() {
            return id;
        }

        /** The worker's file under {@code /workers/} on the classpath. */
        public String resource() {
            return resource;
        }

        public List<String> functions() {
            return functions;
        }

        /** The runtime named {@code id} (python, node or java). */
        public static Runtime of(String id) {
            for (Runtime r : values()) {
                if (r.id.equals(id)) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown runtime " + id + " (python, node, java)");
        }
    }

    static final String SOCKET = "worker.sock";
    /** Longest Unix socket path Linux takes (sun_path is 108 bytes with its NUL). */
    static final int MAX_SOCKET_PATH = 107;
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
    private static final String JAVA_CLASS = "Worker.class";
    private static byte[] workerClass;

    private final long pid;
    /** Its pid in this JVM's PID namespace (differs from {@link #pid} for a restored copy). */
    private final long hostPid;
    private final Path socket;
    private final Path dir;
    private final Process process;
    private final Duration coldStart;

    private FunctionWorker(long pid, Path dir, Process process, Duration coldStart) {
        this(pid, pid, dir, process, coldStart);
    }

    private FunctionWorker(long pid, long hostPid, Path dir, Process process, Duration coldStart) {
        this.pid = pid;
        this.hostPid = hostPid;
        this.socket = dir.resolve(SOCKET);
        this.dir = dir;
        this.process = process;
        this.coldStart = coldStart;
    }

    /**
     * Starts a Python worker of {@code function} with input {@code input} in {@code dir}: see
     * {@link #start(Runtime, String, int, Path, Duration)}.
     */
    public static FunctionWorker start(String function, int input, Path dir, Duration timeout) throws IOException {
        return start(Runtime.PYTHON, function, input, dir, timeout);
    }

    /**
     * Starts a {@code runtime} worker of {@code function} with input {@code input} in {@code dir}
     * (created; its working directory, where the worker's file, the socket and stderr go) and
     * waits until it answers a ping, at most {@code timeout}.
     */
    public static FunctionWorker start(Runtime runtime, String function, int input, Path dir, Duration timeout)
            throws IOException {
        if (!runtime.functions().contains(function)) {
            throw new IllegalArgumentException("unknown function " + function + " for " + runtime.id() + " "
                    + runtime.functions());
        }
        Path socket = dir.toAbsolutePath().resolve(SOCKET);
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IllegalArgumentException("socket path " + socket + " is longer than " + MAX_SOCKET_PATH
                    + " bytes (sun_path); use a shorter directory");
        }
        Files.createDirectories(dir);
        Path script = dir.toAbsolutePath().resolve(runtime.resource());
        Files.write(script, resource(runtime.resource()));
        Files.deleteIfExists(socket);
        List<String> command = new ArrayList<>(List.of("setsid"));
        switch (runtime) {
            case PYTHON -> command.addAll(List.of(PYTHON.toString(), script.toString()));
            case NODE -> command.addAll(List.of(NODE.toString(), script.toString()));
            case JAVA -> {
                Files.write(dir.resolve(JAVA_CLASS), workerClass());
                command.add(JAVA.toString());
                command.addAll(JAVA_OPTIONS);
                command.addAll(List.of("-cp", dir.toAbsolutePath().toString(), "Worker"));
            }
        }
        command.addAll(List.of(function, Integer.toString(input), socket.toString()));
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("worker.err").toFile());
        Map<String, String> env = pb.environment();
        switch (runtime) {
            case PYTHON -> {
                // one BLAS thread: fewer threads to freeze and dump
                env.put("OPENBLAS_NUM_THREADS", "1");
                env.put("OMP_NUM_THREADS", "1");
            }
            case NODE -> env.put("UV_USE_IO_URING", "0"); // CRIU cannot dump an io_uring
            case JAVA -> {
                env.remove("JAVA_TOOL_OPTIONS");
                env.remove("_JAVA_OPTIONS");
                env.remove("JDK_JAVA_OPTIONS");
            }
        }
        Process p = pb.start();
        try {
            new FunctionWorker(p.pid(), dir, p, Duration.ZERO).awaitReady(timeout);
            return new FunctionWorker(p.pid(), dir, p, Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FunctionWorker.class.getResourceAsStream("/workers/" + name)) {
            if (in == null) {
                throw new IOException("resource /workers/" + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        }
    }

    /** Worker.java compiled by this JVM's compiler, once. */
    private static synchronized byte[] workerClass() throws IOException {
        if (workerClass == null) {
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            if (javac == null) {
                throw new IOException("no Java compiler in " + System.getProperty("java.home")
                        + " (a JRE?): the java worker needs a JDK");
            }
            Path tmp = Files.createTempDirectory("medes-java-worker-");
            try {
                Path source = tmp.resolve(Runtime.JAVA.resource());
                Files.write(source, resource(Runtime.JAVA.resource()));
                StringWriter diagnostics = new StringWriter();
                Boolean ok;
                try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
                    ok = javac.getTask(diagnostics, files, null, List.of("-d", tmp.toString(), "--release", "17"),
                            null, files.getJavaFileObjects(source.toFile())).call();
                }
                if (!Boolean.TRUE.equals(ok)) {
                    throw new IOException("cannot compile " + Runtime.JAVA.resource() + ": " + diagnostics);
                }
                workerClass = Files.readAllBytes(tmp.resolve(JAVA_CLASS));
            } finally {
                FileTrees.delete(tmp);
            }
        }
        return workerClass.clone();
    }

    /** The worker of {@code dir} restored as {@code pid} (not a child of this JVM). */
    public static FunctionWorker attach(long pid, Path dir) {
        return new FunctionWorker(pid, dir, null, Duration.ZERO);
    }

    /**
     * The worker of a {@link RestoredCopy}: it answers as {@code copy.pid()} on the socket in
     * {@code copy.copyDir()}; {@link #close()} kills {@code copy.hostPid()}, never the original.
     */
    public static FunctionWorker attach(RestoredCopy copy) {
        return new FunctionWorker(copy.pid(), copy.hostPid(), copy.copyDir(), null, Duration.ZERO);
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
        return Processes.isRunning(hostPid);
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
            ProcessHandle.of(hostPid).ifPresent(ProcessHandle::destroyForcibly);
        }
        Processes.awaitExit(hostPid, IO_TIMEOUT);
    }
}
