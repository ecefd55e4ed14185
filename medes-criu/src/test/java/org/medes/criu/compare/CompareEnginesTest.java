package org.medes.criu.compare;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.medes.core.engine.SyntheticSandboxes;
import org.medes.core.page.Mapping;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every engine's round trip on synthetic sandboxes (xdelta3's when the program is installed), and the runner. */
class CompareEnginesTest {
    private static ComparePair pair;

    @BeforeAll
    static void pair() {
        pair = ComparePair.of(SyntheticSandboxes.instance("base", 7, 1, 0.0, false),
                SyntheticSandboxes.instance("target", 7, 2, 0.02, true));
    }

    @AfterAll
    static void close() {
        pair.close();
    }

    static List<String> engineNames() {
        return Compare.ENGINE_NAMES;
    }

    private static CompareEngine engine(String name) {
        List<CompareEngine> all = Compare.engines(1);
        CompareEngine e = all.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        all.stream().filter(x -> x != e).forEach(CompareEngine::close);
        return e;
    }

    @ParameterizedTest
    @MethodSource("engineNames")
    void roundTripRebuildsEveryPage(String name) throws IOException {
        try (CompareEngine engine = engine(name)) {
            if (name.equals(Xdelta3Engine.NAME) && engine.unavailabilityCause() != null) {
                System.out.println("xdelta3 round trip not run: " + engine.unavailabilityCause());
                return;
            }
            assertThat(engine.unavailabilityCause()).isNull();
            try (CompareEngine.Encoded encoded = engine.encode(pair);
                 DecodedPages decoded = engine.decode(pair, encoded)) {
                assertThat(decoded.pageCount()).isEqualTo(pair.target().pageCount());
                assertThat(pair.firstDifferentTargetPage(decoded)).isEqualTo(-1);
                assertThat(engine.verify(pair, decoded)).isTrue();
                // ksm finds no identical page here (every pointer moved): 5 B more per page than raw
                assertThat(encoded.storedBytes()).as("%s stores at most the raw pages and its per-page headers", name)
                        .isPositive().isLessThanOrEqualTo(pair.rawBytes() + 5L * pair.target().pageCount());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engineNames")
    void roundTripOfAnEmptyBaseAndOfRandomZeroAndRepeatedPages(String name) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        byte[] random = new byte[PageSize.BYTES];
        r.nextBytes(random);
        SandboxImage.Builder t = SandboxImage.builder("t");
        t.addMapping(Mapping.anonymous(0x10000, 8 * PageSize.BYTES));
        t.addPage(0x10000, random, 0);
        t.addPage(0x11000, new byte[PageSize.BYTES], 0);
        t.addPage(0x12000, random, 0);
        t.addPage(0x13000, new byte[PageSize.BYTES], 0);
        SandboxImage.Builder b = SandboxImage.builder("b");
        b.addMapping(Mapping.anonymous(0x20000, PageSize.BYTES));
        b.addPage(0x20000, new byte[PageSize.BYTES], 0);
        try (ComparePair small = ComparePair.of(b.build(), t.build()); CompareEngine engine = engine(name)) {
            if (engine.unavailabilityCause() != null) {
                return;
            }
            try (CompareEngine.Encoded encoded = engine.encode(small);
                 DecodedPages decoded = engine.decode(small, encoded)) {
                assertThat(small.firstDifferentTargetPage(decoded)).isEqualTo(-1);
            }
        }
    }

    @Test
    void ksmMergesIdenticalPagesAndStoresTheRestRaw() throws IOException {
        try (CompareEngine ksm = engine(KsmEngine.NAME); CompareEngine.Encoded e = ksm.encode(pair)) {
            long merged = pair.target().pageCount() - (e.storedBytes() - 5L * pair.target().pageCount()) / 4092;
            Map<Long, Boolean> seen = new HashMap<>();
            byte[] page = new byte[PageSize.BYTES];
            for (int p = 0; p < pair.base().pageCount(); p++) {
                pair.base().copyPage(p, page, 0);
                seen.put(KsmEngine.hash(page, 0), true);
            }
            int expected = 0;
            for (int p = 0; p < pair.target().pageCount(); p++) {
                pair.target().copyPage(p, page, 0);
                if (seen.put(KsmEngine.hash(page, 0), true) != null) {
                    expected++;
                }
            }
            assertThat(e.storedBytes()).isEqualTo(5L * pair.target().pageCount() + 4092L * (pair.target().pageCount() - expected));
            assertThat(merged).isEqualTo(expected);
        }
    }

    @Test
    void corruptStoredBytesFailToDecodeWithTheOffset() throws IOException {
        try (CompareEngine lz4 = engine(Lz4PageEngine.NAME)) {
            CompareEngine.StoredBytes s = (CompareEngine.StoredBytes) lz4.encode(pair);
            CompareEngine.StoredBytes cut = new CompareEngine.StoredBytes(s.bytes(), s.length() - 1);
            assertThatThrownBy(() -> lz4.decode(pair, cut)).isInstanceOf(IOException.class).hasMessageContaining("lz4")
                    .hasMessageContaining("offset");
        }
        try (CompareEngine paper = engine(PaperMedesEngine.NAME)) {
            CompareEngine.StoredBytes s = (CompareEngine.StoredBytes) paper.encode(pair);
            byte[] bad = s.bytes().clone();
            bad[0] = 9;
            assertThatThrownBy(() -> paper.decode(pair, new CompareEngine.StoredBytes(bad, s.length())))
                    .isInstanceOf(IOException.class).hasMessageContaining("unknown kind 9");
        }
    }

    @Test
    void runnerReportsEveryEngineAndJsonFollowsTheContract() throws IOException {
        List<CompareEngine> engines = Compare.engines(2);
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        CompareReport report;
        try {
            report = Compare.run(pair, engines, new PrintStream(notes, true, StandardCharsets.UTF_8));
        } finally {
            engines.forEach(CompareEngine::close);
        }
        assertThat(report.allVerified()).as(notes.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(report.rawBytes()).isEqualTo(pair.rawBytes());
        List<String> ran = report.results().stream().map(CompareResult::engine).toList();
        assertThat(ran).startsWith("medes", "medes-paper", "ksm", "lz4", "zstd", "zstd-patch-from");
        Map<String, CompareResult> by = new HashMap<>();
        report.results().forEach(r -> by.put(r.engine(), r));
        assertThat(by.get("medes").saved()).isGreaterThan(by.get("lz4").saved()).isGreaterThan(by.get("ksm").saved());
        assertThat(by.get("zstd-patch-from").saved()).isGreaterThan(by.get("zstd").saved());
        for (CompareResult r : report.results()) {
            assertThat(r.saved()).isEqualTo(1 - (double) r.storedBytes() / pair.rawBytes());
            assertThat(r.dedupMbS()).isPositive();
            assertThat(r.restoreMbS()).isPositive();
        }
        String json = report.toJson();
        assertThat(json).startsWith("{\"raw_bytes\":" + pair.rawBytes() + ",\"results\":[{\"engine\":\"medes\","
                + "\"stored_bytes\":" + by.get("medes").storedBytes() + ",\"saved\":").endsWith("}]}")
                .containsPattern("\\{\"engine\":\"lz4\",\"stored_bytes\":\\d+,\"saved\":0\\.\\d{4},\"dedup_mb_s\":[0-9]+\\.\\d,"
                        + "\"restore_mb_s\":[0-9]+\\.\\d,\"verified\":true}");
        assertThat(report.toTable()).contains("medes-paper").contains("zstd-patch-from").contains("verified");
    }

    @Test
    void aWrongPageOrAFailedDecodeIsReportedNotVerified() throws IOException {
        CompareEngine wrongPage = new Fake("wrong-page", false);
        CompareEngine failing = new Fake("failing", true);
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        CompareReport report = Compare.run(pair, List.of(wrongPage, failing, new KsmEngine()),
                new PrintStream(notes, true, StandardCharsets.UTF_8));
        assertThat(report.results()).extracting(CompareResult::verified).containsExactly(false, false, true);
        assertThat(report.allVerified()).isFalse();
        assertThat(report.toJson()).contains("\"engine\":\"wrong-page\"").contains("\"verified\":false");
        assertThat(notes.toString(StandardCharsets.UTF_8))
                .contains("wrong-page not verified: warm-up: page 3 (address 0x")
                .contains("failing not verified: warm-up: decode failed: java.io.IOException: bad");
    }

    @Test
    void anUnavailableEngineIsLeftOutWithItsReason() throws IOException {
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        CompareReport report = Compare.run(pair, List.of(new Xdelta3Engine("/nonexistent/xdelta3"), new ZstdEngine()),
                new PrintStream(notes, true, StandardCharsets.UTF_8));
        assertThat(report.results()).extracting(CompareResult::engine).containsExactly("zstd");
        assertThat(notes.toString(StandardCharsets.UTF_8)).contains("compare: xdelta3 left out: the program "
                + "'/nonexistent/xdelta3' does not run");
    }

    @Test
    void severalRunsAreEachVerifiedAndTheFirstBadOneIsNamed() throws IOException {
        Flaky flaky = new Flaky(3); // the warm-up and runs 1 and 2 decode right, run 3 does not
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        CompareReport report = Compare.run(pair, List.of(flaky, new KsmEngine()), 4,
                new PrintStream(notes, true, StandardCharsets.UTF_8));
        assertThat(flaky.decodes).isEqualTo(5);
        assertThat(report.results()).extracting(CompareResult::verified).containsExactly(false, true);
        assertThat(notes.toString(StandardCharsets.UTF_8)).contains("flaky not verified: run 3: page 3 (address 0x");
        assertThat(report.results().get(1).dedupMbS()).isPositive();
        assertThatThrownBy(() -> Compare.run(pair, List.of(new KsmEngine()), 0, System.err))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runs must be at least 1");
    }

    @Test
    void aTimedWarmUpRunsRoundTripsUntilItsTimeIsUpAndAWrongOneIsNamed() throws IOException {
        Flaky right = new Flaky(-1);
        long t0 = System.nanoTime();
        CompareReport report = Compare.run(pair, List.of(right), 2, java.time.Duration.ofMillis(300), System.err);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(right.decodes).isGreaterThan(3); // warm-up round trips beyond the first, then the two runs
        assertThat(report.results().get(0).verified()).isTrue();

        Flaky wrongInWarmUp = new Flaky(2);
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        report = Compare.run(pair, List.of(wrongInWarmUp), 1, java.time.Duration.ofSeconds(30),
                new PrintStream(notes, true, StandardCharsets.UTF_8));
        assertThat(wrongInWarmUp.decodes).isEqualTo(4); // the warm-up stops at its wrong page; the run still runs
        assertThat(report.results().get(0).verified()).isFalse();
        assertThat(notes.toString(StandardCharsets.UTF_8)).contains("flaky not verified: warm-up: page 3 (address 0x");
        assertThatThrownBy(() -> Compare.run(pair, List.of(new KsmEngine()), 1, java.time.Duration.ofSeconds(-1), System.err))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("warm-up must not be negative");
    }

    @Test
    void medesRestoresIntoMemoryItKeepsAndRefusesToReuseItWhileItsPagesAreOpen() throws IOException {
        try (CompareEngine medes = engine(MedesEngine.NAME);
             ComparePair small = ComparePair.of(SyntheticSandboxes.instance("b", 3, 1, 0.0, false),
                     SyntheticSandboxes.instance("t", 3, 2, 0.02, true));
             CompareEngine.Encoded bigEncoded = medes.encode(pair);
             CompareEngine.Encoded smallEncoded = medes.encode(small)) {
            byte[] page = new byte[PageSize.BYTES];
            for (int round = 0; round < 2; round++) { // small, big (the kept memory grows), small again in it
                for (ComparePair p : round == 0 ? List.of(small, pair) : List.of(small)) {
                    try (DecodedPages d = medes.decode(p, p == pair ? bigEncoded : smallEncoded)) {
                        assertThat(p.firstDifferentTargetPage(d)).isEqualTo(-1);
                        assertThatThrownBy(() -> medes.decode(p, smallEncoded))
                                .isInstanceOf(IllegalStateException.class).hasMessageContaining("still open");
                        d.close();
                        assertThatThrownBy(() -> d.copyPage(0, page, 0))
                                .isInstanceOf(IllegalStateException.class).hasMessageContaining("after close");
                    }
                }
            }
        }
    }

    @Test
    void medesAtEachZstdLevelRoundTripsAndAHigherLevelStoresNoMoreThanLevelOne() throws IOException {
        Map<Integer, Long> stored = new HashMap<>();
        for (int level : new int[] {0, 1, 6}) {
            List<CompareEngine> all = Compare.engines(1, level);
            try (CompareEngine medes = all.get(0);
                 CompareEngine.Encoded encoded = medes.encode(pair);
                 DecodedPages decoded = medes.decode(pair, encoded)) {
                assertThat(medes.name()).isEqualTo(MedesEngine.NAME);
                assertThat(pair.firstDifferentTargetPage(decoded)).as("level %d", level).isEqualTo(-1);
                stored.put(level, encoded.storedBytes());
            } finally {
                all.subList(1, all.size()).forEach(CompareEngine::close);
            }
        }
        // level 0 stores each page alone (LZ4); the levels' images differ, so the option reaches the engine
        assertThat(stored.get(0)).isNotEqualTo(stored.get(1));
        assertThat(stored.get(6)).isLessThanOrEqualTo(stored.get(1));
        assertThatThrownBy(() -> Compare.engines(1, 23)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("23");
    }

    /** Decodes the target right, except on decode number {@code wrongAt} (0 = the warm-up), where page 3 differs. */
    private static final class Flaky implements CompareEngine {
        final int wrongAt;
        int decodes;

        Flaky(int wrongAt) {
            this.wrongAt = wrongAt;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public Encoded encode(ComparePair p) {
            return new StoredBytes(new byte[1], 1);
        }

        @Override
        public DecodedPages decode(ComparePair p, Encoded encoded) {
            return decodes++ == wrongAt ? withPage3Changed(p) : DecodedPages.of(p.targetPages().clone());
        }

        @Override
        public void close() {
        }
    }

    /** Decodes the target with page 3 changed, or fails to decode. */
    private record Fake(String name, boolean fail) implements CompareEngine {
        @Override
        public Encoded encode(ComparePair p) {
            return new StoredBytes(new byte[1], 1);
        }

        @Override
        public DecodedPages decode(ComparePair p, Encoded encoded) throws IOException {
            if (fail) {
                throw new IOException("bad");
            }
            return withPage3Changed(p);
        }
    }

    /** The target's pages with one bit of page 3 flipped. */
    private static DecodedPages withPage3Changed(ComparePair p) {
        byte[] data = p.targetPages().clone();
        data[3 * PageSize.BYTES + 17] ^= 1;
        return DecodedPages.of(data);
    }
}
