package org.medes.criu.checkpoint;

import org.medes.criu.image.CriuImageDir;
import org.medes.criu.tool.CommandRunner;
import org.medes.criu.tool.Criu;
import org.medes.criu.tool.CriuBinary;

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
 * Checkpoints a process tree into an image directory and restores it, detached, with the
 * {@code criu} command line ({@code criu dump} / {@code criu restore -d}).
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

    private final CriuBinary criu;
    private final Duration timeout;

    public CriuCheckpointer(CriuBinary criu, Duration timeout) {
        this.criu = Objects.requireNonNull(criu, "criu");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /**
     * The checkpointer of this machine's CRIU ({@link Criu#binary()}).
     *
     * @throws org.medes.criu.tool.CriuUnavailableException when CRIU cannot be used here
     */
    public static CriuCheckpointer system() {
        return new CriuCheckpointer(Criu.binary(), DEFAULT_TIMEOUT);
    }

    public CriuBinary criu() {
        return criu;
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
        List<String> args = new ArrayList<>(List.of("dump", "-t", Long.toString(pid), "-D", dir.toString(),
                "-o", DUMP_LOG));
        if (leaveRunning) {
            args.add("--leave-running");
        }
        long t0 = System.nanoTime();
        run(args, dir, DUMP_LOG, "dump of pid " + pid);
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
        long pid = rootPid(dir);
        if (Processes.isTaken(pid)) {
            throw new CheckpointException("cannot restore " + dir + ": its pid " + pid + " is still taken (state "
                    + Processes.state(pid) + "); the dumped process must have exited and been reaped by its parent");
        }
        long t0 = System.nanoTime();
        run(List.of("restore", "-D", dir.toString(), "-d", "-o", RESTORE_LOG), dir, RESTORE_LOG,
                "restore of pid " + pid);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        if (!Processes.isRunning(pid)) {
            throw new CheckpointException("criu restored " + dir + " but pid " + pid + " does not run (state "
                    + Processes.state(pid) + ")" + logTail(dir.resolve(RESTORE_LOG)));
        }
        return new RestoreResult(pid, dir, elapsed);
    }

    /** The root pid of the tree dumped in {@code dir}. */
    static long rootPid(Path dir) throws IOException {
        try {
            CriuImageDir images = CriuImageDir.open(dir);
            if (images.pstree().isEmpty()) {
                throw new CheckpointException("cannot restore " + dir + ": pstree.img lists no process");
            }
            return images.pstree().get(0).pid();
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
