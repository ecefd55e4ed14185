package org.medes.core.engine;

import org.medes.core.page.PageSize;

/**
 * Regroups a page's bytes by their position in its 8-byte words (every word's byte 0, then
 * every word's byte 1, ... byte 7) and back, so that LZ4 sees long runs where words share their
 * high or low bytes (doubles of small integers, small integers, tagged pointers).
 *
 * <p>Thread-safety: stateless.
 */
final class WordByteShuffle {
    private static final int WORDS = PageSize.BYTES / Long.BYTES;

    private WordByteShuffle() {
    }

    /** Writes {@code src[0..4096)} regrouped into {@code dst[0..4096)}; the arrays must differ. */
    static void shuffle(byte[] src, byte[] dst) {
        for (int w = 0; w < WORDS; w++) {
            int s = w * Long.BYTES;
            dst[w] = src[s];
            dst[WORDS + w] = src[s + 1];
            dst[2 * WORDS + w] = src[s + 2];
            dst[3 * WORDS + w] = src[s + 3];
            dst[4 * WORDS + w] = src[s + 4];
            dst[5 * WORDS + w] = src[s + 5];
            dst[6 * WORDS + w] = src[s + 6];
            dst[7 * WORDS + w] = src[s + 7];
        }
    }

    /** The inverse of {@link #shuffle}: {@code src[off..off+4096)} back into {@code dst[0..4096)}; the arrays must differ. */
    static void unshuffle(byte[] src, int off, byte[] dst) {
        java.util.Objects.checkFromIndexSize(off, PageSize.BYTES, src.length);
        for (int w = 0; w < WORDS; w++) {
            int d = w * Long.BYTES;
            int s = off + w;
            dst[d] = src[s];
            dst[d + 1] = src[s + WORDS];
            dst[d + 2] = src[s + 2 * WORDS];
            dst[d + 3] = src[s + 3 * WORDS];
            dst[d + 4] = src[s + 4 * WORDS];
            dst[d + 5] = src[s + 5 * WORDS];
            dst[d + 6] = src[s + 6 * WORDS];
            dst[d + 7] = src[s + 7 * WORDS];
        }
    }
}
