package org.medes.policy.dedup;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Per function, arrivals counted in fixed buckets over a sliding window; the peak rate is the
 * largest bucket count divided by the bucket length.
 *
 * <p>Not thread-safe.
 */
final class ArrivalPeaks {

    private final long bucketMs;
    private final long windowMs;
    /** Per function: {bucket index, count} of non-empty buckets, oldest first. */
    private ArrayDeque<long[]>[] buckets = newArray(0);

    ArrivalPeaks(long bucketMs, long windowMs) {
        if (bucketMs <= 0 || windowMs < bucketMs) {
            throw new IllegalArgumentException("need 0 < bucketMs <= windowMs, was " + bucketMs + ", " + windowMs);
        }
        this.bucketMs = bucketMs;
        this.windowMs = windowMs;
    }

    void record(int function, long nowMs) {
        if (function >= buckets.length) {
            buckets = Arrays.copyOf(buckets, Math.max(function + 1, buckets.length * 2));
        }
        ArrayDeque<long[]> q = buckets[function];
        if (q == null) {
            q = buckets[function] = new ArrayDeque<>();
        }
        long b = Math.floorDiv(nowMs, bucketMs);
        long[] last = q.peekLast();
        if (last != null && last[0] == b) {
            last[1]++;
        } else {
            q.addLast(new long[] {b, 1});
        }
        prune(q, nowMs);
    }

    /** Peak arrival rate of {@code function} in the window ending at {@code nowMs}, per second. */
    double peakPerSecond(int function, long nowMs) {
        ArrayDeque<long[]> q = function < buckets.length ? buckets[function] : null;
        if (q == null) {
            return 0;
        }
        prune(q, nowMs);
        long max = 0;
        for (long[] e : q) {
            max = Math.max(max, e[1]);
        }
        return max * 1000.0 / bucketMs;
    }

    /** Drops buckets that end at or before {@code nowMs - windowMs}. */
    private void prune(ArrayDeque<long[]> q, long nowMs) {
        long firstKept = Math.floorDiv(nowMs - windowMs, bucketMs);
        while (!q.isEmpty() && q.peekFirst()[0] < firstKept) {
            q.pollFirst();
        }
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<long[]>[] newArray(int n) {
        return (ArrayDeque<long[]>[]) new ArrayDeque<?>[n];
    }
}
