package org.medes.core.page;

import net.openhft.chronicle.core.UnsafeMemory;
import sun.misc.Unsafe;

import java.nio.ByteOrder;

/**
 * The checksum of one 4 KiB page in native memory: XXH3-64 with seed 0, the same value as
 * zero-allocation-hashing's {@code LongHashFunction.xx3().hashMemory(address, 4096)}, computed by
 * a loop written for that one length. Over 4096 bytes XXH3's long-input path is three blocks of
 * sixteen 64-byte stripes, each block followed by a scramble of the eight accumulators, fifteen
 * stripes more, and the page's last 64 bytes with a key of their own; here the secret's keys are
 * read into tables once, the accumulators live in locals and there is no length dispatch or access
 * layer between the loop and the memory. Restores check every page they rebuild with it.
 *
 * <p>Thread-safety: stateless.
 */
public final class PageChecksum {
    private static final Unsafe U = UnsafeMemory.UNSAFE;
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private static final long PRIME32_1 = 0x9E3779B1L;
    private static final long PRIME32_2 = 0x85EBCA77L;
    private static final long PRIME32_3 = 0xC2B2AE3DL;
    private static final long PRIME64_1 = 0x9E3779B185EBCA87L;
    private static final long PRIME64_2 = 0xC2B2AE3D27D4EB4FL;
    private static final long PRIME64_3 = 0x165667B19E3779F9L;
    private static final long PRIME64_4 = 0x85EBCA77C2B2AE63L;
    private static final long PRIME64_5 = 0x27D4EB2F165667C5L;

    /** XXH3's default 192-byte secret, from the xxHash specification (BSD 2-Clause licence). */
    private static final byte[] SECRET = bytes(
            0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
            0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
            0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
            0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
            0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
            0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
            0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
            0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
            0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
            0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
            0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
            0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e);

    /** Stripe keys: stripe s of a block uses {@code KEYS[8s .. 8s+8)} (the secret read from byte 8 s). */
    private static final long[] KEYS = new long[16 * 8];
    /**
     * The fourth block's keys: its fifteen stripes' as {@link #KEYS}, then, as a sixteenth stripe,
     * the key of the page's last 64 bytes (the secret read from byte 192 - 64 - 7). Fifteen
     * stripes end exactly where the last 64 bytes begin, so the fourth block is sixteen stripes too.
     */
    private static final long[] LAST_BLOCK_KEYS = new long[16 * 8];
    /** The scramble key after every block (the secret read from byte 192 - 64). */
    private static final long[] SCRAMBLE = new long[8];
    /** The key the accumulators are merged with (the secret read from byte 11). */
    private static final long[] MERGE = new long[8];

    static {
        for (int s = 0; s < 16; s++) {
            for (int i = 0; i < 8; i++) {
                KEYS[8 * s + i] = secret(8 * s + 8 * i);
            }
        }
        System.arraycopy(KEYS, 0, LAST_BLOCK_KEYS, 0, 15 * 8);
        for (int i = 0; i < 8; i++) {
            LAST_BLOCK_KEYS[15 * 8 + i] = secret(121 + 8 * i);
            SCRAMBLE[i] = secret(128 + 8 * i);
            MERGE[i] = secret(11 + 8 * i);
        }
    }

    private PageChecksum() {
    }

    /** The checksum of the 4096 bytes of native memory at {@code address}. */
    public static long ofMemory(long address) {
        long a0 = PRIME32_3, a1 = PRIME64_1, a2 = PRIME64_2, a3 = PRIME64_3;
        long a4 = PRIME64_4, a5 = PRIME32_2, a6 = PRIME64_5, a7 = PRIME32_1;
        long p = address;
        for (int block = 0; block < 4; block++) {
            long[] k = block < 3 ? KEYS : LAST_BLOCK_KEYS;
            for (int s = 0; s < 16; s++, p += 64) {
                int ks = 8 * s;
                long v0 = word(p), v1 = word(p + 8), v2 = word(p + 16), v3 = word(p + 24);
                long v4 = word(p + 32), v5 = word(p + 40), v6 = word(p + 48), v7 = word(p + 56);
                long k0 = v0 ^ k[ks], k1 = v1 ^ k[ks + 1], k2 = v2 ^ k[ks + 2], k3 = v3 ^ k[ks + 3];
                long k4 = v4 ^ k[ks + 4], k5 = v5 ^ k[ks + 5], k6 = v6 ^ k[ks + 6], k7 = v7 ^ k[ks + 7];
                // lane i adds the product of its key's halves, and its neighbour (i ^ 1) the word itself
                a0 += v1 + (k0 & 0xFFFFFFFFL) * (k0 >>> 32);
                a1 += v0 + (k1 & 0xFFFFFFFFL) * (k1 >>> 32);
                a2 += v3 + (k2 & 0xFFFFFFFFL) * (k2 >>> 32);
                a3 += v2 + (k3 & 0xFFFFFFFFL) * (k3 >>> 32);
                a4 += v5 + (k4 & 0xFFFFFFFFL) * (k4 >>> 32);
                a5 += v4 + (k5 & 0xFFFFFFFFL) * (k5 >>> 32);
                a6 += v7 + (k6 & 0xFFFFFFFFL) * (k6 >>> 32);
                a7 += v6 + (k7 & 0xFFFFFFFFL) * (k7 >>> 32);
            }
            if (block < 3) {
                long[] c = SCRAMBLE;
                a0 = scramble(a0, c[0]);
                a1 = scramble(a1, c[1]);
                a2 = scramble(a2, c[2]);
                a3 = scramble(a3, c[3]);
                a4 = scramble(a4, c[4]);
                a5 = scramble(a5, c[5]);
                a6 = scramble(a6, c[6]);
                a7 = scramble(a7, c[7]);
            }
        }
        long[] m = MERGE;
        long r = PageSize.BYTES * PRIME64_1;
        r += fold(a0 ^ m[0], a1 ^ m[1]);
        r += fold(a2 ^ m[2], a3 ^ m[3]);
        r += fold(a4 ^ m[4], a5 ^ m[5]);
        r += fold(a6 ^ m[6], a7 ^ m[7]);
        r ^= r >>> 37;
        r *= 0x165667919E3779F9L;
        return r ^ (r >>> 32);
    }

    private static long word(long address) {
        long v = U.getLong(address);
        return BIG_ENDIAN ? Long.reverseBytes(v) : v;
    }

    private static long scramble(long acc, long key) {
        return ((acc ^ (acc >>> 47)) ^ key) * PRIME32_1;
    }

    /** The 128-bit product of two unsigned longs, its halves XORed. */
    private static long fold(long a, long b) {
        long high = Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
        return (a * b) ^ high;
    }

    private static long secret(int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (SECRET[at + i] & 0xFF);
        }
        return v;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
