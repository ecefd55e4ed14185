package org.medes.criu.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A CRIU image file that cannot be read: bad magic, truncated or malformed entry, a length past
 * the end of the file, an inconsistent pagemap, a broken parent chain.
 *
 * <p>Thread-safety: immutable.
 */
public final class CriuImageFormatException extends IOException {
    private final Path file;
    private final long offset;
    private final String reason;

    /**
     * @param file   the image file (or directory) at fault
     * @param offset byte offset of the problem in {@code file}, or -1 for the file as a whole
     * @param reason what is wrong
     */
    public CriuImageFormatException(Path file, long offset, String reason) {
        super(file + (offset >= 0 ? " at offset " + offset : "") + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reason = reason;
    }

    public Path file() {
        return file;
    }

    /** Byte offset of the problem in {@link #file()}, or -1. */
    public long offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }
}
