package org.medes.core.image;

/** A dedup image that cannot be read: truncated, corrupt, foreign or of an unknown version. */
public final class DedupImageFormatException extends Exception {
    private final String source;
    private final long offset;

    /**
     * @param source the file or buffer name
     * @param offset byte offset of the problem, or -1 for the whole file
     * @param reason what is wrong
     */
    public DedupImageFormatException(String source, long offset, String reason) {
        super(source + (offset >= 0 ? " at offset " + offset : "") + ": " + reason);
        this.source = source;
        this.offset = offset;
    }

    public String source() {
        return source;
    }

    /** Byte offset of the problem, or -1. */
    public long offset() {
        return offset;
    }
}
