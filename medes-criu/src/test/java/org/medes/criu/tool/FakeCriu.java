package org.medes.criu.tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Shell scripts standing in for criu: they print a version and pass or fail {@code check}. */
final class FakeCriu {
    private FakeCriu() {}

    /** A fake criu at {@code dir/criu} reporting {@code version}, whose check passes. */
    static Path at(Path dir, String version) {
        return script(dir.resolve("criu"), """
                case "$1" in
                  --version) echo "Version: %s"; echo "GitID: v%s"; exit 0 ;;
                  check) echo "Looks good."; exit 0 ;;
                esac
                exit 1
                """.formatted(version, version));
    }

    /** A fake criu at {@code dir/criu} reporting {@code version}, whose check fails as a real one can. */
    static Path failingCheck(Path dir, String version) {
        return script(dir.resolve("criu"), """
                case "$1" in
                  --version) echo "Version: %s"; exit 0 ;;
                  check) echo "Error (criu/cr-check.c:1011): UFFD is not supported" >&2; exit 1 ;;
                esac
                exit 1
                """.formatted(version));
    }

    /** An executable script with {@code body}, in {@code dir} made as needed. */
    static Path script(Path file, String body) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "#!/bin/sh\n" + body);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
