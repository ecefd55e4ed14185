package org.medes.policy.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class TracePropertiesTest {

    /** One non-zero cell: function 0..3, absolute minute over two days, count; rows may repeat a function. */
    record Cell(int function, int minute, int count) {
    }

    @Provide
    Arbitrary<List<Cell>> cells() {
        return Combinators.combine(Arbitraries.integers().between(0, 3),
                        Arbitraries.oneOf(Arbitraries.integers().between(0, 2879),
                                Arbitraries.of(0, 1439, 1440, 2879)),
                        Arbitraries.integers().between(1, 300))
                .as(Cell::new).list().ofMaxSize(30);
    }

    @Property(tries = 40)
    void readerReproducesEveryCountInTimeOrder(@ForAll("cells") List<Cell> cells, @ForAll long seed,
                                                @ForAll AzureTraceReader.Spreading spreading) throws IOException {
        Path dir = Files.createTempDirectory("trace-property");
        try {
            List<Path> days = new ArrayList<>();
            Map<List<Integer>, Integer> expected = new HashMap<>();
            for (int day = 0; day < 2; day++) {
                List<String> lines = new ArrayList<>(List.of(Fixtures.header()));
                for (int f = 0; f < 4; f++) {
                    lines.add(Fixtures.row("o", "a" + f, "f" + f, "http", Map.of()));
                }
                // every cell is a row of its own, so one function may have several rows a day (summed)
                for (Cell c : cells) {
                    if (c.minute() / 1440 == day) {
                        lines.add(Fixtures.row("o", "a" + c.function(), "f" + c.function(), "http",
                                Map.of(c.minute() % 1440 + 1, c.count())));
                        expected.merge(List.of(c.function(), c.minute()), c.count(), Integer::sum);
                    }
                }
                days.add(Fixtures.write(dir, "d" + day + ".csv", lines));
            }
            AzureTraceReader r = AzureTraceReader.builder(days).seed(seed).spreading(spreading).build();
            List<Invocation> all = Fixtures.all(r);
            assertThat(all).isSortedAccordingTo(Comparator.comparingLong(Invocation::timeMs));
            assertThat(Fixtures.perMinute(all, 0)).isEqualTo(expected);
            assertThat(r.totalInvocations()).isEqualTo(all.size());
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Property(tries = 20)
    void syntheticIsOrderedAndDeterministicForAnySeed(@ForAll long seed,
                                                      @ForAll @LongRange(min = 1, max = 5) long hours) {
        SyntheticTrace.Builder b = SyntheticTrace.builder().seed(seed).functions(60).duration(Duration.ofHours(hours));
        List<Invocation> a = b.build().invocations().limit(20_000).toList();
        List<Invocation> again = SyntheticTrace.builder().seed(seed).functions(60).duration(Duration.ofHours(hours))
                .build().invocations().limit(20_000).toList();
        assertThat(again).isEqualTo(a);
        assertThat(a).isSortedAccordingTo(Comparator.comparingLong(Invocation::timeMs)
                .thenComparingInt(Invocation::function));
        assertThat(a).allSatisfy(i -> assertThat(i.timeMs()).isBetween(0L, hours * 3_600_000 - 1));
    }
}
