package org.medes.criu.tool;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Finds the CRIU executable Medes runs, in this order:
 * <ol>
 *   <li>system property {@value #PATH_PROPERTY}, else environment variable {@value #PATH_ENV}: the
 *       path of a criu executable or wrapper. When set it is the only candidate: if it is rejected,
 *       locating fails rather than silently taking another CRIU;</li>
 *   <li>the wrapper {@code scripts/criu.sh} installs: {@code $MEDES_CACHE/bin/criu}, with
 *       {@value #CACHE_ENV} defaulting to {@code /var/cache/medes};</li>
 *   <li>{@code criu} in each directory of {@code PATH}, in order.</li>
 * </ol>
 * A candidate is taken when it is an executable file whose {@code --version} reports CRIU
 * {@link CriuVersion#MINIMUM} or newer; otherwise the next is tried, and when none is taken the
 * {@link CriuUnavailableException} names every place and why each was rejected. Locating does not
 * run {@code criu check}; {@link CriuBinary#check()} does. Thread-safe; the environment and
 * properties are read when {@link #locate()} runs.
 */
public final class CriuLocator {
    /** System property: path of the criu executable (or wrapper) to use. */
    public static final String PATH_PROPERTY = "medes.criu";
    /** Environment variable: path of the criu executable (or wrapper) to use. */
    public static final String PATH_ENV = "MEDES_CRIU";
    /** Environment variable: the cache folder of scripts/criu.sh. */
    public static final String CACHE_ENV = "MEDES_CACHE";
    /** scripts/criu.sh's cache folder when {@value #CACHE_ENV} is not set. */
    public static final Path DEFAULT_CACHE = Path.of("/var/cache/medes");

    static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

    private final Properties properties;
    private final Map<String, String> env;

    /** A locator over this JVM's system properties and environment. */
    public static CriuLocator system() {
        return new CriuLocator(System.getProperties(), System.getenv());
    }

    /** A locator over the given properties and environment (both read, never changed). */
    public CriuLocator(Properties properties, Map<String, String> env) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    }

    /** Where scripts/criu.sh installs its wrapper: {@code $MEDES_CACHE/bin/criu}. */
    public Path defaultWrapper() {
        String cache = env.get(CACHE_ENV);
        Path base = cache == null || cache.isBlank() ? DEFAULT_CACHE : Path.of(cache);
        return base.resolve("bin").resolve("criu");
    }

    /**
     * The first acceptable CRIU in the order above.
     *
     * @throws CriuUnavailableException naming each place looked at and why it was rejected
     */
    public CriuBinary locate() {
        String property = properties.getProperty(PATH_PROPERTY);
        if (property != null && !property.isBlank()) {
            return explicit("system property " + PATH_PROPERTY, property);
        }
        String variable = env.get(PATH_ENV);
        if (variable != null && !variable.isBlank()) {
            return explicit("environment variable " + PATH_ENV, variable);
        }

        List<String> rejected = new ArrayList<>();
        Optional<CriuBinary> found = accept("scripts/criu.sh's wrapper", defaultWrapper(), rejected);
        if (found.isPresent()) return found.get();

        String path = env.get("PATH");
        boolean anyOnPath = false;
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue; // an empty entry means the working directory: not trusted
                Path candidate;
                try {
                    candidate = Path.of(dir, "criu");
                } catch (InvalidPathException e) {
                    continue;
                }
                if (!Files.exists(candidate)) continue;
                anyOnPath = true;
                found = accept("PATH entry", candidate, rejected);
                if (found.isPresent()) return found.get();
            }
        }
        if (!anyOnPath) {
            rejected.add(path == null ? "PATH: not set" : "PATH " + path + ": no criu in any of its directories");
        }
        throw new CriuUnavailableException("no CRIU >= " + CriuVersion.MINIMUM + " found; looked at:\n  "
                + String.join("\n  ", rejected)
                + "\nrun scripts/criu.sh as root to install one, or set -D" + PATH_PROPERTY + "=<path>"
                + " or " + PATH_ENV + "=<path>", rejected);
    }

    private CriuBinary explicit(String place, String value) {
        Path p;
        try {
            p = Path.of(value);
        } catch (InvalidPathException e) {
            String line = place + " " + value + ": not a path (" + e.getMessage() + ")";
            throw new CriuUnavailableException(line, List.of(line));
        }
        List<String> rejected = new ArrayList<>(1);
        return accept(place, p, rejected).orElseThrow(() -> new CriuUnavailableException(rejected.get(0)
                + "\n(" + place + " is set, so no other place is looked at; unset it to search "
                + defaultWrapper() + " and PATH)", rejected));
    }

    /** The candidate as a binary, or empty with one line added to {@code rejected}. */
    private static Optional<CriuBinary> accept(String place, Path p, List<String> rejected) {
        String reason = reject(p);
        if (reason == null) {
            CommandRunner.Result r;
            try {
                r = CommandRunner.run(List.of(p.toString(), "--version"), VERSION_TIMEOUT);
            } catch (IOException e) {
                r = null;
                reason = "could not run '" + p + " --version': " + e.getMessage();
            }
            if (r != null && r.exitCode() != 0) {
                reason = "'" + p + " --version' exited with " + r.exitCode() + ": " + CriuVersion.quote(r.output());
            } else if (r != null) {
                try {
                    CriuVersion v = CriuVersion.parse(r.output());
                    if (v.isAtLeast(CriuVersion.MINIMUM)) return Optional.of(new CriuBinary(p, v));
                    reason = "is CRIU " + v + ", older than the " + CriuVersion.MINIMUM + " Medes needs"
                            + " (CRIU 3.x cannot restore on kernels >= 6.13)";
                } catch (IllegalArgumentException e) {
                    reason = e.getMessage();
                }
            }
        }
        rejected.add(place + " " + p + ": " + reason);
        return Optional.empty();
    }

    /** Why {@code p} cannot be run at all, or null when it can be tried. */
    private static String reject(Path p) {
        if (!Files.exists(p)) {
            return Files.isSymbolicLink(p) ? "is a broken symbolic link" : "does not exist";
        }
        if (Files.isDirectory(p)) return "is a directory";
        if (!Files.isRegularFile(p)) return "is not a regular file";
        if (!Files.isExecutable(p)) {
            try {
                return "is not executable (mode " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + ")";
            } catch (IOException | UnsupportedOperationException e) {
                return "is not executable";
            }
        }
        return null;
    }
}
