package org.medes.core.patch;

import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A hashed lookup of a {@link PointerRelocation}'s ranges by address granule, so that relocating a
 * word costs a multiply and one or two probes instead of a binary search over every mapping.
 *
 * <p>The granule is the smallest power of two (at least 2 MiB) for which all ranges together
 * touch at most {@value #MAX_GRANULES} granules; each granule keeps the first range that touches
 * it, and a lookup scans on from there (ranges are sorted and disjoint). Built once per
 * relocation; {@link #relocate} gives the same answers as {@link PointerRelocation#relocate}.
 * Ranges with delta 0 are left out and touching ranges of equal delta are merged first, so that
 * most words are settled by one compare against the overall {@code [min, max)};
 * {@link #relocateWords} also remembers the range of the last hit, as pointers of one page tend
 * to point into one mapping. Before a lookup, a word is tested against up to four clusters of
 * ranges (split at the widest gaps: the heap, the mmap area, the stack): the overall span of a
 * process reaches from its heap to its stack, and data words inside it (integers near a billion,
 * V8's tagged values) would otherwise each cost a lookup that finds nothing.
 *
 * <p>Thread-safety: immutable.
 */
final class RelocationIndex {
    private static final int MAX_GRANULES = 1 << 14;
    private static final int CLUSTERS = 4;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final PointerRelocation relocation;
    private final long[] starts;
    private final long[] ends;
    private final long[] deltas;
    private final long min;
    /** {@code max - min} with the sign bit flipped, for one signed compare of {@code w - min}. */
    private final long spanFlipped;
    /**
     * Up to {@value #CLUSTERS} address spans that hold every range (start, and length with the
     * sign bit flipped; an unused one is empty): a word in none of them is in no range.
     */
    private final long c0;
    private final long c1;
    private final long c2;
    private final long c3;
    private final long l0;
    private final long l1;
    private final long l2;
    private final long l3;
    private final int shift;
    private final int mask;
    private final long[] keys;
    private final int[] first;
    /**
     * One bit per hashed granule (about 64 bits per granule any range touches): a clear bit
     * settles a word outside every range with one load, where the table would take a probe
     * sequence. Node.js checkpoints send about one word in five this far.
     */
    private final long[] granuleBits;
    private final int bitsShift;

    RelocationIndex(PointerRelocation r) {
        this.relocation = r;
        int m = r.size();
        long[] st = new long[m];
        long[] en = new long[m];
        long[] de = new long[m];
        int n = 0;
        for (int i = 0; i < m; i++) {
            if (r.delta(i) == 0) {
                continue;
            }
            if (n > 0 && en[n - 1] == r.start(i) && de[n - 1] == r.delta(i)) {
                en[n - 1] = r.end(i);
                continue;
            }
            st[n] = r.start(i);
            en[n] = r.end(i);
            de[n] = r.delta(i);
            n++;
        }
        starts = java.util.Arrays.copyOf(st, n);
        ends = java.util.Arrays.copyOf(en, n);
        deltas = java.util.Arrays.copyOf(de, n);
        min = n == 0 ? 1 : starts[0];
        spanFlipped = n == 0 ? Long.MIN_VALUE : (ends[n - 1] - min) ^ Long.MIN_VALUE;
        long[][] cl = clusters(starts, ends, CLUSTERS);
        c0 = cl[0][0];
        c1 = cl[0][1];
        c2 = cl[0][2];
        c3 = cl[0][3];
        l0 = cl[1][0] ^ Long.MIN_VALUE;
        l1 = cl[1][1] ^ Long.MIN_VALUE;
        l2 = cl[1][2] ^ Long.MIN_VALUE;
        l3 = cl[1][3] ^ Long.MIN_VALUE;
        int s = 21;
        while (s < 63 && granules(s) > MAX_GRANULES) {
            s++;
        }
        shift = s;
        long granules = Math.max(1, granules(s));
        int capacity = Integer.highestOneBit((int) granules * 2 - 1) << 1;
        mask = capacity - 1;
        keys = new long[capacity];
        first = new int[capacity];
        int bits = (int) Math.min(1 << 18, Math.max(1 << 12, Long.highestOneBit(granules * 64 - 1) << 1));
        granuleBits = new long[bits >>> 6];
        bitsShift = 64 - Integer.numberOfTrailingZeros(bits);
        for (int i = n - 1; i >= 0; i--) {
            for (long g = starts[i] >>> s; g <= (ends[i] - 1) >>> s; g++) {
                int b = granuleBit(g);
                granuleBits[b >>> 6] |= 1L << b;
                int slot = slot(g);
                while (keys[slot] != 0 && keys[slot] != g + 1) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = g + 1;
                first[slot] = i;
            }
        }
    }

    /**
     * Spans covering the sorted, disjoint ranges {@code [st[i], en[i])} in at most {@code k}
     * pieces, splitting at the {@code k - 1} widest gaps between ranges: {@code {starts, lengths}},
     * unused pieces of length 0.
     */
    static long[][] clusters(long[] st, long[] en, int k) {
        long[] cs = new long[k];
        long[] cl = new long[k];
        int n = st.length;
        if (n == 0) {
            return new long[][]{cs, cl};
        }
        // the k - 1 widest gaps (ties: the first), in address order
        boolean[] cut = new boolean[n];
        for (int c = 0; c < k - 1; c++) {
            int widest = -1;
            for (int i = 1; i < n; i++) {
                if (!cut[i] && (widest < 0 || Long.compareUnsigned(st[i] - en[i - 1], st[widest] - en[widest - 1]) > 0)) {
                    widest = i;
                }
            }
            if (widest < 0) {
                break;
            }
            cut[widest] = true;
        }
        int c = 0;
        cs[0] = st[0];
        for (int i = 1; i < n; i++) {
            if (cut[i]) {
                cl[c] = en[i - 1] - cs[c];
                cs[++c] = st[i];
            }
        }
        cl[c] = en[n - 1] - cs[c];
        return new long[][]{cs, cl};
    }

    /** Whether {@code w} lies in one of the clusters (every range does; most other words do not). */
    private boolean inClusters(long w) {
        return ((w - c0) ^ Long.MIN_VALUE) < l0 | ((w - c1) ^ Long.MIN_VALUE) < l1
                | ((w - c2) ^ Long.MIN_VALUE) < l2 | ((w - c3) ^ Long.MIN_VALUE) < l3;
    }

    /** The relocation this index was built from. */
    PointerRelocation relocation() {
        return relocation;
    }

    private long granules(int s) {
        long total = 0;
        for (int i = 0; i < starts.length; i++) {
            total += ((ends[i] - 1) >>> s) - (starts[i] >>> s) + 1;
            if (total > MAX_GRANULES) {
                return total;
            }
        }
        return total;
    }

    /** Granule {@code g}'s bit in {@link #granuleBits}. */
    private int granuleBit(long g) {
        return (int) ((g * 0x9E3779B97F4A7C15L) >>> bitsShift);
    }

    private int slot(long g) {
        return (int) ((g * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** The word base word {@code w} predicts in the target. */
    long relocate(long w) {
        if (((w - min) ^ Long.MIN_VALUE) >= spanFlipped || !inClusters(w)) {
            return w;
        }
        int i = find(w);
        return i < 0 ? w : w + deltas[i];
    }

    /**
     * Relocates the {@code n} little-endian words at {@code src[off..)} into {@code dst[dstOff..)}.
     */
    void relocateWords(byte[] src, int off, long[] dst, int dstOff, int n) {
        long lo = min;
        long span = spanFlipped;
        long hitStart = 0;
        long hitLength = Long.MIN_VALUE;
        long hitDelta = 0;
        for (int j = 0; j < n; j++) {
            long w = (long) LONGS.get(src, off + (j << 3));
            if (((w - lo) ^ Long.MIN_VALUE) < span) {
                if (((w - hitStart) ^ Long.MIN_VALUE) < hitLength) {
                    w += hitDelta;
                } else if (inClusters(w)) {
                    int i = find(w);
                    if (i >= 0) {
                        hitStart = starts[i];
                        hitLength = (ends[i] - hitStart) ^ Long.MIN_VALUE;
                        hitDelta = deltas[i];
                        w += hitDelta;
                    }
                }
            }
            dst[dstOff + j] = w;
        }
    }

    /**
     * As {@link #relocateWords(byte[], int, long[], int, int)} for one page ({@code 512} words),
     * looking up only the words marked in {@code marks[marksOff..marksOff+8)}, which must include
     * every word in a range ({@link PointerMarks}).
     */
    void relocateMarked(byte[] src, int off, long[] dst, int dstOff, long[] marks, int marksOff) {
        OffHeap.copyToLongs(src, off, dst, dstOff, PageSize.WORDS);
        long hitStart = 0;
        long hitLength = Long.MIN_VALUE;
        long hitDelta = 0;
        for (int g = 0; g < PointerMarks.LONGS_PER_PAGE; g++) {
            long in = marks[marksOff + g];
            while (in != 0) {
                int k = dstOff + (g << 6) + Long.numberOfTrailingZeros(in);
                in &= in - 1;
                long w = dst[k];
                if (((w - hitStart) ^ Long.MIN_VALUE) < hitLength) {
                    dst[k] = w + hitDelta;
                } else if (((w - min) ^ Long.MIN_VALUE) < spanFlipped) {
                    int i = find(w);
                    if (i >= 0) {
                        hitStart = starts[i];
                        hitLength = (ends[i] - hitStart) ^ Long.MIN_VALUE;
                        hitDelta = deltas[i];
                        dst[k] = w + hitDelta;
                    }
                }
            }
        }
    }

    /**
     * Relocates the {@code n} little-endian words at {@code src[off..)} into the little-endian
     * words at {@code dst[dstOff..)} and at {@code copy[copyOff..)}, like {@link #relocateWords(byte[], int, long[], int, int)}.
     */
    void relocateWords(byte[] src, int off, byte[] dst, int dstOff, byte[] copy, int copyOff, int n) {
        long lo = min;
        long span = spanFlipped;
        long hitStart = 0;
        long hitLength = Long.MIN_VALUE;
        long hitDelta = 0;
        for (int j = 0; j < n; j++) {
            long w = (long) LONGS.get(src, off + (j << 3));
            if (((w - lo) ^ Long.MIN_VALUE) < span) {
                if (((w - hitStart) ^ Long.MIN_VALUE) < hitLength) {
                    w += hitDelta;
                } else if (inClusters(w)) {
                    int i = find(w);
                    if (i >= 0) {
                        hitStart = starts[i];
                        hitLength = (ends[i] - hitStart) ^ Long.MIN_VALUE;
                        hitDelta = deltas[i];
                        w += hitDelta;
                    }
                }
            }
            LONGS.set(dst, dstOff + (j << 3), w);
            LONGS.set(copy, copyOff + (j << 3), w);
        }
    }

    /** The range holding {@code w}, known to be in {@code [min, max)}, or -1. */
    private int find(long w) {
        long g = w >>> shift;
        int b = granuleBit(g);
        if ((granuleBits[b >>> 6] & (1L << b)) == 0) {
            return -1;
        }
        int slot = slot(g);
        long key;
        while ((key = keys[slot]) != g + 1) {
            if (key == 0) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
        for (int i = first[slot]; i < starts.length && Long.compareUnsigned(starts[i], w) <= 0; i++) {
            if (Long.compareUnsigned(w, ends[i]) < 0) {
                return i;
            }
        }
        return -1;
    }
}
