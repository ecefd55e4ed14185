package org.medes.criu.checkpoint;

import org.medes.criu.tool.CriuBinary;
import org.medes.criu.tool.ImageStreamer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@code criu restore --stream -d} running: CRIU reads every image file from an
 * {@link ImageStreamer} in this JVM (the files of a directory, some of them produced while CRIU
 * runs) instead of from the image directory. Started by {@link #start}, finished by {@link #await}.
 *
 * <p>CRIU restores the tree only once it has read all of it: when the streamer stops a file short
 * or fails, CRIU fails and the tree is never resumed, so a page that could not be rebuilt never
 * runs. Command line only: CRIU's RPC has no stream option.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class StreamedRestore implements AutoCloseable {
    private static final String OUTPUT = "criu-restore.out";
    private static final Duration PID_GRACE = Duration.ofSeconds(5);

    private final Path workDir;
    private final ImageStreamer streamer;
    private final CompletableFuture<Process> spawn;
    private final Duration timeout;
    private long pid = -1;
    private long startNanos;
    private boolean finished;

    private StreamedRestore(Path workDir, ImageStreamer streamer, CompletableFuture<Process> spawn, Duration timeout) {
        this.workDir = workDir;
        this.streamer = streamer;
        this.spawn = spawn;
        this.timeout = timeout;
    }

    /**
     * Starts serving the files of {@code imagesDir} (plus {@code streamed}, by name) at
     * {@code workDir} and starts {@code criu restore --stream} there.
     *
     * @param workDir   an existing directory, best on tmpfs: CRIU's socket and log go there
     * @param imagesDir the CRIU files (its {@code pstree.img} names the pid to restore)
     * @throws CheckpointException when the pid is still taken, the socket cannot be made or criu
     *     cannot be started
     */
    public static StreamedRestore start(CriuBinary criu, Path workDir, Path imagesDir,
                                        Map<String, ImageStreamer.Content> streamed, Duration timeout)
            throws IOException {
        CriuCheckpointer.freePid(imagesDir); // a taken pid is refused before CRIU is spawned
        StreamedRestore r = prepare(criu, workDir, timeout);
        try {
            r.begin(imagesDir, streamed);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /**
     * Starts {@code criu restore --stream} in {@code workDir} before its files are known: CRIU
     * starts up, connects and waits for its first file until {@link #begin}. A restore prepared
     * ahead of need (as a platform keeps one ready for the next start) takes CRIU's start-up off
     * the start's path; it holds one waiting criu process until begun or closed.
     */
    public static StreamedRestore prepare(CriuBinary criu, Path workDir, Duration timeout) throws IOException {
        ImageStreamer streamer = ImageStreamer.listen(workDir, timeout);
        ProcessBuilder pb = new ProcessBuilder(criu.command("restore", "--stream", "-D", workDir.toString(), "-d",
                "-o", CriuCheckpointer.RESTORE_LOG))
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve(OUTPUT).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // spawned on another thread: the caller reads the dedup image meanwhile
        CompletableFuture<Process> spawn = CompletableFuture.supplyAsync(() -> {
            try {
                return pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, SPAWNER);
        StreamedRestore r = new StreamedRestore(workDir, streamer, spawn, timeout);
        r.startNanos = System.nanoTime();
        return r;
    }

    /**
     * Gives a {@link #prepare prepared} restore its files: those of {@code imagesDir} plus
     * {@code streamed}; the restore's time counts from here.
     *
     * @throws CheckpointException when the pid of {@code imagesDir} is still taken or unreadable
     */
    public void begin(Path imagesDir, Map<String, ImageStreamer.Content> streamed) throws IOException {
        if (pid >= 0) {
            throw new IllegalStateException("this streamed restore has begun already (pid " + pid + ")");
        }
        pid = CriuCheckpointer.freePid(imagesDir);
        startNanos = System.nanoTime();
        streamer.serve(imagesDir, streamed);
    }

    private static final java.util.concurrent.Executor SPAWNER = r -> {
        Thread t = new Thread(r, "medes-criu-spawn");
        t.setDaemon(true);
        t.start();
    };

    /** The spawned criu, or the reason it could not be spawned. */
    private Process criu() throws CheckpointException {
        try {
            return spawn.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw new CheckpointException("cannot start criu restore --stream in " + workDir + ": " + cause.getMessage(),
                    cause);
        }
    }

    /** The pid the tree's root gets back. */
    public long pid() {
        return pid;
    }

    /**
     * Waits for criu to finish and checks the tree runs.
     *
     * @throws CheckpointException when criu fails or does not finish in time (it is then killed),
     *     with what the streamer saw (a failed {@link ImageStreamer.Content} first, as the cause)
     *     and the end of CRIU's log
     */
    public RestoreResult await() throws IOException {
        if (pid < 0) {
            throw new IllegalStateException("this streamed restore was prepared but not begun");
        }
        String what = "criu restore --stream of pid " + pid + " (" + workDir + ")";
        Process criu = criu();
        try {
            if (!criu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                criu.destroyForcibly().waitFor();
                throw failure(what + " did not finish within " + timeout.toMillis() + " ms; killed it", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            criu.destroyForcibly();
            throw new CheckpointException("interrupted during " + what, e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        finished = true;
        IOException streaming = null;
        try {
            streamer.awaitDone(Duration.ofSeconds(5));
        } catch (IOException e) {
            streaming = e;
        }
        int exit = criu.exitValue();
        if (exit != 0) {
            // criu kills the tree it had begun on failure; its root may still be a zombie waiting
            // for its new parent: wait (briefly) so that the pid is free for the next attempt
            Processes.awaitFree(pid, PID_GRACE);
        }
        if (exit != 0 || streaming != null) {
            String printed = printed();
            throw failure(what + (exit != 0 ? " exited with " + exit : " succeeded but the streamer failed")
                    + (streaming != null ? "; the image streamer: " + streaming.getMessage() : "")
                    + (printed.isEmpty() ? "" : "; it printed: " + printed), streaming);
        }
        if (!Processes.isRunning(pid)) {
            throw failure("criu restored pid " + pid + " (" + workDir + ") but it does not run (state "
                    + Processes.state(pid) + ")", null);
        }
        return new RestoreResult(pid, workDir, elapsed);
    }

    private CheckpointException failure(String message, Throwable cause) {
        return new CheckpointException(message + CriuCheckpointer.logTail(workDir.resolve(CriuCheckpointer.RESTORE_LOG)),
                cause);
    }

    private String printed() {
        try {
            Path out = workDir.resolve(OUTPUT);
            return Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills criu if it still runs (a restore abandoned by its caller) and stops the streamer. Idempotent. */
    @Override
    public void close() throws IOException {
        Process criu = null;
        try {
            criu = finished ? null : criu();
        } catch (CheckpointException notStarted) {
            // nothing to kill
        }
        if (criu != null && criu.isAlive()) {
            criu.destroyForcibly();
            try {
                criu.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        finished = true;
        streamer.close();
    }
}
