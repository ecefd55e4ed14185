package org.medes.criu.tool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * Keeps CRIU's cache of kernel features, {@code /run/criu.kdat}, where CRIU itself will not.
 *
 * <p>Every criu run probes the kernel first unless it finds that cache; the probe includes making
 * a network namespace and a veth pair, 12–14 ms of a 46 ms restore here. CRIU writes the cache only
 * when {@code /run} is a tmpfs (so that a reboot, perhaps into another kernel, drops it), and reads
 * it from wherever it is. On machines whose {@code /run} is not a tmpfs (this project's), this
 * class makes the cache the way CRIU would: {@code criu check} in a private mount namespace whose
 * {@code /run} is a fresh tmpfs ({@code unshare --mount}), then copies the file CRIU wrote to
 * {@code /run/criu.kdat}, beside a stamp {@code /run/criu.kdat.medes} holding the boot id, the
 * kernel release and the CRIU binary and version. The cache is made again when any of them
 * changes; CRIU itself drops a cache of the wrong size or magic. Where {@code /run} is a tmpfs
 * nothing is done. Switched off by {@code -Dmedes.criu.kdat=false}.
 *
 * <p>Thread-safety: {@link #ensure} is meant to be called once per JVM (by {@link Criu}'s probe).
 */
final class KdatCache {
    static final String PROPERTY = "medes.criu.kdat";
    static final Path CACHE = Path.of("/run/criu.kdat");
    static final Path STAMP = Path.of("/run/criu.kdat.medes");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private KdatCache() {
    }

    /** Makes the cache when needed; returns what was done (never throws: CRIU works without it). */
    static String ensure(CriuBinary criu) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return "kdat cache switched off by -D" + PROPERTY + "=false";
        }
        try {
            Path run = CACHE.getParent();
            if (!Files.isDirectory(run)) {
                return "no " + run + ": kdat cache not kept";
            }
            if ("tmpfs".equals(Files.getFileStore(run).type())) {
                return run + " is a tmpfs: CRIU keeps its kdat cache itself";
            }
            String stamp = stamp(criu);
            if (Files.isRegularFile(CACHE) && Files.isRegularFile(STAMP)
                    && Files.readString(STAMP, StandardCharsets.UTF_8).equals(stamp)) {
                return "kdat cache " + CACHE + " is current";
            }
            Path tmp = Files.createTempFile("medes-kdat-", ".bin");
            try {
                CommandRunner.Result r = CommandRunner.run(List.of("unshare", "--mount", "--propagation", "private",
                        "sh", "-c", "mount -t tmpfs medes-kdat /run && \"$0\" check >/dev/null 2>&1; "
                                + "cp /run/criu.kdat \"$1\"", criu.path().toString(), tmp.toString()), TIMEOUT);
                if (r.exitCode() != 0 || Files.size(tmp) == 0) {
                    return "could not make a kdat cache (exit " + r.exitCode() + "): " + r.output().strip();
                }
                Path next = run.resolve(".criu.kdat.medes-tmp");
                Files.copy(tmp, next, StandardCopyOption.REPLACE_EXISTING);
                Files.move(next, CACHE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.writeString(STAMP, stamp, StandardCharsets.UTF_8);
                return "kdat cache written to " + CACHE;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            return "could not make a kdat cache: " + e;
        }
    }

    private static String stamp(CriuBinary criu) throws IOException {
        String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        return "boot " + boot + "\nkernel " + kernel + "\ncriu " + criu.path() + " " + criu.version() + "\n";
    }
}
