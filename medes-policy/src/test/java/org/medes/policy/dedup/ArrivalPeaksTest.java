package org.medes.policy.dedup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ArrivalPeaksTest {

    @Test
    void peakIsTheBusiestBucketOfTheWindow() {
        var peaks = new ArrivalPeaks(1_000, 10_000);
        for (int i = 0; i < 3; i++) {
            peaks.record(0, 500 + i);     // bucket 0: 3
        }
        peaks.record(0, 4_200);           // bucket 4: 1
        peaks.record(0, 4_900);           // bucket 4: 2
        assertThat(peaks.peakPerSecond(0, 5_000)).isEqualTo(3.0);
        // at 10 999 the window is (999, 10 999]: bucket 0, [0, 1 000), still overlaps it
        assertThat(peaks.peakPerSecond(0, 10_999)).isEqualTo(3.0);
        assertThat(peaks.peakPerSecond(0, 11_000)).isEqualTo(2.0);
        assertThat(peaks.peakPerSecond(0, 14_999)).isEqualTo(2.0);
        assertThat(peaks.peakPerSecond(0, 15_000)).isEqualTo(0.0);
        assertThat(peaks.peakPerSecond(7, 15_000)).isEqualTo(0.0);
    }

    @Test
    void longerBucketsAverage() {
        var peaks = new ArrivalPeaks(60_000, 600_000);
        for (int i = 0; i < 30; i++) {
            peaks.record(2, i * 1_000L);
        }
        assertThat(peaks.peakPerSecond(2, 30_000)).isEqualTo(0.5);
    }
}
