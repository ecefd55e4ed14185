package org.medes.policy.keepalive;

import org.medes.policy.ClusterView;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Learns each application's idle times (end of an invocation to the next arrival) and derives its
 * pre-warm and keep-alive windows with the hybrid histogram rules of Shahrad et al. (ATC'20).
 *
 * <p>Not thread-safe: one instance per policy instance.
 */
public final class IdleTimePredictor {

    /** What the windows of an application were derived from. */
    public enum Basis {
        /** A representative histogram: 5th / 99th percentiles with margins. */
        HISTOGRAM,
        /** Fewer in-range idle times than the minimum: fixed keep-alive. */
        FEW_SAMPLES,
        /** Bin counts too evenly spread (CV below the threshold): fixed keep-alive. */
        NOT_REPRESENTATIVE,
        /** Too many idle times beyond the histogram's range (ARIMA in the paper): fixed keep-alive. */
        OUT_OF_BOUNDS
    }

    /**
     * When to pre-warm and until when to keep an application loaded, both measured from the end
     * of its last invocation.
     *
     * @param prewarmMs   unload after the invocation and load again this long after its end; 0: do not unload
     * @param keepAliveMs keep the application loaded until this long after the end of its last invocation
     * @param basis       what the windows come from
     */
    public record Windows(long prewarmMs, long keepAliveMs, Basis basis) {
        public boolean fromHistogram() {
            return basis == Basis.HISTOGRAM;
        }
    }

    private final long binMs;
    private final int bins;
    private final double headPercentile;
    private final double tailPercentile;
    private final double margin;
    private final double cvThreshold;
    private final int minSamples;
    private final double outOfBoundsThreshold;
    private final long fallbackKeepAliveMs;
    private final Map<String, App> apps = new HashMap<>();
    private String[] appOf = new String[0];

    private IdleTimePredictor(Builder b) {
        this.binMs = or(b.binMs, 60_000L);
        this.bins = or(b.bins, 240);
        this.headPercentile = or(b.headPercentile, 0.05);
        this.tailPercentile = or(b.tailPercentile, 0.99);
        this.margin = or(b.margin, 0.10);
        this.cvThreshold = or(b.cvThreshold, 2.0);
        this.minSamples = or(b.minSamples, 10);
        this.outOfBoundsThreshold = or(b.outOfBoundsThreshold, 0.5);
        this.fallbackKeepAliveMs = or(b.fallbackKeepAliveMs, FixedKeepAlivePolicy.DEFAULT_KEEP_ALIVE_MS);
        if (!(headPercentile > 0 && headPercentile < tailPercentile && tailPercentile <= 1)) {
            throw new IllegalArgumentException("need 0 < head < tail <= 1, was " + headPercentile + ", " + tailPercentile);
        }
    }

    /** A builder; every setting has a default (see {@link Builder}). */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** A predictor with every default. */
    public static IdleTimePredictor withDefaults() {
        return newBuilder().build();
    }

    /**
     * Reads the application of every function of {@code cluster} not yet known; policies call it
     * from {@code decide} and {@code onTick}, since {@code onArrival} has no cluster view.
     */
    public void learnApps(ClusterView cluster) {
        int n = cluster.functions();
        if (n > appOf.length) {
            int from = appOf.length;
            appOf = Arrays.copyOf(appOf, n);
            for (int f = from; f < n; f++) {
                appOf[f] = cluster.function(f).app();
            }
        }
    }

    /** The application of {@code function}, or {@code null} if {@link #learnApps} has not seen it. */
    public String appOf(int function) {
        return function >= 0 && function < appOf.length ? appOf[function] : null;
    }

    /** {@link #arrival(String, long)} for the application of {@code function}, if known. */
    public void arrival(int function, long nowMs) {
        String app = appOf(function);
        if (app != null) {
            arrival(app, nowMs);
        }
    }

    /**
     * A request of {@code app} arrived: the first arrival after an invocation ended records the
     * idle time since the latest end; arrivals with no end since the previous sample record
     * nothing (the application was busy, not idle).
     */
    public void arrival(String app, long nowMs) {
        App a = apps.get(app);
        if (a != null && a.endPending) {
            a.histogram.add(nowMs - a.lastEndMs);
            a.endPending = false;
        }
    }

    /** An invocation of {@code app} ended at {@code endMs}; older or repeated ends are ignored. */
    public void invocationEnded(String app, long endMs) {
        App a = apps.computeIfAbsent(app, k -> new App(new IdleTimeHistogram(binMs, bins)));
        if (!a.seenEnd || endMs > a.lastEndMs) {
            a.lastEndMs = endMs;
            a.seenEnd = true;
            a.endPending = true;
        }
    }

    /** The pre-warm and keep-alive windows of {@code app} from what has been learned so far. */
    public Windows windows(String app) {
        App a = apps.get(app);
        if (a == null || a.histogram.samples() + a.histogram.outOfBounds() == 0) {
            return fallback(Basis.FEW_SAMPLES);
        }
        IdleTimeHistogram h = a.histogram;
        if (h.outOfBoundsRatio() > outOfBoundsThreshold) {
            return fallback(Basis.OUT_OF_BOUNDS);
        }
        if (h.samples() < minSamples) {
            return fallback(Basis.FEW_SAMPLES);
        }
        if (h.binCountCv() < cvThreshold) {
            return fallback(Basis.NOT_REPRESENTATIVE);
        }
        int head = h.percentileBin(headPercentile);
        int tail = h.percentileBin(tailPercentile);
        long prewarm = Math.round(head * (double) binMs * (1 - margin));
        long keepAlive = Math.round((tail + 1) * (double) binMs * (1 + margin));
        return new Windows(prewarm, keepAlive, Basis.HISTOGRAM);
    }

    /**
     * The upper edge of the bin holding the {@code p} percentile of {@code app}'s in-range idle
     * times, raised by the margin; -1 if none was recorded.
     */
    public long percentileMs(String app, double p) {
        App a = apps.get(app);
        int bin = a == null ? -1 : a.histogram.percentileBin(p);
        return bin < 0 ? -1 : Math.round((bin + 1) * (double) binMs * (1 + margin));
    }

    /** The histogram of {@code app}, or {@code null}; for tests. */
    IdleTimeHistogram histogram(String app) {
        App a = apps.get(app);
        return a == null ? null : a.histogram;
    }

    private Windows fallback(Basis basis) {
        return new Windows(0, fallbackKeepAliveMs, basis);
    }

    @Override
    public String toString() {
        return "IdleTimePredictor[binMs=" + binMs + ", bins=" + bins + ", head=" + headPercentile
                + ", tail=" + tailPercentile + ", margin=" + margin + ", cv>=" + cvThreshold
                + ", minSamples=" + minSamples + ", oob<=" + outOfBoundsThreshold
                + ", fallbackKeepAliveMs=" + fallbackKeepAliveMs + "]";
    }

    private static <T> T or(T v, T d) {
        return v != null ? v : d;
    }

    private static final class App {
        final IdleTimeHistogram histogram;
        long lastEndMs;
        boolean seenEnd;
        boolean endPending;

        App(IdleTimeHistogram histogram) {
            this.histogram = histogram;
        }
    }

    /**
     * Settings of an {@link IdleTimePredictor}; each may be set once. Defaults: 1-minute bins,
     * 240 bins (4 hours), head 5th and tail 99th percentile, 10 % margin, CV threshold 2,
     * at least 10 in-range samples, at most 50 % out-of-bounds idle times, 10-minute fallback
     * keep-alive.
     */
    public static final class Builder {
        private Long binMs;
        private Integer bins;
        private Double headPercentile;
        private Double tailPercentile;
        private Double margin;
        private Double cvThreshold;
        private Integer minSamples;
        private Double outOfBoundsThreshold;
        private Long fallbackKeepAliveMs;

        private Builder() {
        }

        public Builder binMs(long v) {
            once(binMs, "binMs");
            binMs = positive(v, "binMs");
            return this;
        }

        public Builder bins(int v) {
            once(bins, "bins");
            if (v < 2) {
                throw new IllegalArgumentException("bins must be >= 2, was " + v);
            }
            bins = v;
            return this;
        }

        /** Percentile giving the pre-warm window (0, 1). */
        public Builder headPercentile(double v) {
            once(headPercentile, "headPercentile");
            headPercentile = fraction(v, "headPercentile");
            return this;
        }

        /** Percentile giving the keep-alive window (0, 1]. */
        public Builder tailPercentile(double v) {
            once(tailPercentile, "tailPercentile");
            tailPercentile = fraction(v, "tailPercentile");
            return this;
        }

        /** Pre-warm lowered and keep-alive raised by this share, [0, 1). */
        public Builder margin(double v) {
            once(margin, "margin");
            if (!(v >= 0 && v < 1)) {
                throw new IllegalArgumentException("margin must be in [0, 1), was " + v);
            }
            margin = v;
            return this;
        }

        /** The histogram is used only if the CV of its bin counts is at least this. */
        public Builder cvThreshold(double v) {
            once(cvThreshold, "cvThreshold");
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("cvThreshold must be >= 0, was " + v);
            }
            cvThreshold = v;
            return this;
        }

        /** The histogram is used only with at least this many in-range idle times. */
        public Builder minSamples(int v) {
            once(minSamples, "minSamples");
            if (v < 1) {
                throw new IllegalArgumentException("minSamples must be >= 1, was " + v);
            }
            minSamples = v;
            return this;
        }

        /** Above this share of out-of-bounds idle times the fixed fallback is used, [0, 1]. */
        public Builder outOfBoundsThreshold(double v) {
            once(outOfBoundsThreshold, "outOfBoundsThreshold");
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException("outOfBoundsThreshold must be in [0, 1], was " + v);
            }
            outOfBoundsThreshold = v;
            return this;
        }

        /** Keep-alive (no pre-warm) when the histogram is not used. */
        public Builder fallbackKeepAliveMs(long v) {
            once(fallbackKeepAliveMs, "fallbackKeepAliveMs");
            fallbackKeepAliveMs = positive(v, "fallbackKeepAliveMs");
            return this;
        }

        public IdleTimePredictor build() {
            return new IdleTimePredictor(this);
        }

        private static void once(Object current, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set to " + current);
            }
        }

        private static long positive(long v, String name) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, was " + v);
            }
            return v;
        }

        private static double fraction(double v, String name) {
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException(name + " must be in (0, 1], was " + v);
            }
            return v;
        }
    }
}
