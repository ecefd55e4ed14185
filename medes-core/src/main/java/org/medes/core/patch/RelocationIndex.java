package org.medes.core.patch;

/**
 * A hashed lookup of a {@link PointerRelocation}'s ranges by address granule, so that relocating a
 * word costs a multiply and one or two probes instead of a binary search over every mapping.
 *
 * <p>The granule is the smallest power of two (at least 2 MiB) for which all ranges together
 * touch at most {@value #MAX_GRANULES} granules; each granule keeps the first range that touches
 * it, and a lookup scans on from there (ranges are sorted and disjoint). Built once per
 * relocation; {@link #relocate} gives the same answers as {@link PointerRelocation#relocate}.
 *
 * <p>Thread-safety: immutable.
 */
final class RelocationIndex {
    private static final int MAX_GRANULES = 1 << 14;

    private final PointerRelocation relocation;
    private final long[] starts;
    private final long[] ends;
    private final long[] deltas;
    private final long min;
    private final long max;
    private final int shift;
    private final int mask;
    private final long[] keys;
    private final int[] first;

    RelocationIndex(PointerRelocation r) {
        this.relocation = r;
        int n = r.size();
        starts = new long[n];
        ends = new long[n];
        deltas = new long[n];
        for (int i = 0; i < n; i++) {
            starts[i] = r.start(i);
            ends[i] = r.end(i);
            deltas[i] = r.delta(i);
        }
        min = n == 0 ? 1 : starts[0];
        max = n == 0 ? 0 : ends[n - 1];
        int s = 21;
        while (s < 63 && granules(s) > MAX_GRANULES) {
            s++;
        }
        shift = s;
        int capacity = Integer.highestOneBit((int) Math.max(1, granules(s)) * 2 - 1) << 1;
        mask = capacity - 1;
        keys = new long[capacity];
        first = new int[capacity];
        for (int i = n - 1; i >= 0; i--) {
            for (long g = starts[i] >>> s; g <= (ends[i] - 1) >>> s; g++) {
                int slot = slot(g);
                while (keys[slot] != 0 && keys[slot] != g + 1) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = g + 1;
                first[slot] = i;
            }
        }
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

    private int slot(long g) {
        return (int) ((g * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** The word base word {@code w} predicts in the target. */
    long relocate(long w) {
        if (Long.compareUnsigned(w, min) < 0 || Long.compareUnsigned(w, max) >= 0) {
            return w;
        }
        long g = w >>> shift;
        int slot = slot(g);
        long key;
        while ((key = keys[slot]) != g + 1) {
            if (key == 0) {
                return w;
            }
            slot = (slot + 1) & mask;
        }
        // inside [min, max): a user-space address, so signed comparisons are safe
        for (int i = first[slot]; i < starts.length && starts[i] <= w; i++) {
            if (w < ends[i]) {
                return w + deltas[i];
            }
        }
        return w;
    }
}
