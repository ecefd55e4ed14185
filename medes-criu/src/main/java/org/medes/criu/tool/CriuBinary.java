package org.medes.criu.tool;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A CRIU executable (or the wrapper scripts/criu.sh installs) and the version it reported.
 * Immutable; {@link #check()} may be called from any thread.
 */
public record CriuBinary(Path path, CriuVersion version) {

    /** How long {@code criu check} may take; it probes the kernel, a fraction of a second here. */
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(60);

    public CriuBinary {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
    }

    /** The command line {@code <path> args...}, for a {@link ProcessBuilder}. */
    public List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add(path.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Runs {@code criu check}: CRIU's own test that this kernel and these privileges let it dump
     * and restore. It needs root (or CAP_CHECKPOINT_RESTORE).
     *
     * @return what it printed ("Looks good." and any warnings)
     * @throws CriuUnavailableException naming the binary, the kernel and CRIU's output when the
     *     check fails or cannot run
     */
    public String check() {
        String where = path + " (CRIU " + version + ")";
        CommandRunner.Result r;
        try {
            r = CommandRunner.run(command("check"), CHECK_TIMEOUT);
        } catch (IOException e) {
            throw new CriuUnavailableException("could not run '" + path + " check': " + e.getMessage(),
                    List.of(where + ": " + e.getMessage()));
        }
        if (r.exitCode() != 0) {
            String reason = "'criu check' exited with " + r.exitCode() + " on kernel " + kernel()
                    + "; it printed: " + r.output().strip();
            throw new CriuUnavailableException(where + ": " + reason, List.of(where + ": " + reason));
        }
        return r.output();
    }

    private static String kernel() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version");
    }
}
