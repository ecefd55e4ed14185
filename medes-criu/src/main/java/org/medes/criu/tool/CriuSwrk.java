package org.medes.criu.tool;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One {@code criu swrk} process ("service worker") and this JVM's end of the SOCK_SEQPACKET
 * socketpair it serves requests on: {@link #call} sends one {@code criu_req} and returns one
 * {@code criu_resp}, each a single datagram.
 *
 * <p>How it is started: {@code socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC)}, then
 * {@code posix_spawn} of {@code CRIU swrk 3} with file actions that put the child's end on fd 3
 * ({@code dup2} clears close-on-exec), stdin on {@code /dev/null}, stdout and stderr on a temporary
 * file (quoted in errors), and close every other descriptor from 4 up, so none of the JVM's
 * descriptors reach criu. {@code CRIU} may be the wrapper scripts/criu.sh writes: fd 3 survives
 * its {@code exec} of the dynamic loader. Java's {@code ProcessBuilder} cannot do this (it closes
 * every descriptor but 0-2 in the child), which is why jnr-ffi is used.
 *
 * <p>CRIU takes the images directory as a descriptor number of the <em>caller</em>, which it opens
 * through {@code /proc/CALLER/fd/N} (the caller being the peer of the socket, this JVM):
 * {@link #openDirectory} gives one. A swrk exits when its socket is closed; {@link #close} closes it
 * and reaps the process (killing it after a grace period). A process CRIU restores is a child of
 * the swrk and is reparented (to init or a subreaper) when the swrk exits.
 *
 * <p>Thread-safety: not thread-safe; one request at a time.
 */
public final class CriuSwrk implements AutoCloseable {
    /** Largest criu_resp accepted; real ones are tens of bytes. */
    static final int MAX_RESPONSE = 64 * 1024;
    private static final Duration EXIT_GRACE = Duration.ofSeconds(5);
    private static final String CHILD_FD = "3";

    private final CriuBinary criu;
    private final int pid;
    private final Path output;
    private int socket;
    private boolean reaped;
    private int exitStatus;

    private CriuSwrk(CriuBinary criu, int pid, int socket, Path output) {
        this.criu = criu;
        this.pid = pid;
        this.socket = socket;
        this.output = output;
    }

    /**
     * Spawns {@code criu swrk 3}. Returns at once: criu's own start-up (loading, parsing) runs while
     * the caller prepares its request, so a swrk may be spawned ahead of need.
     *
     * @throws IOException when libc cannot be loaded, the socketpair cannot be made or the spawn fails
     */
    public static CriuSwrk spawn(CriuBinary criu) throws IOException {
        Objects.requireNonNull(criu, "criu");
        LibC c = libc();
        int[] fds = new int[2];
        if (c.socketpair(LibC.AF_UNIX, LibC.SOCK_SEQPACKET | LibC.SOCK_CLOEXEC, 0, fds) != 0) {
            throw new IOException(LibC.describe("socketpair(AF_UNIX, SOCK_SEQPACKET) for criu swrk"));
        }
        Path output = Files.createTempFile("medes-criu-swrk-", ".out");
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(c);
        Pointer actions = Memory.allocateDirect(rt, LibC.FILE_ACTIONS_BYTES, true);
        int[] childPid = new int[1];
        int err;
        try {
            check(c.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            try {
                check(c.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", LibC.O_RDONLY, 0), "addopen stdin");
                check(c.posix_spawn_file_actions_addopen(actions, 1, output.toString(),
                        LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, 0600), "addopen stdout");
                check(c.posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2 stderr");
                check(c.posix_spawn_file_actions_adddup2(actions, fds[1], 3), "adddup2 socket");
                check(c.posix_spawn_file_actions_addclosefrom_np(actions, 4), "addclosefrom_np");
                err = c.posix_spawn(childPid, criu.path().toString(), actions, null,
                        new String[] {criu.path().toString(), "swrk", CHILD_FD}, environment());
            } finally {
                c.posix_spawn_file_actions_destroy(actions);
            }
        } catch (IOException | RuntimeException e) {
            c.close(fds[0]);
            c.close(fds[1]);
            Files.deleteIfExists(output);
            throw e;
        }
        c.close(fds[1]);
        if (err != 0) {
            c.close(fds[0]);
            Files.deleteIfExists(output);
            throw new IOException("cannot spawn '" + criu.path() + " swrk 3': " + c.strerror(err) + " (errno " + err + ")");
        }
        return new CriuSwrk(criu, childPid[0], fds[0], output);
    }

    private static void check(int ret, String what) throws IOException {
        if (ret != 0) {
            throw new IOException(what + " failed for criu swrk: " + libc().strerror(ret) + " (errno " + ret + ")");
        }
    }

    private static String[] environment() {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return env.toArray(String[]::new);
    }

    static LibC libc() throws IOException {
        try {
            return LibC.get();
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("cannot load libc through jnr-ffi for criu swrk: " + e, e);
        }
    }

    /** The swrk's pid. */
    public long pid() {
        return pid;
    }

    /**
     * Opens {@code dir} read-only as a directory descriptor of this JVM (close-on-exec), for
     * {@code criu_opts.images_dir_fd}; close it with {@link #closeDescriptor}.
     */
    public static int openDirectory(Path dir) throws IOException {
        LibC c = libc();
        int fd = c.open(dir.toAbsolutePath().toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException(LibC.describe("cannot open images directory " + dir));
        }
        return fd;
    }

    public static void closeDescriptor(int fd) throws IOException {
        libc().close(fd);
    }

    /**
     * Sends {@code request} and waits for one response datagram, at most {@code timeout}.
     *
     * @throws IOException when the send fails, the swrk exits or closes its end without answering
     *     (with its exit status and output), the response is larger than 64 KiB, or time runs out
     *     (the swrk is then killed)
     */
    public byte[] call(byte[] request, Duration timeout) throws IOException {
        if (socket < 0) {
            throw new IllegalStateException("criu swrk " + pid + " is closed");
        }
        LibC c = libc();
        long sent = c.send(socket, request, request.length, LibC.MSG_NOSIGNAL);
        if (sent != request.length) {
            String why = sent < 0 ? LibC.describe("send") : "sent " + sent + " of " + request.length + " bytes";
            throw new IOException("cannot send a request to criu swrk " + pid + ": " + why + afterExit());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Pointer pollfd = Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(c), 8, true);
        byte[] buf = new byte[MAX_RESPONSE];
        while (true) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0) {
                kill();
                throw new IOException("criu swrk " + pid + " did not answer within " + timeout.toMillis()
                        + " ms; killed it" + afterExit());
            }
            pollfd.putInt(0, socket);
            pollfd.putShort(4, LibC.POLLIN);
            pollfd.putShort(6, (short) 0);
            int ready = c.poll(pollfd, 1, (int) Math.min(leftMs, Integer.MAX_VALUE));
            if (ready < 0) {
                if (LibC.errno() == LibC.EINTR) {
                    continue;
                }
                throw new IOException(LibC.describe("poll on criu swrk " + pid + "'s socket"));
            }
            if (ready == 0) {
                continue;
            }
            long n = c.recv(socket, buf, buf.length, LibC.MSG_TRUNC | LibC.MSG_DONTWAIT);
            if (n < 0) {
                throw new IOException(LibC.describe("recv from criu swrk " + pid) + afterExit());
            }
            if (n == 0) {
                throw new IOException("criu swrk " + pid + " closed its socket without answering" + afterExit());
            }
            if (n > buf.length) {
                throw new IOException("criu swrk " + pid + " answered " + n + " bytes, more than the " + buf.length
                        + " a criu_resp may take");
            }
            byte[] out = new byte[(int) n];
            System.arraycopy(buf, 0, out, 0, out.length);
            return out;
        }
    }

    /** ", it exited with ...; it printed: ..." once the swrk has ended (waited for briefly), else "". */
    private String afterExit() {
        awaitExit(Duration.ofMillis(500));
        if (!reaped) {
            return "";
        }
        String printed = printed();
        return "; criu swrk " + describeStatus(exitStatus) + (printed.isEmpty() ? "" : "; it printed: " + printed);
    }

    /** What the swrk wrote on stdout and stderr so far (its log goes to the log file it was asked for). */
    public String printed() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "(its output " + output + " is unreadable: " + e.getMessage() + ")";
        }
    }

    static String describeStatus(int status) {
        int sig = status & 0x7f;
        if (sig == 0) {
            return "exited with " + ((status >> 8) & 0xff);
        }
        return "was killed by signal " + sig;
    }

    private void kill() {
        if (!reaped) {
            LibC.get().kill(pid, LibC.SIGKILL);
            awaitExit(EXIT_GRACE);
        }
    }

    /** Polls waitpid(WNOHANG) until the swrk is reaped or {@code timeout} passed. */
    private void awaitExit(Duration timeout) {
        if (reaped) {
            return;
        }
        LibC c = LibC.get();
        int[] status = new int[1];
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int r = c.waitpid(pid, status, LibC.WNOHANG);
            if (r == pid || (r < 0 && LibC.errno() != LibC.EINTR)) {
                reaped = true;
                exitStatus = r == pid ? status[0] : 0;
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }

    /** Closes the socket, so the swrk ends; reaps it (SIGKILL after 5 s). Idempotent. */
    @Override
    public void close() throws IOException {
        if (socket >= 0) {
            LibC.get().close(socket);
            socket = -1;
        }
        awaitExit(EXIT_GRACE);
        kill();
        Files.deleteIfExists(output);
    }

    @Override
    public String toString() {
        return "criu swrk " + pid + " (" + criu.path() + ")";
    }
}
