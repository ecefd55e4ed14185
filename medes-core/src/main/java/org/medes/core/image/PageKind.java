package org.medes.core.image;

/** How one page of a dedup image is stored. The code is written into the image's page table. */
public enum PageKind {
    /** All 4096 bytes are zero; no payload. */
    ZERO(0),
    /** Byte-identical to its base page; no payload. */
    SAME_AS_BASE(1),
    /** A patch against its base page, made by the codec named in the entry. */
    PATCH(2),
    /** The page compressed with LZ4 (block format). */
    LZ4(3),
    /**
     * The page stored as it is (4096 bytes): when nothing made it smaller, or, in images whose
     * payload blocks are compressed as a whole, for a page that no base page matched.
     */
    RAW(4),
    /**
     * The page's bytes regrouped by their position in each 8-byte word (all words' byte 0, then
     * byte 1, ... byte 7), then compressed with LZ4 (block format).
     */
    SHUFFLED_LZ4(5),
    /**
     * The page's bytes regrouped as for {@link #SHUFFLED_LZ4}, stored as they are: images whose
     * payload blocks are compressed as a whole use it instead (the block's compression sees the
     * runs the regrouping makes).
     */
    SHUFFLED(6);

    private final int code;

    PageKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The kind with {@code code}, or null when there is none. */
    public static PageKind ofCode(int code) {
        return code >= 0 && code < VALUES.length ? VALUES[code] : null;
    }

    private static final PageKind[] VALUES = values();
}
