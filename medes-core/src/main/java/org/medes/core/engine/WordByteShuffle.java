package org.medes.core.engine;

import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Regroups a page's bytes by their position in its 8-byte words (every word's byte 0, then
 * every word's byte 1, ... byte 7) and back, so that LZ4 sees long runs where words share their
 * high or low bytes (doubles of small integers, small integers, tagged pointers).
 *
 * <p>Thread-safety: stateless.
 */
final class WordByteShuffle {
    private static final int WORDS = PageSize.BYTES / Long.BYTES;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long BYTES_1 = 0x00FF00FF00FF00FFL;
    private static final long BYTES_2 = 0x0000FFFF0000FFFFL;
    private static final long BYTES_4 = 0x00000000FFFFFFFFL;
    /** The transposed words are little-endian; native memory takes them in its own order. */
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

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

    /**
     * {@link #unshuffle} straight into the 4096 bytes of native memory at {@code address}, the
     * page's byte place {@code j} (512 bytes) read at {@code off + j * stride} ({@code stride} 512
     * for a shuffled page in one piece): eight words at a time, the eight places' bytes read as
     * one long each and transposed in registers.
     */
    static void unshuffleTo(byte[] src, int off, int stride, long address) {
        if (stride < WORDS) {
            throw new IllegalArgumentException("byte places " + stride + " bytes apart overlap");
        }
        if (off < 0 || off + 7L * stride + WORDS > src.length) {
            throw new IndexOutOfBoundsException("a shuffled page at " + off + " with byte places " + stride
                    + " bytes apart runs past " + src.length + " bytes");
        }
        for (int w = 0; w < WORDS; w += 8) {
            int s = off + w;
            // row k: byte k of words w..w+7
            long r0 = (long) LONGS.get(src, s);
            long r1 = (long) LONGS.get(src, s + stride);
            long r2 = (long) LONGS.get(src, s + 2 * stride);
            long r3 = (long) LONGS.get(src, s + 3 * stride);
            long r4 = (long) LONGS.get(src, s + 4 * stride);
            long r5 = (long) LONGS.get(src, s + 5 * stride);
            long r6 = (long) LONGS.get(src, s + 6 * stride);
            long r7 = (long) LONGS.get(src, s + 7 * stride);
            // transpose the 8x8 bytes: swap single bytes between row pairs, then byte pairs, then halves
            long t;
            t = ((r0 >>> 8) ^ r1) & BYTES_1; r1 ^= t; r0 ^= t << 8;
            t = ((r2 >>> 8) ^ r3) & BYTES_1; r3 ^= t; r2 ^= t << 8;
            t = ((r4 >>> 8) ^ r5) & BYTES_1; r5 ^= t; r4 ^= t << 8;
            t = ((r6 >>> 8) ^ r7) & BYTES_1; r7 ^= t; r6 ^= t << 8;
            t = ((r0 >>> 16) ^ r2) & BYTES_2; r2 ^= t; r0 ^= t << 16;
            t = ((r1 >>> 16) ^ r3) & BYTES_2; r3 ^= t; r1 ^= t << 16;
            t = ((r4 >>> 16) ^ r6) & BYTES_2; r6 ^= t; r4 ^= t << 16;
            t = ((r5 >>> 16) ^ r7) & BYTES_2; r7 ^= t; r5 ^= t << 16;
            t = ((r0 >>> 32) ^ r4) & BYTES_4; r4 ^= t; r0 ^= t << 32;
            t = ((r1 >>> 32) ^ r5) & BYTES_4; r5 ^= t; r1 ^= t << 32;
            t = ((r2 >>> 32) ^ r6) & BYTES_4; r6 ^= t; r2 ^= t << 32;
            t = ((r3 >>> 32) ^ r7) & BYTES_4; r7 ^= t; r3 ^= t << 32;
            long d = address + ((long) w << 3);
            put(d, r0);
            put(d + 8, r1);
            put(d + 16, r2);
            put(d + 24, r3);
            put(d + 32, r4);
            put(d + 40, r5);
            put(d + 48, r6);
            put(d + 56, r7);
        }
    }

    private static void put(long address, long littleEndian) {
        OffHeap.putLong(address, BIG_ENDIAN ? Long.reverseBytes(littleEndian) : littleEndian);
    }
}
