package org.medes.policy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyntheticTraceTest {

    /** Per-function counts and inter-arrival moments, gathered while streaming (O(functions) memory). */
    private static final class Moments {
        final long[] count;
        final long[] last;
        final double[] sum;
        final double[] sumSq;
        final double[] minGap;
        final double[] maxGap;
        long total;

        Moments(int n) {
            count = new long[n];
            last = new long[n];
            sum = new double[n];
            sumSq = new double[n];
            minGap = new double[n];
            maxGap = new double[n];
            Arrays.fill(minGap, Double.MAX_VALUE);
        }

        void accept(Invocation i) {
            int f = i.function();
            if (count[f] > 0) {
                double gap = i.timeMs() - last[f];
                sum[f] += gap;
                sumSq[f] += gap * gap;
                minGap[f] = Math.min(minGap[f], gap);
                maxGap[f] = Math.max(maxGap[f], gap);
            }
            count[f]++;
            last[f] = i.timeMs();
            total++;
        }

        double cov(int f) {
            long gaps = count[f] - 1;
            double mean = sum[f] / gaps;
            double var = sumSq[f] / gaps - mean * mean;
            return Math.sqrt(Math.max(var, 0)) / mean;
        }
    }

    private static Moments stream(SyntheticTrace t) {
        Moments m = new Moments(t.functions().size());
        long[] previous = {0};
        try (var s = t.invocations()) {
            s.forEach(i -> {
                if (i.timeMs() < previous[0] || i.timeMs() >= t.durationMs()) {
                    throw new AssertionError("out of order or past the end: " + i + " after " + previous[0]);
                }
                previous[0] = i.timeMs();
                m.accept(i);
            });
        }
        return m;
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTrace() {
        SyntheticTrace.Builder a = SyntheticTrace.builder().seed(11).functions(300).duration(Duration.ofMinutes(30));
        List<Invocation> first = SyntheticTrace.builder().seed(11).functions(300).duration(Duration.ofMinutes(30))
                .build().invocations().limit(50_000).toList();
        SyntheticTrace again = a.build();
        assertThat(again.invocations().limit(50_000).toList()).isEqualTo(first);
        SyntheticTrace other = SyntheticTrace.builder().seed(12).functions(300).duration(Duration.ofMinutes(30)).build();
        assertThat(other.invocations().limit(50_000).toList()).isNotEqualTo(first);
        assertThat(other.functions()).isNotEqualTo(again.functions());
    }

    @Test
    void streamsMillionsInOrderWithCountsNearTheModel() {
        SyntheticTrace t = SyntheticTrace.builder().seed(3).functions(2000).duration(Duration.ofHours(2)).build();
        Moments m = stream(t);
        double expected = 0;
        for (int f = 0; f < t.functions().size(); f++) {
            expected += t.meanRatePerSecond(f) * t.durationMs() / 1000;
        }
        assertThat(m.total).isGreaterThan(2_000_000);
        assertThat((double) m.total).isCloseTo(expected, within(0.1 * expected));
        int checked = 0;
        for (int f = 0; f < t.functions().size(); f++) {
            String trigger = t.functions().get(f).trigger();
            double e = t.meanRatePerSecond(f) * t.durationMs() / 1000;
            if (e >= 10_000 && !trigger.equals("http") && !trigger.equals("timer")) {
                // Poisson: sd = sqrt(e) <= 1% of e; 5% is five standard deviations
                assertThat((double) m.count[f]).as("function %d", f).isCloseTo(e, within(0.05 * e));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    @Test
    void streamsLazilyATraceFarTooLargeToHold() {
        SyntheticTrace t = SyntheticTrace.builder().seed(5).functions(5000).rateScale(1e4)
                .duration(Duration.ofDays(30)).build();
        double expected = 0;
        for (int f = 0; f < t.functions().size(); f++) {
            expected += t.meanRatePerSecond(f) * t.durationMs() / 1000;
        }
        assertThat(expected).as("events; as Invocation objects, petabytes").isGreaterThan(1e13);
        long[] last = {-1};
        long n = t.invocations().limit(3_000_000).peek(i -> {
            assertThat(i.timeMs()).isGreaterThanOrEqualTo(last[0]);
            last[0] = i.timeMs();
        }).count();
        assertThat(n).isEqualTo(3_000_000);
    }

    @Test
    void ratesSpanManyOrdersOfMagnitudeAsThePaperReports() {
        SyntheticTrace t = SyntheticTrace.builder().seed(1).functions(20_000).build();
        double[] rates = new double[t.functions().size()];
        Arrays.setAll(rates, t::meanRatePerSecond);
        double min = Arrays.stream(rates).min().orElseThrow();
        double max = Arrays.stream(rates).max().orElseThrow();
        assertThat(max / min).isGreaterThan(1e8);
        // paper: ~45% invoked at most once an hour, ~81% at most once a minute, a few many times a second
        assertThat(Arrays.stream(rates).filter(r -> r <= 1 / 3600.0).count() / (double) rates.length).isBetween(0.40, 0.56);
        assertThat(Arrays.stream(rates).filter(r -> r <= 1 / 60.0).count() / (double) rates.length).isBetween(0.76, 0.88);
        assertThat(Arrays.stream(rates).filter(r -> r >= 10).count() / (double) rates.length).isBetween(0.005, 0.03);
    }

    @Test
    void realisedCountsSpanManyOrdersOfMagnitudeAndIncludeRareFunctions() {
        SyntheticTrace t = SyntheticTrace.builder().seed(8).functions(1000).duration(Duration.ofHours(6)).build();
        Moments m = stream(t);
        long max = Arrays.stream(m.count).max().orElseThrow();
        long silent = Arrays.stream(m.count).filter(c -> c == 0).count();
        long fewOnly = Arrays.stream(m.count).filter(c -> c > 0 && c <= 3).count();
        assertThat(max).isGreaterThan(1_000_000);
        assertThat(silent).as("functions not invoked in six hours").isBetween(150L, 450L);
        assertThat(fewOnly).as("functions invoked 1-3 times").isGreaterThan(30);
    }

    @Test
    void timersFireEveryPeriodWithSmallLateJitter() {
        SyntheticTrace t = SyntheticTrace.builder().seed(4).functions(2000).duration(Duration.ofHours(6)).build();
        Moments m = stream(t);
        int timers = 0;
        Set<Long> periods = new HashSet<>();
        for (int f = 0; f < t.functions().size(); f++) {
            if (!t.functions().get(f).trigger().equals("timer") || m.count[f] < 10) {
                continue;
            }
            double period = 1000 / t.meanRatePerSecond(f);
            double jitter = Math.min(0.01 * period, 1000);
            assertThat(m.minGap[f]).as("timer %d", f).isGreaterThanOrEqualTo(period - jitter - 1);
            assertThat(m.maxGap[f]).as("timer %d", f).isLessThanOrEqualTo(period + jitter + 1);
            assertThat(m.count[f]).isBetween((long) (t.durationMs() / period) - 1, (long) (t.durationMs() / period) + 1);
            assertThat(m.cov(f)).isLessThan(0.02);
            periods.add(Math.round(period));
            timers++;
        }
        assertThat(timers).isGreaterThan(20);
        assertThat(periods).as("timer periods are round values").allMatch(p -> p % 1000 == 0).hasSizeGreaterThan(3);
    }

    @Test
    void httpIsBurstyWhileQueuesArePoisson() {
        SyntheticTrace t = SyntheticTrace.builder().seed(6).functions(2000).duration(Duration.ofHours(6)).build();
        Moments m = stream(t);
        int http = 0;
        int poisson = 0;
        for (int f = 0; f < t.functions().size(); f++) {
            String trigger = t.functions().get(f).trigger();
            if (m.count[f] < 500) {
                continue;
            }
            if (trigger.equals("http")) {
                assertThat(m.cov(f)).as("http function %d", f).isGreaterThan(1.5);
                http++;
            } else if (trigger.equals("queue") || trigger.equals("event")) {
                assertThat(m.cov(f)).as("poisson function %d", f).isBetween(0.85, 1.15);
                poisson++;
            }
        }
        assertThat(http).isGreaterThan(20);
        assertThat(poisson).isGreaterThan(10);
    }

    @Test
    void triggerMixFollowsThePaper() {
        SyntheticTrace t = SyntheticTrace.builder().seed(2).functions(20_000).build();
        Map<String, Long> fns = t.functions().stream()
                .collect(Collectors.groupingBy(TraceFunction::trigger, Collectors.counting()));
        for (int k = 0; k < SyntheticTrace.TRIGGERS.length; k++) {
            assertThat(fns.getOrDefault(SyntheticTrace.TRIGGERS[k], 0L) / 20_000.0)
                    .as(SyntheticTrace.TRIGGERS[k]).isCloseTo(SyntheticTrace.FUNCTION_SHARE[k], within(0.01));
        }
        Map<String, Double> rate = new HashMap<>();
        double total = 0;
        for (int f = 0; f < t.functions().size(); f++) {
            rate.merge(t.functions().get(f).trigger(), t.meanRatePerSecond(f), Double::sum);
            total += t.meanRatePerSecond(f);
        }
        double all = total;
        List<String> byInvocations = rate.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(Map.Entry::getKey).toList();
        // paper's invocation shares: http 36%, queue 34%, event 25%, the rest 5%
        assertThat(byInvocations.subList(0, 3)).containsExactlyInAnyOrder("http", "queue", "event");
        assertThat(rate.get("http") / all).isCloseTo(0.36, within(0.1));
        assertThat(rate.get("queue") / all).isCloseTo(0.34, within(0.1));
        assertThat(rate.get("event") / all).isCloseTo(0.25, within(0.1));
    }

    @Test
    void everyAppHasAFunctionAndOwnersGroupApps() {
        SyntheticTrace t = SyntheticTrace.builder().seed(9).functions(500).apps(200).build();
        assertThat(t.functions().stream().map(TraceFunction::app).distinct().count()).isEqualTo(200);
        assertThat(t.functions().stream().map(TraceFunction::owner).distinct().count()).isEqualTo(100);
        assertThat(t.functions().stream().map(TraceFunction::function).distinct().count()).isEqualTo(500);
        assertThat(SyntheticTrace.builder().functions(10).build().functions()
                .stream().map(TraceFunction::app).distinct().count()).isEqualTo(6);
    }

    @Test
    void builderRejectsASettingTwiceAndBadValues() {
        assertThatThrownBy(() -> SyntheticTrace.builder().seed(1).seed(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SyntheticTrace.builder().apps(1).apps(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SyntheticTrace.builder().functions(3).apps(4).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("apps (4)");
        assertThatThrownBy(() -> SyntheticTrace.builder().functions(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyntheticTrace.builder().rateScale(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyntheticTrace.builder().rateScale(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SyntheticTrace.builder().duration(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        SyntheticTrace t = SyntheticTrace.builder().functions(5).build();
        t.invocations().close();
        assertThatThrownBy(t::invocations).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void baseRateCurvePassesThroughItsAnchors() {
        assertThat(SyntheticTrace.baseRatePerDay(0)).isCloseTo(0.1, within(1e-12));
        assertThat(SyntheticTrace.baseRatePerDay(0.45)).isCloseTo(24, within(1e-9));
        assertThat(SyntheticTrace.baseRatePerDay(0.81)).isCloseTo(1440, within(1e-7));
        assertThat(SyntheticTrace.baseRatePerDay(1)).isCloseTo(8_640_000, within(1e-3));
        assertThat(SyntheticTrace.timerPeriodS(24)).isEqualTo(3600);
        assertThat(SyntheticTrace.timerPeriodS(1e9)).isEqualTo(1);
        assertThat(SyntheticTrace.timerPeriodS(1e-6)).isEqualTo(604_800);
    }
}
