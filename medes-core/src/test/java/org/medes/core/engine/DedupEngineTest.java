package org.medes.core.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medes.core.base.BaseInUseException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.base.BasePageSource;
import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.image.DedupImage;
import org.medes.core.image.DedupImageFormat;
import org.medes.core.image.DedupImageFormatException;
import org.medes.core.image.PageKind;
import org.medes.core.page.PageLayout;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.core.patch.PointerMarks;
import org.medes.core.registry.FingerprintRegistry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupEngineTest {
    FingerprintRegistry registry;
    BaseSandboxes bases;
    int base;

    @BeforeEach
    void setUp() {
        registry = TestRegistries.newRegistry();
        bases = BaseSandboxes.builder().registry(registry).build();
        base = bases.addBase("fn", SyntheticSandboxes.instance("base", 42, 1, 0, false));
    }

    @AfterEach
    void tearDown() {
        bases.close();
        registry.close();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void restoreGivesBackEveryPageWhateverTheThreadCount(int threads) throws Exception {
        try (DedupEngine engine = DedupEngine.builder().threads(threads).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases);
             SandboxImage back = engine.restore(d, bases)) {
            assertThat(back.mappings()).isEqualTo(target.mappings());
            assertThat(back.firstDifferentPage(target)).isEqualTo(-1);
            assertThat(back.contentEquals(target)).isTrue();
        }
    }

    @Test
    void outputBytesDoNotDependOnTheThreadCount() throws Exception {
        byte[] one;
        byte[] three;
        try (DedupEngine engine = DedupEngine.builder().threads(1).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases)) {
            one = d.toByteArray();
        }
        try (DedupEngine engine = DedupEngine.builder().threads(3).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases)) {
            three = d.toByteArray();
        }
        assertThat(three).isEqualTo(one);
    }

    @Test
    void pointerMarksMakeTheSameImageAndAreUsedBothWays() throws Exception {
        SandboxImage baseImage = (SandboxImage) bases.layout(base);
        SandboxImage.Builder zb = SandboxImage.builder("zeros");
        baseImage.mappings().forEach(zb::addMapping);
        for (int p = 0; p < baseImage.pageCount(); p++) {
            zb.addPage(baseImage.pageVaddr(p), new byte[PageSize.BYTES], 0);
        }
        PointerMarks none;
        try (SandboxImage zeros = zb.build()) {
            none = PointerMarks.of(zeros); // marks no word, yet covers what the real marks cover
        }
        try (DedupEngine engine = DedupEngine.builder().threads(2).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage marked = engine.dedup(target, registry, bases);
             DedupImage unmarked = engine.dedup(target, registry, new Marked(bases, null));
             DedupImage wronglyMarked = engine.dedup(target, registry, new Marked(bases, none))) {
            assertThat(bases.pointerMarks(base).pageCount()).isEqualTo(baseImage.pageCount());
            assertThat(marked.toByteArray()).isEqualTo(unmarked.toByteArray());
            try (SandboxImage back = engine.restore(marked, new Marked(bases, null))) {
                assertThat(back.contentEquals(target)).isTrue();
            }
            // marks that leave the pointers out change what the encoder predicts...
            assertThat(wronglyMarked.toByteArray()).isNotEqualTo(marked.toByteArray());
            // ...and the decoder: a restore with other marks than the encode's fails on a page checksum
            assertThatThrownBy(() -> engine.restore(wronglyMarked, bases)).isInstanceOf(PageRestoreException.class);
            assertThatThrownBy(() -> engine.restore(marked, new Marked(bases, none))).isInstanceOf(PageRestoreException.class);
        }
    }

    @Test
    void pointerShiftedInstanceIsMostlyPatchedAndSmall() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.0, false);
             DedupImage d = engine.dedup(target, registry, bases)) {
            Map<PageKind, Integer> kinds = d.kindCounts();
            assertThat(kinds.get(PageKind.LZ4) + kinds.get(PageKind.RAW)).isLessThan(d.pageCount() / 10);
            assertThat(d.savedFraction()).isGreaterThan(0.9);
            assertThat(d.bases()).hasSize(1);
            assertThat(d.bases().get(0).base()).isEqualTo(base);
            assertThat(bases.holders(base)).containsExactly("target");
        }
    }

    @Test
    void imageWithoutAnyBaseIsStillRestored() throws Exception {
        try (FingerprintRegistry empty = TestRegistries.newRegistry();
             BaseSandboxes none = BaseSandboxes.builder().registry(empty).build();
             DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SyntheticSandboxes.instance("lonely", 7, 3, 0.01, true);
             DedupImage d = engine.dedup(target, empty, none);
             SandboxImage back = engine.restore(d, none)) {
            assertThat(d.bases()).isEmpty();
            assertThat(d.kindCounts().get(PageKind.PATCH)).isZero();
            assertThat(back.contentEquals(target)).isTrue();
        }
    }

    @Test
    void restoreIntoCallerMemoryWritesEveryPageIncludingZeroPages() throws Exception {
        SandboxImage.Builder b = SandboxImage.builder("with-zeros");
        long start = 0x7f10_0000_0000L;
        b.addMapping(org.medes.core.page.Mapping.anonymous(start, 6L * PageSize.BYTES));
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int p = 0; p < 6; p++) {
            byte[] page = new byte[PageSize.BYTES];
            if (p >= 3) {
                r.nextBytes(page);
            }
            b.addPage(start + (long) p * PageSize.BYTES, page, 0);
        }
        try (DedupEngine engine = DedupEngine.builder().threads(2).build();
             SandboxImage patched = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             SandboxImage withZeros = b.build()) {
            for (SandboxImage target : List.of(patched, withZeros)) {
                try (DedupImage d = engine.dedup(target, registry, bases)) {
                    assertThat(d.kindCounts().get(PageKind.PATCH) + d.kindCounts().get(PageKind.ZERO)).isPositive();
                    assertRestoredInto(engine, d, target);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void restoreIntoReportsEveryBlockOnceWithItsPagesAlreadyInPlace(int threads) throws Exception {
        try (DedupEngine engine = DedupEngine.builder().threads(threads).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 4, 0.02, true, 3)) {
            bases.addBase("fn3", SyntheticSandboxes.instance("base3", 42, 1, 0, false, 3));
            try (DedupImage d = engine.dedup(target, registry, bases)) {
                assertThat(d.blockCount()).isGreaterThan(1);
                long bytes = (long) d.pageCount() * PageSize.BYTES;
                net.openhft.chronicle.bytes.BytesStore<?, Void> memory =
                        net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(bytes);
                try {
                    long a = memory.addressForRead(0);
                    int[] reported = new int[d.pageCount()];
                    List<String> wrong = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                    engine.restoreInto(d, bases, a, (from, to) -> {
                        byte[] got = new byte[PageSize.BYTES];
                        byte[] want = new byte[PageSize.BYTES];
                        for (int p = from; p < to; p++) {
                            synchronized (reported) {
                                reported[p]++;
                            }
                            org.medes.core.page.OffHeap.copyToArray(a + (long) p * PageSize.BYTES, got, 0, PageSize.BYTES);
                            target.copyPage(p, want, 0);
                            if (!java.util.Arrays.equals(got, want)) {
                                wrong.add("page " + p);
                            }
                        }
                    });
                    assertThat(wrong).isEmpty();
                    assertThat(reported).containsOnly(1);
                } finally {
                    memory.releaseLast();
                }
            }
        }
    }

    @Test
    void restoreIntoNeverReportsTheBlockOfAPageThatFailed() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().threads(2).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 4, 0.02, true, 3)) {
            bases.addBase("fn3", SyntheticSandboxes.instance("base3", 42, 1, 0, false, 3));
            try (DedupImage d = engine.dedup(target, registry, bases)) {
                int bad = firstPageOfKind(d, PageKind.PATCH);
                int blk = d.blockOf(bad);
                BasePageSource tampered = new Tampered(bases, d.bases().get(d.baseIndex(bad)).base(), d.basePage(bad));
                net.openhft.chronicle.bytes.BytesStore<?, Void> memory = net.openhft.chronicle.bytes.BytesStore
                        .nativeStoreWithFixedCapacity((long) d.pageCount() * PageSize.BYTES);
                try {
                    java.util.Set<Integer> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
                    assertThatThrownBy(() -> engine.restoreInto(d, tampered, memory.addressForRead(0),
                            (from, to) -> reported.add(from)))
                            .isInstanceOf(PageRestoreException.class).hasMessageContaining("changed since the dedup");
                    assertThat(reported).doesNotContain(d.blockFirstPage(blk));
                } finally {
                    memory.releaseLast();
                }
            }
        }
    }

    @Test
    void baseSandboxesReadPagesToNativeMemoryAndRefuseWhatTheyDoNotHold() throws Exception {
        byte[] want = new byte[PageSize.BYTES];
        byte[] got = new byte[PageSize.BYTES];
        net.openhft.chronicle.bytes.BytesStore<?, Void> memory =
                net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(PageSize.BYTES);
        try {
            long a = memory.addressForWrite(0);
            for (int p : new int[] {0, 7, 100}) {
                bases.readPage(base, p, want, 0);
                bases.readPageTo(base, p, a, new byte[PageSize.BYTES]);
                org.medes.core.page.OffHeap.copyToArray(a, got, 0, PageSize.BYTES);
                assertThat(got).as("page %d", p).isEqualTo(want);
            }
            assertThatThrownBy(() -> bases.readPageTo(base, 1 << 20, a, got))
                    .isInstanceOf(BasePageUnavailableException.class).hasMessageContaining("no such page");
            assertThatThrownBy(() -> bases.readPageTo(base + 99, 0, a, got))
                    .isInstanceOf(BasePageUnavailableException.class).hasMessageContaining("unknown or retired base");
        } finally {
            memory.releaseLast();
        }
    }

    /** Restores {@code d} into native memory first filled with a non-zero pattern and compares every page. */
    @Test
    void shuffledPagesAreStoredByBytePlaceAcrossTheirBlockAndComeBackExactly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // 600 pages, no base: every third an array of small whole doubles, the others random or zero
        try (FingerprintRegistry empty = TestRegistries.newRegistry();
             BaseSandboxes none = BaseSandboxes.builder().registry(empty).build();
             DedupEngine engine = DedupEngine.builder().threads(2).build();
             SandboxImage target = SyntheticSandboxes.numbers("numbers", 600, 13);
             DedupImage d = engine.dedup(target, empty, none)) {
            assertThat(d.kindCounts().get(PageKind.SHUFFLED)).isEqualTo(200);
            assertThat(d.kindCounts().get(PageKind.RAW)).isEqualTo(200);
            // in every block the SHUFFLED pages come after the others, one byte place of each after another
            for (int blk = 0; blk < d.blockCount(); blk++) {
                int shuffled = 0;
                for (int p = d.blockFirstPage(blk); p < d.blockFirstPage(blk + 1); p++) {
                    shuffled += d.kind(p) == PageKind.SHUFFLED ? 1 : 0;
                }
                assertThat(d.shuffledPlaceStride(blk)).isEqualTo(512 * shuffled);
                assertThat(shuffled).isGreaterThan(1);
            }
            try (SandboxImage back = engine.restore(d, none)) {
                assertThat(back.contentEquals(target)).isTrue();
            }
            java.nio.file.Path file = dir.resolve("numbers.medes");
            d.writeTo(file);
            try (DedupImage read = DedupImage.read(file);
                 SandboxImage back = engine.restore(read, none)) {
                assertThat(back.contentEquals(target)).isTrue();
            }
        }
    }

    private void assertRestoredInto(DedupEngine engine, DedupImage d, SandboxImage target) throws Exception {
        long bytes = (long) d.pageCount() * PageSize.BYTES;
        net.openhft.chronicle.bytes.BytesStore<?, Void> memory =
                net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(bytes);
        try {
            long a = memory.addressForRead(0);
            for (long i = 0; i < bytes; i += 8) {
                org.medes.core.page.OffHeap.putLong(a + i, 0xA5A5_A5A5_A5A5_A5A5L); // zero pages must be written
            }
            engine.restoreInto(d, bases, a);
            byte[] got = new byte[PageSize.BYTES];
            byte[] want = new byte[PageSize.BYTES];
            for (int p = 0; p < d.pageCount(); p++) {
                org.medes.core.page.OffHeap.copyToArray(a + (long) p * PageSize.BYTES, got, 0, PageSize.BYTES);
                target.copyPage(p, want, 0);
                assertThat(got).as("%s page %d", d.kind(p), p).isEqualTo(want);
            }
        } finally {
            memory.releaseLast();
        }
    }

    @Test
    void fileRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases)) {
            java.nio.file.Path f = dir.resolve("t.medes");
            d.writeTo(f);
            try (DedupImage read = DedupImage.read(f); SandboxImage back = engine.restore(read, bases)) {
                assertThat(read.toByteArray()).isEqualTo(d.toByteArray());
                assertThat(back.contentEquals(target)).isTrue();
            }
        }
    }

    @Test
    void heldBaseCannotBeRetiredAndTheErrorNamesTheHolders() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage t1 = SyntheticSandboxes.instance("sandbox-1", 42, 2, 0.01, false);
             SandboxImage t2 = SyntheticSandboxes.instance("sandbox-2", 42, 3, 0.01, false);
             DedupImage d1 = engine.dedup(t1, registry, bases);
             DedupImage d2 = engine.dedup(t2, registry, bases)) {
            assertThat(bases.referenceCount(base)).isEqualTo(2);
            assertThatThrownBy(() -> bases.retire(base)).isInstanceOf(BaseInUseException.class)
                    .hasMessageContaining("sandbox-1").hasMessageContaining("sandbox-2");
            assertThat(bases.release("sandbox-1")).isTrue();
            assertThatThrownBy(() -> bases.retire(base)).isInstanceOf(BaseInUseException.class)
                    .hasMessageContaining("sandbox-2").hasMessageNotContaining("sandbox-1");
            bases.release("sandbox-2");
            bases.retire(base);
            assertThat(registry.isRegistered(base)).isFalse();
            // the dedup image now misses its base: restore refuses, naming page and base
            assertThatThrownBy(() -> engine.restore(d1, bases)).isInstanceOf(PageRestoreException.class)
                    .hasMessageContaining("sandbox-1").hasMessageContaining("base " + base).hasMessageContaining("missing");
        }
    }

    @Test
    void designationRuleAsksForANewBaseAboveThreshold() throws Exception {
        try (FingerprintRegistry r = TestRegistries.newRegistry();
             BaseSandboxes small = BaseSandboxes.builder().registry(r)
                     .designation(new org.medes.core.base.BaseDesignation(2)).build();
             DedupEngine engine = DedupEngine.builder().build()) {
            assertThat(small.needsNewBase("fn")).isFalse(); // nothing to dedup yet
            small.addBase("fn", SyntheticSandboxes.instance("b", 42, 1, 0, false));
            for (int i = 0; i < 3; i++) {
                try (SandboxImage t = SyntheticSandboxes.instance("t" + i, 42, 10 + i, 0.01, false);
                     DedupImage d = engine.dedup(t, r, small)) {
                    assertThat(small.needsNewBase("fn")).isEqualTo(i + 1 > 2);
                }
            }
            assertThat(small.dedupCount("fn")).isEqualTo(3);
        }
    }

    /** Content that slid by whole pages inside a mapping is still found (no fingerprint can: its chunks all end in zeros). */
    @Test
    void contentSlidByWholePagesFindsItsBasePages() throws Exception {
        int pages = 64;
        int slide = 3;
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        byte[][] content = new byte[pages + slide][];
        for (int i = 0; i < content.length; i++) {
            content[i] = unsampledPage(r);
        }
        byte[] anchor = new byte[PageSize.BYTES];
        r.nextBytes(anchor); // a page fingerprints can find, so the base becomes the primary one
        long bStart = 0x7f10_0000_0000L;
        long tStart = 0x7f20_0000_0000L;
        SandboxImage.Builder bb = SandboxImage.builder("slid-base");
        bb.addMapping(org.medes.core.page.Mapping.anonymous(bStart - PageSize.BYTES, PageSize.BYTES));
        bb.addPage(bStart - PageSize.BYTES, anchor, 0);
        bb.addMapping(org.medes.core.page.Mapping.anonymous(bStart, (long) (pages + slide) * PageSize.BYTES));
        for (int i = 0; i < pages; i++) {
            bb.addPage(bStart + (long) i * PageSize.BYTES, content[i], 0);
        }
        SandboxImage.Builder tb = SandboxImage.builder("slid");
        tb.addMapping(org.medes.core.page.Mapping.anonymous(tStart - PageSize.BYTES, PageSize.BYTES));
        tb.addPage(tStart - PageSize.BYTES, anchor, 0);
        tb.addMapping(org.medes.core.page.Mapping.anonymous(tStart, (long) (pages + slide) * PageSize.BYTES));
        for (int i = 0; i < pages; i++) { // the same pages, three pages further in
            tb.addPage(tStart + (long) (i + slide) * PageSize.BYTES, content[i], 0);
        }
        assertSameAsBase(bb, tb, pages + 1);
    }

    /** Anonymous mappings placed in another order (as V8 places its heap pages) are paired by content. */
    @Test
    void shuffledAnonymousMappingsArePairedByContent() throws Exception {
        int mappings = 6;
        int pages = 8;
        java.util.SplittableRandom r = new java.util.SplittableRandom(21);
        byte[][][] content = new byte[mappings][pages][];
        for (byte[][] m : content) {
            for (int i = 0; i < pages; i++) {
                m[i] = unsampledPage(r);
            }
        }
        byte[] anchor = new byte[PageSize.BYTES];
        r.nextBytes(anchor);
        int[] order = {3, 0, 5, 1, 4, 2}; // where each mapping sits in the target
        SandboxImage.Builder bb = SandboxImage.builder("v8-base");
        SandboxImage.Builder tb = SandboxImage.builder("v8");
        long bStart = 0x1000_0000_0000L;
        long tStart = 0x2000_0000_0000L;
        long span = 0x100_0000L;
        bb.addMapping(org.medes.core.page.Mapping.anonymous(bStart - span, PageSize.BYTES));
        bb.addPage(bStart - span, anchor, 0);
        tb.addMapping(org.medes.core.page.Mapping.anonymous(tStart - span, PageSize.BYTES));
        tb.addPage(tStart - span, anchor, 0);
        for (int slot = 0; slot < mappings; slot++) {
            long b = bStart + slot * span;
            bb.addMapping(org.medes.core.page.Mapping.anonymous(b, (long) pages * PageSize.BYTES));
            for (int i = 0; i < pages; i++) {
                bb.addPage(b + (long) i * PageSize.BYTES, content[slot][i], 0);
            }
            long t = tStart + slot * span;
            tb.addMapping(org.medes.core.page.Mapping.anonymous(t, (long) pages * PageSize.BYTES));
            for (int i = 0; i < pages; i++) {
                tb.addPage(t + (long) i * PageSize.BYTES, content[order[slot]][i], 0);
            }
        }
        assertSameAsBase(bb, tb, mappings * pages + 1);
    }

    // ---- corruption: never a wrong page ----

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = PageKind.class, names = {"PATCH", "SAME_AS_BASE"})
    void changedBasePageIsNamed(PageKind kind) throws Exception {
        // instance 1 is the base's own content (every page SAME_AS_BASE); instance 2 is patched
        int instance = kind == PageKind.SAME_AS_BASE ? 1 : 2;
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, instance, 0.02 * (instance - 1), instance == 2);
             DedupImage d = engine.dedup(target, registry, bases)) {
            int victim = firstPageOfKind(d, kind);
            int basePage = d.basePage(victim);
            BasePageSource tampered = new Tampered(bases, d.bases().get(d.baseIndex(victim)).base(), basePage);
            assertThatThrownBy(() -> engine.restore(d, tampered)).isInstanceOf(PageRestoreException.class)
                    .hasMessageContaining("page " + victim).hasMessageContaining("base page " + basePage)
                    .hasMessageContaining("changed");
        }
    }

    @Test
    void corruptPayloadWithValidFileChecksumIsCaughtByThePageChecksum() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().zstdLevel(0).build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases)) {
            for (PageKind kind : new PageKind[] {PageKind.PATCH, PageKind.LZ4}) {
                int victim = firstPageOfKind(d, kind);
                byte[] bytes = d.toByteArray();
                long at = storedPayloadOffset(d, bytes, victim);
                bytes[(int) at + d.payloadLength(victim) / 2] ^= 0x5A;
                reseal(bytes);
                try (DedupImage bad = DedupImage.fromBytes(bytes, "resealed")) {
                    assertThatThrownBy(() -> engine.restore(bad, bases)).as(kind.name())
                            .isInstanceOf(PageRestoreException.class).hasMessageContaining("page " + victim);
                }
            }
        }
    }

    @Test
    void corruptCompressedBlockWithValidFileChecksumNamesAPageOfTheBlock() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases)) {
            int victim = firstPageOfKind(d, PageKind.PATCH);
            int blk = d.blockOf(victim);
            assertThat(d.blockCoding(blk)).isEqualTo(DedupImageFormat.BLOCK_ZSTD);
            byte[] good = d.toByteArray();
            long start = storedBlockOffset(d, good, blk);
            int first = d.blockFirstPage(blk);
            int last = d.blockFirstPage(blk + 1) - 1;
            for (int i = 0; i < d.blockStoredLength(blk); i += Math.max(1, d.blockStoredLength(blk) / 17)) {
                byte[] bytes = good.clone();
                bytes[(int) start + i] ^= 0x5A;
                reseal(bytes);
                try (DedupImage bad = DedupImage.fromBytes(bytes, "resealed")) {
                    assertThatThrownBy(() -> engine.restore(bad, bases)).as("byte %d", i)
                            .isInstanceOf(PageRestoreException.class)
                            .hasMessageMatching("(?s).*page (\\d+) .*")
                            .satisfies(e -> assertThat(((PageRestoreException) e).page()).isBetween(first, last));
                }
            }
        }
    }

    @Test
    void float64PagesFoundInNoBaseAreStoredShuffledAndRestoredExactly() throws Exception {
        try (FingerprintRegistry empty = TestRegistries.newRegistry();
             BaseSandboxes none = BaseSandboxes.builder().registry(empty).build();
             DedupEngine engine = DedupEngine.builder().threads(1).build();
             SandboxImage target = float64Image(16);
             DedupImage d = engine.dedup(target, empty, none);
             SandboxImage back = engine.restore(d, none)) {
            assertThat(back.contentEquals(target)).isTrue();
            // regrouped and left to the block's zstd: 16 pages of small doubles and one of words
            assertThat(d.kindCounts().get(PageKind.SHUFFLED)).isEqualTo(16);
            assertThat(d.kind(16)).isEqualTo(PageKind.RAW);
            assertThat(d.blockCount()).isEqualTo(1);
            assertThat(d.blockStoredLength(0)).isLessThan(16 * PageSize.BYTES * 3 / 8 + PageSize.BYTES);
        }
    }

    @Test
    void float64PagesAreShuffledLz4WithoutBlockCompression() throws Exception {
        try (FingerprintRegistry empty = TestRegistries.newRegistry();
             BaseSandboxes none = BaseSandboxes.builder().registry(empty).build();
             DedupEngine engine = DedupEngine.builder().threads(1).zstdLevel(0).build();
             SandboxImage target = float64Image(16);
             DedupImage d = engine.dedup(target, empty, none);
             SandboxImage back = engine.restore(d, none)) {
            assertThat(back.contentEquals(target)).isTrue();
            // 16 pages of doubles of small integers, one page of words
            assertThat(d.kindCounts().get(PageKind.SHUFFLED_LZ4)).isEqualTo(16);
            assertThat(d.kind(16)).isEqualTo(PageKind.LZ4);
            for (int p = 0; p < 16; p++) {
                assertThat(d.payloadLength(p)).as("page %d", p).isLessThan(PageSize.BYTES * 3 / 8);
            }
        }
    }

    @Test
    void corruptShuffledPayloadIsCaughtAndNamesThePage() throws Exception {
        try (FingerprintRegistry empty = TestRegistries.newRegistry();
             BaseSandboxes none = BaseSandboxes.builder().registry(empty).build();
             DedupEngine engine = DedupEngine.builder().zstdLevel(0).build();
             SandboxImage target = float64Image(4);
             DedupImage d = engine.dedup(target, empty, none)) {
            int victim = 2;
            assertThat(d.kind(victim)).isEqualTo(PageKind.SHUFFLED_LZ4);
            byte[] good = d.toByteArray();
            long at = storedPayloadOffset(d, good, victim);
            for (int i = 0; i < d.payloadLength(victim); i += 7) {
                byte[] bytes = good.clone();
                bytes[(int) at + i] ^= 0x5A;
                reseal(bytes);
                try (DedupImage bad = DedupImage.fromBytes(bytes, "resealed")) {
                    assertThatThrownBy(() -> engine.restore(bad, none)).as("byte %d", i)
                            .isInstanceOf(PageRestoreException.class).hasMessageContaining("page " + victim);
                }
            }
        }
    }

    /** {@code pages} pages of a Float64Array of random integers below 1000 (as V8 stores one), then a page of words. */
    static SandboxImage float64Image(int pages) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        SandboxImage.Builder b = SandboxImage.builder("floats");
        long start = 0x7f00_0000_0000L;
        b.addMapping(org.medes.core.page.Mapping.anonymous(start, (long) (pages + 1) * PageSize.BYTES));
        ByteBuffer bb = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < pages; p++) {
            bb.clear();
            for (int w = 0; w < PageSize.WORDS; w++) {
                bb.putDouble(Math.floor(r.nextDouble() * 1000));
            }
            b.addPage(start + (long) p * PageSize.BYTES, bb.array(), 0);
        }
        String[] words = {"serverless ", "sandbox ", "memory ", "dedup ", "page ", "base ", "patch ", "restore "};
        StringBuilder text = new StringBuilder();
        while (text.length() < PageSize.BYTES) {
            text.append(words[r.nextInt(words.length)]);
        }
        b.addPage(start + (long) pages * PageSize.BYTES, text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0);
        return b.build();
    }

    @Test
    void flippedTruncatedAndForeignFilesAreRefusedWithOffsetAndReason() throws Exception {
        byte[] good = goodImageBytes();
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            byte[] bad = good.clone();
            bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
            assertThatThrownBy(() -> DedupImage.fromBytes(bad, "flipped.medes")).isInstanceOf(DedupImageFormatException.class)
                    .hasMessageContaining("flipped.medes");
        }
        for (int len : new int[] {0, 10, 80, good.length / 2, good.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(good, len);
            assertThatThrownBy(() -> DedupImage.fromBytes(cut, "cut.medes")).isInstanceOf(DedupImageFormatException.class)
                    .hasMessageMatching("(?s).*(truncated|end marker).*");
        }
        byte[] foreign = "#!/bin/sh\necho this is not a dedup image, but it is long enough to have a header...\n".repeat(4)
                .getBytes();
        assertThatThrownBy(() -> DedupImage.fromBytes(foreign, "script.sh")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("not a Medes dedup image").hasMessageContaining("offset 0");
    }

    @Test
    void structurallyBrokenTablesAreRefusedEvenWithAValidChecksum() throws Exception {
        byte[] good = goodImageBytes();
        ByteBuffer g = le(good);
        int pages = g.getInt(16);
        long pageTable = g.getLong(48);
        // unknown page kind
        byte[] b1 = withEntryStream(good, s -> {
            s[0] = 9;
            return s;
        });
        assertThatThrownBy(() -> DedupImage.fromBytes(b1, "kind")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("page 0").hasMessageContaining("unknown page kind 9")
                .hasMessageContaining("offset " + pageTable);
        // entry stream cut inside the last entry
        byte[] b2 = withEntryStream(good, s -> java.util.Arrays.copyOf(s, s.length - 1));
        assertThatThrownBy(() -> DedupImage.fromBytes(b2, "cut")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("page " + (pages - 1)).hasMessageContaining("truncated page table");
        // entry stream with bytes after the last entry
        byte[] b3 = withEntryStream(good, s -> java.util.Arrays.copyOf(s, s.length + 1));
        assertThatThrownBy(() -> DedupImage.fromBytes(b3, "long")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("left after the last page");
        // payload blocks that run past the payload section
        byte[] b4 = good.clone();
        le(b4).putLong(64, g.getLong(64) - 1);
        reseal(b4);
        assertThatThrownBy(() -> DedupImage.fromBytes(b4, "len")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageMatching("(?s).*block \\d+.*run past the payload section.*");
        // block table entries that disagree with the page table
        long entry0 = g.getLong(56) + DedupImageFormat.BLOCK_TABLE_FIXED_BYTES;
        byte[] b4a = good.clone();
        le(b4a).putInt((int) entry0 + 8, le(good).getInt((int) entry0 + 8) + 1);
        reseal(b4a);
        assertThatThrownBy(() -> DedupImage.fromBytes(b4a, "raw")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageMatching("(?s).*block 0 .*");
        byte[] b4b = good.clone();
        b4b[(int) entry0 + 4] = 7;
        reseal(b4b);
        assertThatThrownBy(() -> DedupImage.fromBytes(b4b, "coding")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("block 0: unknown coding 7");
        byte[] b4c = good.clone();
        le(b4c).putInt((int) entry0, le(good).getInt((int) entry0) - 1);
        reseal(b4c);
        assertThatThrownBy(() -> DedupImage.fromBytes(b4c, "pages")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("block");
        // page count that does not fit the file
        byte[] b5 = good.clone();
        le(b5).putInt(16, 1 << 30);
        reseal(b5);
        assertThatThrownBy(() -> DedupImage.fromBytes(b5, "count")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("page table");
        // compressed entry stream overwritten with garbage of the same length
        byte[] b6 = good.clone();
        java.util.Arrays.fill(b6, (int) pageTable + 8, (int) pageTable + 8 + g.getInt((int) pageTable + 4), (byte) 0xF7);
        reseal(b6);
        assertThatThrownBy(() -> DedupImage.fromBytes(b6, "garbage")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("page table").hasMessageMatching("(?s).*offset \\d+.*");
        // stated entry stream length that is not what the block decodes to, or impossibly long
        for (int u : new int[] {g.getInt((int) pageTable) + 1, Integer.MAX_VALUE, -1}) {
            byte[] b7 = good.clone();
            le(b7).putInt((int) pageTable, u);
            reseal(b7);
            assertThatThrownBy(() -> DedupImage.fromBytes(b7, "stream length")).as("%d", u)
                    .isInstanceOf(DedupImageFormatException.class).hasMessageContaining("offset " + pageTable)
                    .hasMessageContaining("entry stream");
        }
        // compressed length past the section
        byte[] b8 = good.clone();
        le(b8).putInt((int) pageTable + 4, Integer.MAX_VALUE);
        reseal(b8);
        assertThatThrownBy(() -> DedupImage.fromBytes(b8, "stored length")).isInstanceOf(DedupImageFormatException.class)
                .hasMessageContaining("offset " + (pageTable + 4)).hasMessageContaining("runs past its section");
        // version from the future, and version 1 (fixed 32-byte entries), which is no longer read
        for (int v : new int[] {99, 1}) {
            byte[] b9 = good.clone();
            b9[8] = (byte) v;
            reseal(b9);
            assertThatThrownBy(() -> DedupImage.fromBytes(b9, "v")).hasMessageContaining("unsupported version " + v);
        }
    }

    /**
     * A mapping or base count in the header that its section cannot hold is refused, naming the
     * count's field, before anything is sized by it (DedupImageFuzzTest found a mapping count of
     * about 1.9 billion that made opening allocate a list that size and fail with OutOfMemoryError).
     */
    @Test
    void mappingAndBaseCountsThatDoNotFitTheirSectionsAreRefusedBeforeAnythingIsAllocated() throws Exception {
        byte[] good = goodImageBytes();
        int mappings = 20; // header offsets of the mapping and base counts
        int bases = 24;
        int[][] cases = {{mappings, 0x7000_0000}, {mappings, Integer.MAX_VALUE}, {bases, 0x7000_0000},
                {bases, Integer.MAX_VALUE}};
        for (int[] c : cases) {
            byte[] bad = good.clone();
            le(bad).putInt(c[0], c[1]);
            reseal(bad);
            String what = c[0] == mappings ? "mapping count " : "base count ";
            assertThatThrownBy(() -> DedupImage.fromBytes(bad, "count")).as("%s%d", what, c[1])
                    .isInstanceOf(DedupImageFormatException.class)
                    .hasMessageContaining("offset " + c[0] + ":").hasMessageContaining(what + c[1]);
        }
    }

    @Test
    void imageOfNoPagesRoundTrips() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SandboxImage.builder("empty").build();
             DedupImage d = engine.dedup(target, registry, bases);
             DedupImage read = DedupImage.fromBytes(d.toByteArray(), "empty.medes");
             SandboxImage back = engine.restore(read, bases)) {
            assertThat(read.pageCount()).isZero();
            assertThat(back.contentEquals(target)).isTrue();
        }
    }

    @Test
    void pageTableTakesFewerThanSixteenBytesAPage() throws Exception {
        byte[] good = goodImageBytes();
        ByteBuffer g = le(good);
        int pages = g.getInt(16);
        long table = g.getLong(56) - g.getLong(48);
        // 8 bytes of page checksum, 4 of base checksum for PATCH pages, the rest compressed
        assertThat(table).isLessThan(16L * pages);
    }

    /** {@code good} with its page table's entry stream replaced by {@code edit} of it, re-laid-out and resealed. */
    static byte[] withEntryStream(byte[] good, java.util.function.UnaryOperator<byte[]> edit) {
        ByteBuffer g = le(good);
        int pageTable = (int) g.getLong(48);
        int u = g.getInt(pageTable);
        int c = g.getInt(pageTable + 4);
        net.jpountz.lz4.LZ4Factory lz4 = net.jpountz.lz4.LZ4Factory.fastestInstance();
        byte[] edited = edit.apply(lz4.safeDecompressor().decompress(good, pageTable + 8, c, u));
        byte[] stored = lz4.fastCompressor().compress(edited);
        int oldHashes = pageTable + 8 + pad8(c);
        int newHashes = pageTable + 8 + pad8(stored.length);
        int shift = newHashes - oldHashes;
        byte[] out = new byte[good.length + shift];
        System.arraycopy(good, 0, out, 0, pageTable);
        System.arraycopy(good, oldHashes, out, newHashes, good.length - oldHashes);
        System.arraycopy(stored, 0, out, pageTable + 8, stored.length);
        ByteBuffer o = le(out);
        o.putInt(pageTable, edited.length).putInt(pageTable + 4, stored.length);
        o.putLong(56, g.getLong(56) + shift).putLong(72, out.length);
        reseal(out);
        return out;
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Deduplicates {@code tb}'s image against {@code bb}'s alone: {@code expected} pages must be SAME_AS_BASE and all restore exactly. */
    static void assertSameAsBase(SandboxImage.Builder bb, SandboxImage.Builder tb, int expected) throws Exception {
        try (FingerprintRegistry r2 = TestRegistries.newRegistry();
             BaseSandboxes b2 = BaseSandboxes.builder().registry(r2).build();
             DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = tb.build()) {
            b2.addBase("fn", bb.build());
            try (DedupImage d = engine.dedup(target, r2, b2); SandboxImage back = engine.restore(d, b2)) {
                assertThat(d.kindCounts().get(PageKind.SAME_AS_BASE)).isEqualTo(expected);
                assertThat(back.contentEquals(target)).isTrue();
            }
        }
    }

    /** The bytes of a valid dedup image of the synthetic target against the test's base. */
    byte[] goodImageBytes() throws Exception {
        try (DedupEngine engine = DedupEngine.builder().build();
             SandboxImage target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
             DedupImage d = engine.dedup(target, registry, bases)) {
            return d.toByteArray();
        }
    }

    /** A random page no fingerprint samples: every word's top two bytes are zero. */
    static byte[] unsampledPage(java.util.SplittableRandom r) {
        ByteBuffer bb = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int w = 0; w < PageSize.WORDS; w++) {
            bb.putLong(r.nextLong() & 0x0000_FFFF_FFFF_FFFFL);
        }
        return bb.array();
    }

    /** File offset of block {@code blk}'s stored bytes. */
    static long storedBlockOffset(DedupImage d, byte[] bytes, int blk) {
        long at = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(56)
                + DedupImageFormat.BLOCK_TABLE_FIXED_BYTES + (long) DedupImageFormat.BLOCK_ENTRY_BYTES * d.blockCount();
        for (int b = 0; b < blk; b++) {
            at += d.blockStoredLength(b);
        }
        return at;
    }

    /** File offset of page {@code p}'s payload in an image whose blocks are stored as they are. */
    static long storedPayloadOffset(DedupImage d, byte[] bytes, int p) {
        assertThat(d.blockCoding(d.blockOf(p))).isEqualTo(DedupImageFormat.BLOCK_STORED);
        return storedBlockOffset(d, bytes, d.blockOf(p)) + d.payloadOffsetInBlock(p);
    }

    static int firstPageOfKind(DedupImage d, PageKind kind) {
        for (int p = 0; p < d.pageCount(); p++) {
            if (d.kind(p) == kind) {
                return p;
            }
        }
        throw new AssertionError("no " + kind + " page in " + d + ": " + d.kindCounts());
    }

    /**
     * Recomputes the metadata checksum (when the block table it ends with is in bounds) and the
     * whole-file checksum, so only the deeper checks can catch a change.
     */
    static void reseal(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int trailer = bytes.length - 16;
        long payload = b.getLong(56);
        if (payload >= 88 && payload <= trailer - 8) {
            long end = payload + 8 + 16L * b.getInt((int) payload);
            if (end >= payload && end <= trailer) {
                b.putLong(80, 0);
                b.putLong(80, net.openhft.hashing.LongHashFunction.xx3().hashBytes(bytes, 0, (int) end));
            }
        }
        resealFile(bytes);
    }

    /** Recomputes only the whole-file checksum: a changed table is then caught by the metadata checksum. */
    static void resealFile(byte[] bytes) {
        int trailer = bytes.length - 16;
        long h = net.openhft.hashing.LongHashFunction.xx3().hashBytes(bytes, 0, trailer);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(trailer, h);
    }

    /** A base page source that passes everything on to {@link #real()}; test sources change one part. */
    interface Wrapping extends BasePageSource {
        BasePageSource real();

        @Override
        default PageLayout layout(int b) throws BasePageUnavailableException {
            return real().layout(b);
        }

        @Override
        default int node(int b) throws BasePageUnavailableException {
            return real().node(b);
        }

        @Override
        default void readPage(int b, int p, byte[] dst, int off) throws BasePageUnavailableException {
            real().readPage(b, p, dst, off);
        }
    }

    /** The bases' pages with other pointer marks (null: none). */
    record Marked(BasePageSource real, PointerMarks marks) implements Wrapping {
        @Override
        public PointerMarks pointerMarks(int b) {
            return marks;
        }
    }

    /** A base page source that serves one page with one byte changed. */
    record Tampered(BasePageSource real, int base, int page) implements Wrapping {
        @Override
        public void readPage(int b, int p, byte[] dst, int off) throws BasePageUnavailableException {
            real.readPage(b, p, dst, off);
            if (b == base && p == page) {
                dst[off + PageSize.BYTES / 3] ^= 1;
            }
        }
    }
}
