package org.medes.policy.trace;

import java.nio.file.Path;

/**
 * A trace file that does not hold what its format promises; the message names the file, the line
 * (1-based), the column (1-based field number, 0 when the whole line is at fault) and the reason.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class TraceFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;
    private final int column;

    /** A fault at {@code file}, {@code line}, {@code column} (0: the whole line), said by {@code reason}. */
    public TraceFormatException(Path file, long line, int column, String reason) {
        super(file + ":" + line + (column > 0 ? ":" + column : "") + ": " + reason);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The line at fault, 1-based (0: the file as a whole, e.g. it is empty). */
    public long line() {
        return line;
    }

    /** The column at fault, 1-based field number; 0 when the line as a whole is at fault. */
    public int column() {
        return column;
    }
}
