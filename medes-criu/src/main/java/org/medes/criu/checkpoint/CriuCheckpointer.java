package org.medes.criu.checkpoint;

import org.medes.criu.image.CriuImageDir;
import org.medes.criu.image.PstreeEntry;
import org.medes.criu.image.CriuImageFormatException;
import org.medes.criu.image.RpcMessages;
import org.medes.criu.tool.CommandRunner;
import org.medes.criu.tool.Criu;
import org.medes.criu.tool.CriuBinary;
import org.medes.criu.tool.CriuSwrk;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checkpoints a process tree into an image directory and restores it, detached, through one of
 * two {@link Mode}s: the {@code criu} command line ({@code criu dump} / {@code criu restore -d}) or
 * CRIU's RPC ({@code criu swrk} over a socketpair, {@link CriuSwrk}). Both write the same images and
 * logs and fail with the same {@link CheckpointException}s (pid, directory, CRIU's own message and
 * the last lines of its log).
 *
 * <p>What a process needs to be dumpable without special options: its own session
 * ({@code setsid}), stdio on files or {@code /dev/null} (no terminal: no {@code --shell-job}),
 * no established TCP connections (a listening socket is fine), and no children outside the dumped
 * tree. A restore puts the root back under its old pid, so the original must be gone and reaped
 * by then: {@link #dump} without {@code leaveRunning} waits for the original to exit, and
 * {@link #restore} refuses, naming the pid, while anything (a zombie included) still holds it.
 * Images are best kept on tmpfs ({@code /dev/shm}): dump and restore then never wait for a disk.
 * CRIU's {@code rlimit: Can't setup RLIMIT_NOFILE} log line is harmless.
 *
 * <p>Thread-safety: thread-safe; concurrent calls must use different directories and pids.
 */
public final class CriuCheckpointer {
    /** How long one criu run, or the exit of a dumped process, may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** Log file names, in the image directory. */
    public static final String DUMP_LOG = "dump.log";
    public static final String RESTORE_LOG = "restore.log";
    /** Lines of CRIU's log quoted in an error. */
    static final int LOG_TAIL_LINES = 25;

    /** How CRIU is driven. */
    public enum Mode {
        /** One {@code criu} process per call, arguments on its command line. */
        CLI,
        /** One {@code criu swrk} per call, a criu_req / criu_resp over a SOCK_SEQPACKET socketpair. */
        RPC;

        /** The mode named {@code name} (cli or rpc, any case). */
        public static Mode of(String name) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown CRIU mode " + name + " (cli, rpc)");
        }
    }

    /**
     * The mode {@link #system()} uses: RPC, the faster here (README, "Dedup start times": a dedup
     * start over RPC also overlaps criu's start with the rebuild).
     */
    public static final Mode DEFAULT_MODE = Mode.RPC;

    private final CriuBinary criu;
    private final Duration timeout;
    private final Mode mode;

    /** A checkpointer in {@link #DEFAULT_MODE}. */
    public CriuCheckpointer(CriuBinary criu, Duration timeout) {
        this(criu, timeout, DEFAULT_MODE);
    }

    public CriuCheckpointer(CriuBinary criu, Duration timeout, Mode mode) {
        this.criu = Objects.requireNonNull(criu, "criu");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.mode = Objects.requireNonNull(mode, "mode");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /**
     * The checkpointer of this machine's CRIU ({@link Criu#binary()}) in {@link #DEFAULT_MODE}.
     *
     * @throws org.medes.criu.tool.CriuUnavailableException when CRIU cannot be used here
     */
    public static CriuCheckpointer system() {
        return system(DEFAULT_MODE);
    }

    /** As {@link #system()}, driving CRIU in {@code mode}. */
    public static CriuCheckpointer system(Mode mode) {
        return new CriuCheckpointer(Criu.binary(), DEFAULT_TIMEOUT, mode);
    }

    public CriuBinary criu() {
        return criu;
    }

    /** How long one criu run may take. */
    public Duration timeout() {
        return timeout;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Dumps process {@code pid} and its descendants into {@code dir} (created if absent). Without
     * {@code leaveRunning} CRIU kills the tree; this waits until the root has exited, so once its
     * parent reaps it, its pid is free for {@link #restore}.
     *
     * @throws CheckpointException when the process does not run, criu fails (with the end of
     *     {@code dir/dump.log}) or the dumped process does not exit in time
     */
    public DumpResult dump(long pid, Path dir, boolean leaveRunning) throws IOException {
        if (!Processes.isRunning(pid)) {
            throw new CheckpointException("cannot dump pid " + pid + " into " + dir + ": no such running process");
        }
        Files.createDirectories(dir);
        String what = "dump of pid " + pid;
        long t0 = System.nanoTime();
        if (mode == Mode.RPC) {
            rpc(RpcMessages.DUMP, RpcMessages.Options.of(-1, DUMP_LOG).withPid(Math.toIntExact(pid))
                    .withLeaveRunning(leaveRunning), dir, DUMP_LOG, what, null);
        } else {
            List<String> args = new ArrayList<>(List.of("dump", "-t", Long.toString(pid), "-D", dir.toString(),
                    "-o", DUMP_LOG));
            if (leaveRunning) {
                args.add("--leave-running");
            }
            run(args, dir, DUMP_LOG, what);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        if (!leaveRunning && !Processes.awaitExit(pid, timeout)) {
            throw new CheckpointException("criu dumped pid " + pid + " into " + dir + " but the process still runs after "
                    + timeout.toMillis() + " ms");
        }
        return new DumpResult(pid, dir, leaveRunning, elapsed);
    }

    /**
     * Restores the tree dumped in {@code dir}, detached ({@code criu restore -d}): it runs on after
     * this returns, reparented away from this JVM. The root gets its old pid, read from
     * {@code pstree.img}.
     *
     * @throws CheckpointException when the image directory cannot be read, the root's pid is still
     *     taken, or criu fails (with the end of {@code dir/restore.log})
     */
    public RestoreResult restore(Path dir) throws IOException {
        return restore(dir, null);
    }

    /**
     * As {@link #restore(Path)}; in {@link Mode#RPC} through {@code swrk} when it is not null (a
     * worker spawned ahead of need with {@link #spawnSwrk()}, so that criu's start overlaps the
     * caller's work), which this closes. Ignored, and closed, in {@link Mode#CLI}.
     */
    public RestoreResult restore(Path dir, CriuSwrk swrk) throws IOException {
        if (mode == Mode.CLI && swrk != null) {
            swrk.close();
            swrk = null;
        }
        long pid;
        try {
            pid = freePid(dir);
        } catch (IOException | RuntimeException e) {
            if (swrk != null) {
                swrk.close();
            }
            throw e;
        }
        String what = "restore of pid " + pid;
        long t0 = System.nanoTime();
        if (mode == Mode.RPC) {
            RpcMessages.Response r = rpc(RpcMessages.RESTORE, RpcMessages.Options.of(-1, RESTORE_LOG), dir,
                    RESTORE_LOG, what, swrk);
            if (r.restoredPid() != pid) {
                throw new CheckpointException("criu " + what + " (" + dir + ") over RPC answered pid "
                        + r.restoredPid() + ", expected " + pid + " from pstree.img" + logTail(dir.resolve(RESTORE_LOG)));
            }
        } else {
            run(List.of("restore", "-D", dir.toString(), "-d", "-o", RESTORE_LOG), dir, RESTORE_LOG, what);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        if (!Processes.isRunning(pid)) {
            throw new CheckpointException("criu restored " + dir + " but pid " + pid + " does not run (state "
                    + Processes.state(pid) + ")" + logTail(dir.resolve(RESTORE_LOG)));
        }
        return new RestoreResult(pid, dir, elapsed);
    }

    /**
     * The root pid of the tree dumped in {@code dir}, which a restore needs free.
     *
     * @throws CheckpointException when the images cannot say it or the pid is still taken
     */
    static long freePid(Path dir) throws IOException {
        List<PstreeEntry> tree = pstree(dir);
        long pid = tree.get(0).pid();
        for (PstreeEntry e : tree) {
            if (Processes.isTaken(e.pid())) {
                throw new CheckpointException("cannot restore " + dir + ": its pid " + e.pid() + (e.pid() == pid ? ""
                        : " (a process of the dumped tree)") + " is still taken (state " + Processes.state(e.pid())
                        + "); the dumped process must have exited and been reaped by its parent");
            }
        }
        return pid;
    }

    /** The root pid of the tree dumped in {@code dir}. */
    static long rootPid(Path dir) throws IOException {
        return pstree(dir).get(0).pid();
    }

    /** The processes dumped in {@code dir}, root first; never empty. */
    private static List<PstreeEntry> pstree(Path dir) throws IOException {
        try {
            List<PstreeEntry> tree = CriuImageDir.readPstree(dir);
            if (tree.isEmpty()) {
                throw new CheckpointException("cannot restore " + dir + ": pstree.img lists no process");
            }
            return tree;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException("cannot restore " + dir + ": " + e.getMessage(), e);
        }
    }

    private void run(List<String> args, Path dir, String log, String what) throws IOException {
        CommandRunner.Result r;
        try {
            r = CommandRunner.run(criu.command(args.toArray(String[]::new)), timeout);
        } catch (InterruptedIOException e) {
            throw new CheckpointException("interrupted during criu " + what + " (" + dir + ")", e);
        } catch (IOException e) {
            throw new CheckpointException("criu " + what + " (" + dir + "): " + e.getMessage()
                    + logTail(dir.resolve(log)), e);
        }
        if (r.exitCode() != 0) {
            String printed = r.output().strip();
            throw new CheckpointException("criu " + what + " (" + dir + ") exited with " + r.exitCode()
                    + (printed.isEmpty() ? "" : "; it printed: " + printed) + logTail(dir.resolve(log)));
        }
    }

    /**
     * A {@code criu swrk} started now, for a later {@link #restore(Path, CriuSwrk)}; the caller
     * closes it if it is not handed over.
     */
    public CriuSwrk spawnSwrk() throws IOException {
        return CriuSwrk.spawn(criu);
    }

    /**
     * One request to {@code spawned}, or to a fresh {@code criu swrk} when it is null, for the images
     * in {@code dir}; the swrk is closed (and so ends) before this returns.
     */
    private RpcMessages.Response rpc(int type, RpcMessages.Options options, Path dir, String log, String what,
                                     CriuSwrk spawned) throws IOException {
        String where = "criu " + what + " (" + dir + ") over RPC";
        try (CriuSwrk swrk = spawned != null ? spawned : CriuSwrk.spawn(criu)) {
            int fd = CriuSwrk.openDirectory(dir);
            byte[] answer;
            try {
                RpcMessages.Options o = new RpcMessages.Options(fd, options.pid(), options.leaveRunning(),
                        options.shellJob(), options.extUnixSk(), options.tcpEstablished(), options.logLevel(),
                        options.logFile());
                answer = swrk.call(RpcMessages.request(type, o), timeout);
            } finally {
                CriuSwrk.closeDescriptor(fd);
            }
            RpcMessages.Response r;
            try {
                r = RpcMessages.decodeResponse(answer, "criu swrk " + swrk.pid() + "'s answer");
            } catch (CriuImageFormatException e) {
                throw new CheckpointException(where + ": malformed criu_resp (" + answer.length + " bytes): "
                        + e.getMessage() + logTail(dir.resolve(log)), e);
            }
            if (r.type() != type) {
                throw new CheckpointException(where + ": criu answered a request of type " + r.type()
                        + ", not " + type + logTail(dir.resolve(log)));
            }
            if (!r.success()) {
                String says = r.criuSays();
                String printed = swrk.printed();
                throw new CheckpointException(where + " failed" + (says.isEmpty() ? "" : " (" + says + ")")
                        + (printed.isEmpty() ? "" : "; it printed: " + printed) + logTail(dir.resolve(log)));
            }
            return r;
        } catch (CheckpointException e) {
            throw e;
        } catch (InterruptedIOException e) {
            throw new CheckpointException("interrupted during " + where, e);
        } catch (IOException e) {
            throw new CheckpointException(where + ": " + e.getMessage() + logTail(dir.resolve(log)), e);
        }
    }

    /** The last lines of a CRIU log, as a message suffix. */
    static String logTail(Path log) {
        if (!Files.exists(log)) {
            return "; no log at " + log;
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "; last " + tail.size() + " lines of " + log + ":\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "; could not read " + log + ": " + e.getMessage();
        }
    }
}
