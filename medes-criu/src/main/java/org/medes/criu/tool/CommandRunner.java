package org.medes.criu.tool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion with a deadline, its stdout and stderr in one text (used for every
 * criu call). Stateless; thread-safe.
 */
public final class CommandRunner {
    /** Output beyond this is cut: enough for any criu --version or check report. */
    private static final int OUTPUT_LIMIT = 64 * 1024;

    /** How the command ended and what it printed (cut at 64 KiB). */
    public record Result(int exitCode, String output) {}

    private CommandRunner() {}

    /**
     * Runs {@code command} with stdin closed; the output goes to a temporary file, so a command
     * that writes much or never ends cannot block the caller past {@code timeout}.
     *
     * @throws IOException when it cannot start, or does not end within {@code timeout} (it is
     *     then killed)
     */
    public static Result run(List<String> command, Duration timeout) throws IOException {
        Path out = Files.createTempFile("medes-criu-", ".out");
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            p.getOutputStream().close();
            boolean ended;
            try {
                ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while running " + String.join(" ", command));
            }
            if (!ended) {
                p.destroyForcibly();
                throw new IOException("'" + String.join(" ", command) + "' did not end within "
                        + timeout.toMillis() + " ms; killed it");
            }
            return new Result(p.exitValue(), read(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String read(Path out) throws IOException {
        byte[] bytes = Files.readAllBytes(out);
        int n = Math.min(bytes.length, OUTPUT_LIMIT);
        String s = new String(bytes, 0, n, StandardCharsets.UTF_8);
        return n < bytes.length ? s + "\n[... " + (bytes.length - n) + " more bytes]" : s;
    }
}
