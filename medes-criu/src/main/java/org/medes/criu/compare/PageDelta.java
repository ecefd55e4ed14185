package org.medes.criu.compare;

import org.medes.core.page.PageSize;

import java.io.IOException;
import java.util.Arrays;

/**
 * A byte-level delta of one 4 KiB page against one base page, in Java: the stand-in for the
 * paper's per-page {@code xdelta3 -1}: running the program per page costs about 7 ms a page here
 * (200 runs of {@code xdelta3 -1 -e -s} on one page pair from a shell, mostly process start), some
 * 35 s for a 20 MiB checkpoint, too slow to run twice per comparison. Like VCDIFF it is a sequence of ADD (literal bytes) and COPY (from the
 * base page, or from the part of the target already decoded) instructions, found greedily with a
 * hash of 4-byte strings over the base page and the target's decoded prefix (one candidate per
 * hash bucket, plus the same offset in the base page), minimum match 4 bytes; no secondary
 * compression, as at xdelta3 level 1.
 *
 * <pre>
 *   instruction = ADD | COPY
 *   ADD  : 0nnnnnnn                      then n+1 literal bytes (1..128)
 *   COPY : 1smmmmmm [varint ext] varint addr
 *          s = 0: addr is an offset in the base page; s = 1: an offset in the target so far
 *          length = m + 4, or 63 + 4 + ext when m = 63
 * </pre>
 *
 * <p>Thread-safety: not thread-safe (hash tables per instance).
 */
final class PageDelta {
    static final int MIN_MATCH = 4;
    private static final int HASH_BITS = 12;
    private final int[] baseTable = new int[1 << HASH_BITS];
    private final int[] selfTable = new int[1 << HASH_BITS];
    private final byte[] scratch = new byte[PageSize.BYTES + 32];

