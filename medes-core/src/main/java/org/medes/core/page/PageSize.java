package org.medes.core.page;

/** Page geometry shared by every module: 4 KiB pages split into 64 B chunks. */
public final class PageSize {
    /** Bytes in one page. */
    public static final int BYTES = 4096;
    /** log2 of {@link #BYTES}. */
    public static final int SHIFT = 12;
    /** Bytes in one chunk, the unit of fingerprinting. */
    public static final int CHUNK_BYTES = 64;
    /** Chunks in one page. */
    public static final int CHUNKS_PER_PAGE = BYTES / CHUNK_BYTES;
    /** 8-byte words in one page. */
    public static final int WORDS = BYTES / 8;

    private PageSize() {
    }
}
