package org.medes.policy.keepalive;

import org.junit.jupiter.api.Test;
import org.medes.policy.keepalive.IdleTimePredictor.Basis;
import org.medes.policy.keepalive.IdleTimePredictor.Windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdleTimePredictorTest {

    static final long MIN = 60_000;

    /** Feeds idle times: each one an invocation end followed by an arrival that much later. */
    static long feed(IdleTimePredictor p, String app, long t, long... idleMs) {
        for (long idle : idleMs) {
            p.invocationEnded(app, t);
            p.arrival(app, t + idle);
            t += idle + 100;
        }
        return t;
    }

    static long[] repeat(long v, int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static long[] concat(long[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    @Test
    void percentilesAndMarginsOnACraftedSequence() {
        var p = IdleTimePredictor.withDefaults();
        // 10 idle times: 2.5 min (bin 2), 8 x 10.5 min (bin 10), 30.5 min (bin 30).
        feed(p, "a", 0, concat(new long[] {5 * MIN / 2}, repeat(10 * MIN + MIN / 2, 8), new long[] {30 * MIN + MIN / 2}));
        IdleTimeHistogram h = p.histogram("a");
        assertThat(h.samples()).isEqualTo(10);
        assertThat(h.count(2)).isEqualTo(1);
        assertThat(h.count(10)).isEqualTo(8);
        assertThat(h.count(30)).isEqualTo(1);
        // 5th percentile: 0.05 x 10 = 0.5 samples, reached at bin 2; 99th: 9.9 samples, reached at bin 30.
        assertThat(h.percentileBin(0.05)).isEqualTo(2);
        assertThat(h.percentileBin(0.99)).isEqualTo(30);
        // CV: mean 10/240, E[x^2] = 66/240, var = 0.275 - 1/576, std / mean = 12.546...
        assertThat(h.binCountCv()).isCloseTo(Math.sqrt(0.275 - 1.0 / 576) * 24, within(1e-9));
        // pre-warm: lower edge of bin 2 (2 min) - 10 % = 108 s; keep-alive: upper edge of bin 30 (31 min) + 10 % = 34.1 min.
        assertThat(p.windows("a")).isEqualTo(new Windows(108_000, 2_046_000, Basis.HISTOGRAM));
        // the median is in bin 10: upper edge 11 min + 10 % = 726 s
        assertThat(p.percentileMs("a", 0.5)).isEqualTo(726_000);
    }

    @Test
    void evenlySpreadIdleTimesAreNotRepresentative() {
        // One idle time in each of k bins: CV^2 = 240 / k - 1, so CV >= 2 iff k <= 48.
        var spread = IdleTimePredictor.withDefaults();
        long[] sixty = new long[60];
        for (int i = 0; i < 60; i++) {
            sixty[i] = i * MIN + MIN / 2;
        }
        feed(spread, "a", 0, sixty);
        assertThat(spread.histogram("a").binCountCv()).isCloseTo(Math.sqrt(3), within(1e-9));
        assertThat(spread.windows("a")).isEqualTo(new Windows(0, 600_000, Basis.NOT_REPRESENTATIVE));

        var narrower = IdleTimePredictor.withDefaults();
        feed(narrower, "a", 0, java.util.Arrays.copyOf(sixty, 40));
        assertThat(narrower.histogram("a").binCountCv()).isCloseTo(Math.sqrt(5), within(1e-9));
        // head: 2 of 40 needed -> bin 1, 1 min - 10 % = 54 s; tail: 39.6 of 40 -> bin 39, 40 min + 10 % = 44 min.
        assertThat(narrower.windows("a")).isEqualTo(new Windows(54_000, 2_640_000, Basis.HISTOGRAM));
    }

    @Test
    void needsTheMinimumSampleCount() {
        var p = IdleTimePredictor.withDefaults();
        long t = feed(p, "a", 0, repeat(5 * MIN, 9));
        assertThat(p.windows("a")).isEqualTo(new Windows(0, 600_000, Basis.FEW_SAMPLES));
        feed(p, "a", t, 5 * MIN);
        // all in bin 5: pre-warm 5 min - 10 % = 270 s, keep-alive 6 min + 10 % = 396 s
        assertThat(p.windows("a")).isEqualTo(new Windows(270_000, 396_000, Basis.HISTOGRAM));
        assertThat(p.windows("unknown").basis()).isEqualTo(Basis.FEW_SAMPLES);
    }

    @Test
    void tooManyOutOfBoundsIdleTimesFallBack() {
        var p = IdleTimePredictor.withDefaults();
        long t = feed(p, "a", 0, repeat(5 * MIN, 10));
        t = feed(p, "a", t, repeat(5 * 60 * MIN, 10));
        // 10 of 20 out of bounds: 0.5 is not above the threshold
        assertThat(p.histogram("a").outOfBounds()).isEqualTo(10);
        assertThat(p.windows("a").basis()).isEqualTo(Basis.HISTOGRAM);
        feed(p, "a", t, 4 * 60 * MIN);
        // exactly 4 hours is past the last bin: 11 of 21
        assertThat(p.windows("a")).isEqualTo(new Windows(0, 600_000, Basis.OUT_OF_BOUNDS));
    }

    @Test
    void oneSamplePerIdlePeriodAndStaleEndsIgnored() {
        var p = IdleTimePredictor.withDefaults();
        p.invocationEnded("a", 10_000);
        p.arrival("a", 70_000);
        p.arrival("a", 71_000); // busy: no end since the last sample
        assertThat(p.histogram("a").samples()).isEqualTo(1);
        assertThat(p.histogram("a").count(1)).isEqualTo(1);
        p.invocationEnded("a", 200_000);
        p.invocationEnded("a", 150_000); // an older end of a concurrent invocation
        p.arrival("a", 230_000);
        assertThat(p.histogram("a").count(0)).isEqualTo(1); // 30 s after the latest end
        p.invocationEnded("a", 200_000); // the same end again (a timer re-decide)
        p.arrival("a", 500_000);
        assertThat(p.histogram("a").samples()).isEqualTo(2);
    }

    @Test
    void builderFailsFastOnValuesSetTwiceOrOutOfRange() {
        assertThatThrownBy(() -> IdleTimePredictor.newBuilder().cvThreshold(2).cvThreshold(3))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cvThreshold");
        assertThatThrownBy(() -> IdleTimePredictor.newBuilder().margin(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdleTimePredictor.newBuilder().headPercentile(0.5).tailPercentile(0.4).build())
                .isInstanceOf(IllegalArgumentException.class);
        var p = IdleTimePredictor.newBuilder().fallbackKeepAliveMs(4 * 60 * MIN).minSamples(1).build();
        assertThat(p.windows("a")).isEqualTo(new Windows(0, 4 * 60 * MIN, Basis.FEW_SAMPLES));
    }
}
