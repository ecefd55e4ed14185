package org.medes.policy.sim;

/**
 * Latencies in logarithmic buckets (0.5 % wide) from 0.01 ms to about 28 hours, so percentiles of
 * millions of requests cost a few kilobytes; a percentile is exact to within half a bucket.
 *
 * <p>Not thread-safe.
 */
public final class LatencyHistogram {
    private static final double MIN_MS = 0.01;
    private static final double RATIO = 1.005;
    private static final double LOG_RATIO = Math.log(RATIO);
    private static final int BUCKETS = 4700;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private double sumMs;
    private double maxMs;

    /** Adds one latency, ms (negative values are a bug of the caller). */
    public void record(double ms) {
        if (!(ms >= 0)) {
            throw new IllegalArgumentException("latency must be >= 0 ms, was " + ms);
        }
        counts[bucket(ms)]++;
        total++;
        sumMs += ms;
        maxMs = Math.max(maxMs, ms);
    }

    public long count() {
        return total;
    }

    public double meanMs() {
        return total == 0 ? 0 : sumMs / total;
    }

    public double maxMs() {
        return maxMs;
    }

    /** The latency below which {@code quantile} of the requests fall (0 when empty). */
    public double percentileMs(double quantile) {
        if (!(quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], was " + quantile);
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.min(maxMs, representative(b));
            }
        }
        return maxMs;
    }

    private static int bucket(double ms) {
        if (ms <= MIN_MS) {
            return 0;
        }
        int b = 1 + (int) (Math.log(ms / MIN_MS) / LOG_RATIO);
        return Math.min(b, BUCKETS - 1);
    }

    private static double representative(int bucket) {
        if (bucket == 0) {
            return MIN_MS;
        }
        // geometric middle of [MIN * RATIO^(b-1), MIN * RATIO^b)
        return MIN_MS * Math.pow(RATIO, bucket - 0.5);
    }
}
