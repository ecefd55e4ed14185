package org.medes.core.patch;

import java.util.Arrays;

/**
 * Maps pointers of a base sandbox into a target sandbox's address space: ASLR places each
 * mapping of the target at its own offset from the base's, so a base word that points into base
 * range {@code [start_i, end_i)} predicts the target word {@code word + delta_i}.
 *
 * <p>Ranges are sorted and disjoint. Thread-safety: immutable.
 */
public final class PointerRelocation {
    private static final PointerRelocation NONE = new PointerRelocation(new long[0], new long[0], new long[0]);

    /** {@link #spanningGaps} joins ranges across gaps narrower than this (1 MiB). */
    public static final long SPANNED_GAP = 1L << 20;

    private final long[] starts;
    private final long[] ends;
    private final long[] deltas;
    private final long min;
    private final long max;

    private PointerRelocation(long[] starts, long[] ends, long[] deltas) {
        this.starts = starts;
        this.ends = ends;
        this.deltas = deltas;
        this.min = starts.length == 0 ? 1 : starts[0];
        this.max = starts.length == 0 ? 0 : ends[ends.length - 1];
    }

    /** No relocation: every word maps to itself. */
    public static PointerRelocation none() {
        return NONE;
    }

    /**
     * Relocation from parallel arrays of base range starts, ends (exclusive) and deltas; ranges
     * are sorted here and must not overlap.
     */
    public static PointerRelocation of(long[] starts, long[] ends, long[] deltas) {
        int n = starts.length;
        if (ends.length != n || deltas.length != n) {
            throw new IllegalArgumentException("starts, ends and deltas differ in length");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            if (Long.compareUnsigned(starts[i], ends[i]) >= 0) {
                throw new IllegalArgumentException("empty relocation range " + Long.toHexString(starts[i]));
            }
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(starts[a], starts[b]));
        long[] s = new long[n];
        long[] e = new long[n];
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = starts[order[i]];
            e[i] = ends[order[i]];
            d[i] = deltas[order[i]];
            if (i > 0 && Long.compareUnsigned(s[i], e[i - 1]) < 0) {
                throw new IllegalArgumentException("relocation ranges overlap at 0x" + Long.toHexString(s[i]));
            }
        }
        return new PointerRelocation(s, e, d);
    }

    /**
     * This relocation with each run of consecutive ranges of one delta joined into one range that
     * also covers the gaps between them (unmapped, or base mappings with no pair in the target).
     * ASLR moves regions, not mappings: the libraries and anonymous mappings of the mmap area keep
     * their distances, so a process's dozens of ranges share three or four deltas (executable,
     * heap, mmap area, stack); joined, most pointers of a page fall in the range the last one did
     * and relocate with one compare. A word inside a gap pointed at no paired mapping of the base;
     * moving it with its neighbours is as good a prediction as leaving it. Gaps of
     * {@link #SPANNED_GAP} or more are not joined over: a base's {@link PointerMarks} then tell
     * which words of each page any such relocation can move (on the project's six worker pairs the
     * dedup images came out byte for byte the same as with every gap joined).
     */
    public PointerRelocation spanningGaps() {
        int n = starts.length;
        int runs = 0;
        for (int i = 0; i < n; i++) {
            runs += startsRun(i) ? 1 : 0;
        }
        if (runs == n) {
            return this;
        }
        long[] s = new long[runs];
        long[] e = new long[runs];
        long[] d = new long[runs];
        int r = -1;
        for (int i = 0; i < n; i++) {
            if (startsRun(i)) {
                r++;
                s[r] = starts[i];
                d[r] = deltas[i];
            }
            e[r] = ends[i];
        }
        return new PointerRelocation(s, e, d);
    }

    private boolean startsRun(int i) {
        return i == 0 || deltas[i] != deltas[i - 1] || Long.compareUnsigned(starts[i] - ends[i - 1], SPANNED_GAP) >= 0;
    }

    /** Whether every range lies inside one of the sorted, disjoint ranges {@code [starts[k], ends[k])}. */
    boolean within(long[] coverStarts, long[] coverEnds) {
        int k = 0;
        for (int i = 0; i < starts.length; i++) {
            while (k < coverStarts.length && Long.compareUnsigned(coverEnds[k], starts[i]) <= 0) {
                k++;
            }
            if (k == coverStarts.length || Long.compareUnsigned(starts[i], coverStarts[k]) < 0
                    || Long.compareUnsigned(ends[i], coverEnds[k]) > 0) {
                return false;
            }
        }
        return true;
    }

    /** Number of ranges. */
    public int size() {
        return starts.length;
    }

    public long start(int i) {
        return starts[i];
    }

    public long end(int i) {
        return ends[i];
    }

    public long delta(int i) {
        return deltas[i];
    }

    /** The word a base word {@code w} predicts in the target: {@code w + delta} inside a range, else {@code w}. */
    public long relocate(long w) {
        if (Long.compareUnsigned(w, min) < 0 || Long.compareUnsigned(w, max) >= 0) {
            return w;
        }
        int lo = 0;
        int hi = starts.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(w, starts[mid]) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(w, ends[mid]) >= 0) {
                lo = mid + 1;
            } else {
                return w + deltas[mid];
            }
        }
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PointerRelocation r && Arrays.equals(starts, r.starts) && Arrays.equals(ends, r.ends)
                && Arrays.equals(deltas, r.deltas);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(starts) * 31 + Arrays.hashCode(deltas);
    }

    @Override
    public String toString() {
        return "PointerRelocation[" + starts.length + " ranges]";
    }
}
