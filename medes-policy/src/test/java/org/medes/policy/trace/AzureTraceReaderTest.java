package org.medes.policy.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureTraceReaderTest {

    private static final long DAY_MS = 1440L * 60_000;

    private static AzureTraceReader.Builder twoDays() {
        return AzureTraceReader.builder(Fixtures.path(Fixtures.DAY1), Fixtures.path(Fixtures.DAY2));
    }

    /** Expected (function index, absolute 0-based minute) -> count over both fixture days. */
    private static Map<List<Integer>, Integer> expectedTwoDays() {
        Map<List<Integer>, Integer> e = new HashMap<>();
        // f1 = 0, f2 = 1, f3 = 2, f4 = 3, f5 = 4 (first appearance order); minutes are 0-based here
        e.put(List.of(0, 0), 3);
        e.put(List.of(0, 1), 1);
        e.put(List.of(0, 1439), 2);
        e.put(List.of(0, 1440), 1);
        for (int day = 0; day < 2; day++) {
            for (int m = 59; m < 1440; m += 60) {
                e.put(List.of(1, day * 1440 + m), 1);
            }
        }
        e.put(List.of(2, 9), 100);
        e.put(List.of(2, 1440 + 1439), 5);
        e.put(List.of(4, 1440 + 719), 7);
        return e;
    }

    @Test
    void functionsInOrderOfFirstAppearanceAcrossDays() {
        AzureTraceReader r = twoDays().build();
        assertThat(r.functions()).containsExactly(
                new TraceFunction("o1", "a1", "f1", "http"),
                new TraceFunction("o1", "a1", "f2", "timer"),
                new TraceFunction("o2", "a2", "f3", "queue"),
                new TraceFunction("o3", "a3", "f4", "event"),
                new TraceFunction("o4", "a4", "f5", "http"));
        assertThat(r.durationMs()).isEqualTo(2 * DAY_MS);
        assertThat(IntStream.range(0, 5).mapToLong(r::totalInvocations).toArray()).containsExactly(7, 48, 105, 0, 7);
        assertThat(r.totalInvocations()).isEqualTo(167);
    }

    @Test
    void reproducesEveryMinuteCountOfBothDays() {
        for (AzureTraceReader.Spreading s : AzureTraceReader.Spreading.values()) {
            List<Invocation> all = Fixtures.all(twoDays().spreading(s).seed(7).build());
            assertThat(Fixtures.perMinute(all, 0)).as(s.name()).isEqualTo(expectedTwoDays());
        }
    }

    @Test
    void invocationsAreInTimeOrderInsideTheTrace() {
        AzureTraceReader r = twoDays().seed(3).build();
        List<Invocation> all = Fixtures.all(r);
        assertThat(all).hasSize(167);
        assertThat(all).isSortedAccordingTo((a, b) -> Long.compare(a.timeMs(), b.timeMs()));
        assertThat(all).allSatisfy(i -> assertThat(i.timeMs()).isBetween(0L, r.durationMs() - 1));
    }

    @Test
    void sameSeedSameTraceOtherSeedOtherTimes() {
        List<Invocation> a = Fixtures.all(twoDays().seed(42).build());
        List<Invocation> b = Fixtures.all(twoDays().seed(42).build());
        List<Invocation> c = Fixtures.all(twoDays().seed(43).build());
        assertThat(a).isEqualTo(b);
        assertThat(c).hasSameSizeAs(a).isNotEqualTo(a);
    }

    @Test
    void randomSpreadingCoversTheMinute() {
        List<Invocation> f3 = Fixtures.all(twoDays().seed(1).build()).stream()
                .filter(i -> i.function() == 2 && i.timeMs() < DAY_MS).toList();
        assertThat(f3).hasSize(100);
        long start = 9 * 60_000L;
        assertThat(f3).allSatisfy(i -> assertThat(i.timeMs()).isBetween(start, start + 59_999));
        // 100 uniform draws: each quarter of the minute gets some (chance of an empty quarter ~ 1e-12)
        for (int q = 0; q < 4; q++) {
            long lo = start + q * 15_000L;
            assertThat(f3).as("quarter " + q).anyMatch(i -> i.timeMs() >= lo && i.timeMs() < lo + 15_000);
        }
        assertThat(f3.stream().map(Invocation::timeMs).distinct().count()).isGreaterThan(90);
    }

    @Test
    void evenSpreadingPlacesTheJthOfCAtTheMiddleOfItsSlot() {
        List<Invocation> all = Fixtures.all(twoDays().spreading(AzureTraceReader.Spreading.EVENLY_SPACED).build());
        List<Long> f3 = all.stream().filter(i -> i.function() == 2 && i.timeMs() < DAY_MS)
                .map(Invocation::timeMs).toList();
        assertThat(f3).isEqualTo(IntStream.range(0, 100).mapToObj(j -> 9 * 60_000L + 300 + 600L * j).toList());
        // f1 minute 1: three invocations at 10 s, 30 s, 50 s
        assertThat(all.stream().filter(i -> i.function() == 0 && i.timeMs() < 60_000).map(Invocation::timeMs))
                .containsExactly(10_000L, 30_000L, 50_000L);
    }

    @Test
    void dayKStartsAtMinuteKTimes1440() {
        List<Invocation> all = Fixtures.all(twoDays().seed(5).build());
        long f5Start = (1440 + 719) * 60_000L;
        assertThat(all.stream().filter(i -> i.function() == 4))
                .hasSize(7)
                .allSatisfy(i -> assertThat(i.timeMs()).isBetween(f5Start, f5Start + 59_999));
        assertThat(all.stream().filter(i -> i.function() == 1).map(i -> i.timeMs() / 60_000))
                .containsExactlyElementsOf(IntStream.range(0, 48).mapToObj(k -> (k / 24) * 1440L + (k % 24) * 60 + 59).toList());
    }

    @Test
    void windowRebasesTimesToItsFirstMinuteAndCountsOnlyInsideIt() {
        AzureTraceReader r = twoDays().window(1439, 1441).spreading(AzureTraceReader.Spreading.EVENLY_SPACED).build();
        assertThat(r.durationMs()).isEqualTo(120_000);
        List<Invocation> all = Fixtures.all(r);
        assertThat(Fixtures.perMinute(all, 1439)).isEqualTo(Map.of(
                List.of(0, 1439), 2, List.of(1, 1439), 1, List.of(0, 1440), 1));
        assertThat(IntStream.range(0, r.functions().size()).mapToLong(r::totalInvocations).toArray()).containsExactly(3, 1, 0, 0, 0);
    }

    @Test
    void windowInsideOneDayReadsOnlyThatDay(@TempDir Path dir) throws IOException {
        Path day1 = Files.copy(Fixtures.path(Fixtures.DAY1), dir.resolve(Fixtures.DAY1));
        Path garbage = Fixtures.write(dir, Fixtures.DAY2, List.of("not a trace"));
        AzureTraceReader r = AzureTraceReader.builder(day1, garbage).window(0, 9).build();
        assertThat(Fixtures.all(r)).hasSize(4);
    }

    @Test
    void selectsByPredicateTotalAndLimit() {
        assertThat(twoDays().select(f -> f.trigger().equals("http")).build().functions())
                .extracting(TraceFunction::function).containsExactly("f1", "f5");
        assertThat(twoDays().totalInvocationsBetween(20, 200).build().functions())
                .extracting(TraceFunction::function).containsExactly("f2", "f3");
        AzureTraceReader one = twoDays().totalInvocationsBetween(20, 200).limit(1).build();
        assertThat(one.functions()).extracting(TraceFunction::function).containsExactly("f2");
        List<Invocation> all = Fixtures.all(one);
        assertThat(all).hasSize(48).allSatisfy(i -> assertThat(i.function()).isZero());
    }

    @Test
    void selectedIndexesFollowTheSelectionNotTheFile() {
        AzureTraceReader r = twoDays().select(f -> f.function().equals("f3")).build();
        List<Invocation> all = Fixtures.all(r);
        assertThat(Fixtures.perMinute(all, 0)).isEqualTo(Map.of(List.of(0, 9), 100, List.of(0, 2879), 5));
    }

    @Test
    void streamsOneDayAtATime(@TempDir Path dir) throws IOException {
        Path d1 = Files.copy(Fixtures.path(Fixtures.DAY1), dir.resolve(Fixtures.DAY1));
        Path d2 = Files.copy(Fixtures.path(Fixtures.DAY2), dir.resolve(Fixtures.DAY2));
        AzureTraceReader r = AzureTraceReader.builder(d1, d2).build();
        Files.delete(d2);
        Iterator<Invocation> it = r.invocations().iterator();
        int dayZero = 0;
        while (dayZero < 130) {
            assertThat(it.next().timeMs()).isLessThan(DAY_MS);
            dayZero++;
        }
        assertThatThrownBy(it::hasNext).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(d2.toString());
    }

    @Test
    void streamsMillionsFromOneDayHoldingOneMinuteAtATime(@TempDir Path dir) {
        Map<Integer, Integer> busy = new HashMap<>();
        for (int m = 1; m <= 1440; m++) {
            busy.put(m, 1000 + m % 7);
        }
        List<String> lines = new java.util.ArrayList<>(List.of(Fixtures.header()));
        for (int f = 0; f < 3; f++) {
            lines.add(Fixtures.row("o", "a", "f" + f, "queue", busy));
        }
        AzureTraceReader r = AzureTraceReader.builder(Fixtures.write(dir, "busy.csv", lines)).seed(9).build();
        long perFunction = busy.values().stream().mapToLong(Integer::longValue).sum();
        long[] counts = new long[3];
        long[] last = {0};
        try (var s = r.invocations()) {
            s.forEach(i -> {
                assertThat(i.timeMs()).isGreaterThanOrEqualTo(last[0]);
                last[0] = i.timeMs();
                counts[i.function()]++;
            });
        }
        assertThat(perFunction * 3).isGreaterThan(4_000_000);
        assertThat(counts).containsExactly(perFunction, perFunction, perFunction);
    }

    @Test
    void invocationsMayBeStreamedOnce() {
        AzureTraceReader r = twoDays().build();
        r.invocations().close();
        assertThatThrownBy(r::invocations).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderRejectsASettingTwiceAndBadValues() {
        assertThatThrownBy(() -> twoDays().seed(1).seed(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("seed");
        assertThatThrownBy(() -> twoDays().limit(1).limit(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> twoDays().window(0, 2881)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> twoDays().window(5, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> twoDays().totalInvocationsBetween(5, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> twoDays().limit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AzureTraceReader.builder(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
