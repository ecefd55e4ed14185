package org.medes.criu.checkpoint;

import org.medes.criu.tool.CriuBinary;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A process tree restored from a checkpoint while the process it was dumped from still runs (a
 * dump with leave-running): a copy with the checkpoint's state that lives on independently.
 *
 * <h2>How the clashes are avoided</h2>
 * <ul>
 *   <li><b>Pids.</b> CRIU gives every restored task its dumped pid, which the original still
 *       holds. The copy is restored inside a new PID namespace ({@code unshare --pid --fork}),
 *       where those pids are free; there it has its old pids (a worker's {@code getpid()} answers
 *       as the original's), in the root namespace new ones ({@link #hostPid()}).</li>
 *   <li><b>Paths the copy creates.</b> A worker listens on a Unix socket bound to a path in its
 *       directory; a restore binds that path again, which would take it from the original. The
 *       copy gets its own mount namespace ({@code unshare --mount}, private propagation, its own
 *       {@code /proc}) in which the original's directory is a bind mount of {@code copyDir}, a new
 *       directory holding copies of the original directory's regular files (the copy reopens them
 *       by path; CRIU checks their sizes). So the copy binds its socket inside {@code copyDir} and
 *       is reached at {@code copyDir/NAME} from outside, while the original keeps its own. Files
 *       the original has open elsewhere are shared by the copy, as after a fork.</li>
 * </ul>
 * CRIU runs in the foreground as the namespace's init and stays the copy's parent; {@link #close()}
 * kills it and, with it, every process of the namespace. The CRIU command line is used: RPC's
 * {@code criu_opts} has no way to put a tree dumped from the root PID namespace into a new one.
 * Several copies of one checkpoint may run at once, each in its own directory. CRIU's log is
 * {@code copy-NAME.log} in the image directory, NAME being {@code copyDir}'s file name, at level 3
 * ({@code -v3}): its "Restore finished successfully" line is how the end of the restore is seen.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class RestoredCopy implements AutoCloseable {
    private static final String DONE = "Restore finished successfully";
    private static final String FAILED = "Restoring FAILED";

    private final Process unshare;
    private final long pid;
    private final long hostPid;
    private final Path copyDir;
    private final Path log;

    private RestoredCopy(Process unshare, long pid, long hostPid, Path copyDir, Path log) {
        this.unshare = unshare;
        this.pid = pid;
        this.hostPid = hostPid;
        this.copyDir = copyDir;
        this.log = log;
    }

    /**
     * Restores the tree dumped in {@code imagesDir} as a copy whose view of {@code originalDir} is
     * {@code copyDir} (created; must be absent or empty; on the same machine, best on tmpfs), and
     * waits until CRIU has resumed it, at most {@code timeout}.
     *
     * @throws CheckpointException when CRIU fails or does not finish in time (with the end of its
     *     log and what unshare printed); nothing of the copy is left running then
     */
    public static RestoredCopy start(CriuBinary criu, Path imagesDir, Path originalDir, Path copyDir, Duration timeout)
            throws IOException {
        Objects.requireNonNull(criu, "criu");
        Path images = imagesDir.toAbsolutePath();
        Path original = originalDir.toAbsolutePath();
        Path copy = copyDir.toAbsolutePath();
        long pid = CriuCheckpointer.rootPid(images);
        if (!Files.isDirectory(original)) {
            throw new CheckpointException("cannot restore a copy of " + images + ": " + original + " is not a directory");
        }
        CheckpointFiles.createEmptyDir(copy);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(original)) {
            for (Path f : ds) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        String name = copy.getFileName().toString();
        Path log = images.resolve("copy-" + name + ".log");
        Files.deleteIfExists(log);
        Path out = images.resolve("copy-" + name + ".out");
        List<String> command = new ArrayList<>(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount",
                "--propagation", "private", "--mount-proc", "sh", "-c",
                "mount --bind \"$1\" \"$2\" && exec \"$0\" restore -v3 -D \"$3\" -o \"$4\"",
                criu.path().toString(), copy.toString(), original.toString(), images.toString(),
                log.getFileName().toString()));
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        String what = "restore of a copy of pid " + pid + " (" + images + ", " + original + " seen as " + copy + ")";
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
                if (text.contains(DONE)) {
                    long host = restoredRoot(p.pid(), pid, deadline);
                    return new RestoredCopy(p, pid, host, copy, log);
                }
                if (text.contains(FAILED) || !p.isAlive()) {
                    p.waitFor(1, TimeUnit.SECONDS);
                    throw new CheckpointException("criu " + what + " failed"
                            + (p.isAlive() ? "" : " (exit " + p.exitValue() + ")") + printed(out)
                            + CriuCheckpointer.logTail(log));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new CheckpointException("criu " + what + " did not finish within " + timeout.toMillis()
                            + " ms" + printed(out) + CriuCheckpointer.logTail(log));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } catch (IOException | RuntimeException e) {
            kill(p);
            throw e;
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted during " + what, e);
        }
    }

    private static String printed(Path out) {
        try {
            String s = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8).strip() : "";
            return s.isEmpty() ? "" : "; it printed: " + s;
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The root-namespace pid of the restored root: the child of CRIU (the namespace's init, child
     * of unshare) whose innermost pid is {@code pid}.
     */
    private static long restoredRoot(long unsharePid, long pid, long deadline) throws IOException {
        while (true) {
            for (long init : children(unsharePid)) {
                for (long child : children(init)) {
                    if (innermostPid(child) == pid) {
                        return child;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new CheckpointException("criu restored a copy of pid " + pid + " but no process with that pid"
                        + " was found under unshare " + unsharePid);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static List<Long> children(long pid) {
        List<Long> out = new ArrayList<>();
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).strip();
            for (String t : s.split(" ")) {
                if (!t.isEmpty()) {
                    out.add(Long.parseLong(t));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return out;
    }

    /** The last pid of {@code NSpid:} in /proc/PID/status (the pid in its own namespace), or -1. */
    static long innermostPid(long hostPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + hostPid + "/status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] f = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(f[f.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The copy's root pid inside its PID namespace: the original's pid. */
    public long pid() {
        return pid;
    }

    /** The copy's root pid in this JVM's (the root) PID namespace. */
    public long hostPid() {
        return hostPid;
    }

    /** Where the copy's view of the original's directory is, seen from outside. */
    public Path copyDir() {
        return copyDir;
    }

    /** CRIU's log of this restore. */
    public Path log() {
        return log;
    }

    public boolean isRunning() {
        return Processes.isRunning(hostPid);
    }

    /**
     * Kills unshare, whose death signal kills CRIU, the namespace's init, and so the whole
     * namespace; waits until the copy's root is gone, at most 10 s. Idempotent.
     */
    @Override
    public void close() {
        kill(unshare);
        Processes.awaitFree(hostPid, Duration.ofSeconds(10));
    }
}
