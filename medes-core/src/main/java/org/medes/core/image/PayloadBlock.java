package org.medes.core.image;

import java.util.Objects;

/**
 * One block of a dedup image's payload as the writer takes it: {@code pages} consecutive pages
 * whose payloads add up to {@code rawLength} bytes, stored as {@code stored[0..storedLength)} with
 * {@code coding} ({@link DedupImageFormat#BLOCK_STORED} or {@link DedupImageFormat#BLOCK_ZSTD}).
 */
public record PayloadBlock(int pages, int coding, int rawLength, byte[] stored, int storedLength) {
    public PayloadBlock {
        Objects.requireNonNull(stored, "stored");
        if (pages < 0 || pages > DedupImageFormat.MAX_BLOCK_PAGES) {
            throw new IllegalArgumentException("a block holds 0.." + DedupImageFormat.MAX_BLOCK_PAGES + " pages, not " + pages);
        }
        if (coding != DedupImageFormat.BLOCK_STORED && coding != DedupImageFormat.BLOCK_ZSTD) {
            throw new IllegalArgumentException("unknown block coding " + coding);
        }
        if (storedLength < 0 || storedLength > stored.length || rawLength < 0
                || (coding == DedupImageFormat.BLOCK_STORED && storedLength != rawLength)) {
            throw new IllegalArgumentException("block of " + rawLength + " raw bytes cannot be stored as " + storedLength
                    + " bytes with coding " + coding);
        }
    }

    /** A block kept as it is. */
    public static PayloadBlock stored(int pages, byte[] bytes, int length) {
        return new PayloadBlock(pages, DedupImageFormat.BLOCK_STORED, length, bytes, length);
    }
}
