package org.medes.criu.tool;

import java.util.List;

/**
 * No usable CRIU: the message says why, and {@link #rejected()} lists each place that was looked
 * at with the reason it was rejected (not found, not executable, too old, {@code criu check}
 * failed with its output, or switched off).
 */
public final class CriuUnavailableException extends RuntimeException {
    private final List<String> rejected;

    public CriuUnavailableException(String message, List<String> rejected) {
        super(message);
        this.rejected = List.copyOf(rejected);
    }

    /** One line per place looked at: {@code "<place> <path>: <reason>"}; may be empty. */
    public List<String> rejected() {
        return rejected;
    }
}
