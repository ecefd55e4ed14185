package org.medes.criu.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Makes and deletes the temporary directories (checkpoints on {@code /dev/shm}, scratch files) of
 * the checkpoint tools, the compare tool, the commands and the tests. Stateless.
 */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * A new temporary directory named {@code prefix...} on tmpfs ({@code /dev/shm}, where CRIU images
     * belong) when it is there and writable, else in the default temporary directory.
     */
    public static Path createTempOnTmpfs(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix)
                : Files.createTempDirectory(prefix);
    }

    /** Deletes {@code dir} and everything under it; nothing happens when it does not exist. */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            if (!e.getFile().equals(dir.toString())) {
                throw e;
            }
        }
    }

    /** {@link #delete}, for clean-up paths where a directory left behind is no error of the caller's. */
    public static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            // best effort
        }
    }
}