    private static int hash(byte[] a, int i) {
        int v = (a[i] & 0xFF) | (a[i + 1] & 0xFF) << 8 | (a[i + 2] & 0xFF) << 16 | (a[i + 3] & 0xFF) << 24;
        return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    private static int matchLength(byte[] a, int ai, byte[] b, int bi, int max) {
        int n = 0;
        while (n < max && a[ai + n] == b[bi + n]) {
            n++;
        }
        return n;
    }

    /**
     * Encodes page {@code target[tOff..+4096)} against {@code base[bOff..+4096)} into {@code out},
     * stopping once it would reach {@code limit} bytes.
     *
     * @return the delta's length, or -1 when it is {@code limit} bytes or more
     */
    int encode(byte[] base, int bOff, byte[] target, int tOff, ByteSink out, int limit) {
        final int n = PageSize.BYTES;
        Arrays.fill(baseTable, -1);
        Arrays.fill(selfTable, -1);
        for (int i = n - MIN_MATCH; i >= 0; i--) {
            baseTable[hash(base, bOff + i)] = i;
        }
        if (limit > PageSize.BYTES) {
            throw new IllegalArgumentException("limit " + limit + " above a page");
        }
        int len = 0;
        int lit = 0;
        int i = 0;
        while (i <= n - MIN_MATCH) {
            int h = hash(target, tOff + i);
            int best = 0;
            int addr = 0;
            boolean self = false;
            int b = baseTable[h];
            if (b >= 0) {
                best = matchLength(base, bOff + b, target, tOff + i, n - Math.max(b, i));
                addr = b;
            }
            int same = matchLength(base, bOff + i, target, tOff + i, n - i);
            if (same > best) {
                best = same;
                addr = i;
            }
            int s = selfTable[h];
            if (s >= 0) {
                int m = matchLength(target, tOff + s, target, tOff + i, n - i);
                if (m > best) {
                    best = m;
                    addr = s;
                    self = true;
                }
            }
            if (best < MIN_MATCH) {
                selfTable[h] = i;
                i++;
                continue;
            }
            len = literals(target, tOff + lit, i - lit, scratch, len);
            if (len < 0 || len + 8 >= limit) {
                return -1;
            }
            len = copy(best, addr, self, scratch, len);
            int end = i + best;
            for (; i < end && i <= n - MIN_MATCH; i++) {
                selfTable[hash(target, tOff + i)] = i;
            }
            i = end;
            lit = i;
        }
        len = literals(target, tOff + lit, n - lit, scratch, len);
        if (len < 0 || len >= limit) {
            return -1;
        }
        out.put(scratch, 0, len);
        return len;
    }

    private static int literals(byte[] src, int off, int count, byte[] dst, int len) {
        while (count > 0) {
            int k = Math.min(128, count);
            if (len + 1 + k > dst.length) {
                return -1;
            }
            dst[len++] = (byte) (k - 1);
            System.arraycopy(src, off, dst, len, k);
            len += k;
            off += k;
            count -= k;
        }
        return len;
    }

    private static int copy(int length, int addr, boolean self, byte[] dst, int len) {
        int m = Math.min(length - MIN_MATCH, 63);
        dst[len++] = (byte) (0x80 | (self ? 0x40 : 0) | m);
        if (m == 63) {
            len = varint(length - MIN_MATCH - 63, dst, len);
        }
        return varint(addr, dst, len);
    }

    private static int varint(int v, byte[] dst, int len) {
        while ((v & ~0x7F) != 0) {
            dst[len++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        dst[len++] = (byte) v;
        return len;
    }

    /**
     * Decodes the delta {@code d[off..off+length)} against {@code base[bOff..+4096)} into
     * {@code out[oOff..+4096)}.
     *
     * @throws IOException when the delta is malformed or does not make exactly one page; the
     *     message names {@code what} and the offset
     */
    static void decode(byte[] base, int bOff, byte[] d, int off, int length, byte[] out, int oOff, String what)
            throws IOException {
        final int n = PageSize.BYTES;
        int end = off + length;
        int p = off;
        int o = 0;
        while (p < end) {
            int c = d[p++] & 0xFF;
            if (c < 0x80) {
                int k = c + 1;
                if (k > end - p || k > n - o) {
                    throw new IOException(what + ": ADD of " + k + " bytes past the delta or the page at offset " + (p - 1));
                }
                System.arraycopy(d, p, out, oOff + o, k);
                p += k;
                o += k;
                continue;
            }
            int m = c & 0x3F;
            long len = m + MIN_MATCH;
            if (m == 63) {
                long r = readVarint(d, p, end, what);
                p = (int) r;
                len += r >>> 32;
            }
            long r = readVarint(d, p, end, what);
            p = (int) r;
            long addr = r >>> 32;
            boolean self = (c & 0x40) != 0;
            if (len > n - o || addr >= (self ? o : n) || (!self && addr + len > n)) {
                throw new IOException(what + ": COPY of " + len + " bytes from " + (self ? "target" : "base") + " offset "
                        + addr + " does not fit at page offset " + o + " (delta offset " + p + ")");
            }
            if (self) {
                for (int k = 0; k < len; k++) {
                    out[oOff + o + k] = out[oOff + (int) addr + k];
                }
            } else {
                System.arraycopy(base, bOff + (int) addr, out, oOff + o, (int) len);
            }
            o += (int) len;
        }
        if (o != n) {
            throw new IOException(what + ": delta makes " + o + " bytes, not a page");
        }
    }

    /** Reads a varint of at most 3 bytes at {@code d[p]}; returns the value in the high 32 bits, the new offset in the low. */
    private static long readVarint(byte[] d, int p, int end, String what) throws IOException {
        long r = 0;
        for (int shift = 0; shift < 21; shift += 7) {
            if (p >= end) {
                throw new IOException(what + ": varint runs past the delta at offset " + p);
            }
            int b = d[p++] & 0xFF;
            r |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return r << 32 | p;
            }
        }
        throw new IOException(what + ": varint longer than 3 bytes at offset " + p);
    }
}
