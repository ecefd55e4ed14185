package org.medes.criu.compare;

import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code xdelta3}: the {@code xdelta3} program (Debian package {@code xdelta3}, installed by
 * {@code scripts/setup.sh}) run once on the whole page data:
 * {@code xdelta3 -e -f -B W -s base.pages target.pages target.vcdiff} at its default level (-3)
 * and secondary compression, with a source window {@code W} holding the whole base (a power of two,
 * at least 64 MiB, the program's default); decoded by {@code xdelta3 -d -f -s base.pages
 * target.vcdiff out}. Stored: the VCDIFF file's size. Encode and decode times include writing the
 * input files to a temporary directory (tmpfs {@code /dev/shm} when there is one), starting the
 * program and reading its output.
 *
 * <p>Unavailable (with the reason) when the program does not run; {@code -Dmedes.xdelta3=PATH}
 * names another executable.
 *
 * <p>Thread-safety: one thread at a time.
 */
final class Xdelta3Engine implements CompareEngine {
    static final String NAME = "xdelta3";
    static final String PROGRAM_PROPERTY = "medes.xdelta3";
    private static final long TIMEOUT_SECONDS = 600;

    private final String program;
    private String cause;
    private boolean checked;

    Xdelta3Engine() {
        this(System.getProperty(PROGRAM_PROPERTY, "xdelta3"));
    }

    Xdelta3Engine(String program) {
        this.program = program;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized String unavailabilityCause() {
        if (!checked) {
            checked = true;
            try {
                Process p = new ProcessBuilder(program, "-V").redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !text.contains("Xdelta version 3")) {
                    p.destroyForcibly();
                    cause = "'" + program + " -V' did not answer as xdelta3 3.x: " + text.strip();
                }
            } catch (IOException e) {
                cause = "the program '" + program + "' does not run (" + e.getMessage()
                        + "); scripts/setup.sh installs Debian's xdelta3";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cause = "interrupted while checking " + program;
            }
        }
        return cause;
    }

    /** The VCDIFF file in a temporary directory that also holds the base's page data. */
    private record Delta(Path dir, Path base, Path vcdiff, long storedBytes) implements Encoded {
        @Override
        public void close() {
            FileTrees.deleteQuietly(dir); // a temporary directory left behind is no error of the comparison
        }
    }

    @Override
    public Encoded encode(ComparePair pair) throws IOException {
        Path dir = FileTrees.createTempOnTmpfs("medes-xdelta3-");
        Path base = dir.resolve("base.pages");
        Path target = dir.resolve("target.pages");
        Path vcdiff = dir.resolve("target.vcdiff");
        try {
            Files.write(base, pair.basePages());
            Files.write(target, pair.targetPages());
            long window = Math.max(64L << 20, Long.highestOneBit(Math.max(1, pair.basePages().length)) << 1);
            run(List.of(program, "-e", "-f", "-B", Long.toString(window), "-s", base.toString(), target.toString(),
                    vcdiff.toString()), dir);
            Files.delete(target);
            return new Delta(dir, base, vcdiff, Files.size(vcdiff));
        } catch (IOException | RuntimeException e) {
            new Delta(dir, base, vcdiff, 0).close();
            throw e;
        }
    }

    @Override
    public DecodedPages decode(ComparePair pair, Encoded encoded) throws IOException {
        Delta d = (Delta) encoded;
        Path out = d.dir().resolve("decoded.pages");
        long window = Math.max(64L << 20, Long.highestOneBit(Math.max(1, pair.basePages().length)) << 1);
        run(List.of(program, "-d", "-f", "-B", Long.toString(window), "-s", d.base().toString(), d.vcdiff().toString(),
                out.toString()), d.dir());
        byte[] data = Files.readAllBytes(out);
        Files.delete(out);
        if (data.length != pair.rawBytes()) {
            throw new IOException(NAME + ": " + d.vcdiff() + " decoded to " + data.length + " bytes, the target has "
                    + pair.rawBytes());
        }
        return DecodedPages.of(data);
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = dir.resolve("xdelta3.log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " ran longer than " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                    + Files.readString(log).strip());
        }
    }
}
