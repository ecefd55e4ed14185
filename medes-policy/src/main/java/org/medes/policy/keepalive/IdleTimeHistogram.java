package org.medes.policy.keepalive;

/**
 * Counts of one application's idle times in fixed-width bins; idle times past the last bin are
 * counted as out of bounds.
 *
 * <p>Not thread-safe.
 */
final class IdleTimeHistogram {

    private final long binMs;
    private final long[] counts;
    private long samples;
    private long outOfBounds;

    IdleTimeHistogram(long binMs, int bins) {
        if (binMs <= 0 || bins < 2) {
            throw new IllegalArgumentException("need binMs > 0 and bins >= 2, was " + binMs + ", " + bins);
        }
        this.binMs = binMs;
        this.counts = new long[bins];
    }

    void add(long idleMs) {
        long bin = Math.max(0, idleMs) / binMs;
        if (bin >= counts.length) {
            outOfBounds++;
        } else {
            counts[(int) bin]++;
            samples++;
        }
    }

    /** Idle times inside the histogram's range. */
    long samples() {
        return samples;
    }

    long outOfBounds() {
        return outOfBounds;
    }

    /** Share of all idle times that were out of bounds; 0 when there are none. */
    double outOfBoundsRatio() {
        long all = samples + outOfBounds;
        return all == 0 ? 0 : (double) outOfBounds / all;
    }

    /**
     * Coefficient of variation (population standard deviation over mean) of the bin counts over
     * all bins: high when idle times concentrate in a few bins, 0 when spread evenly; 0 when empty.
     */
    double binCountCv() {
        if (samples == 0) {
            return 0;
        }
        double mean = (double) samples / counts.length;
        double sq = 0;
        for (long c : counts) {
            double d = c - mean;
            sq += d * d;
        }
        return Math.sqrt(sq / counts.length) / mean;
    }

    /** The first bin at which the cumulative share of in-range samples reaches {@code p}; -1 if empty. */
    int percentileBin(double p) {
        if (samples == 0) {
            return -1;
        }
        double need = p * samples;
        long cumulative = 0;
        for (int i = 0; i < counts.length; i++) {
            cumulative += counts[i];
            if (cumulative >= need) {
                return i;
            }
        }
        return counts.length - 1;
    }

    long binMs() {
        return binMs;
    }

    int bins() {
        return counts.length;
    }

    long count(int bin) {
        return counts[bin];
    }
}
