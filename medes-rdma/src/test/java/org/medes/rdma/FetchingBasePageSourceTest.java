package org.medes.rdma;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.engine.SyntheticSandboxes;
import org.medes.core.image.DedupImage;
import org.medes.core.page.SandboxImage;
import org.medes.core.patch.PointerMarks;
import org.medes.core.registry.OffHeapFingerprintRegistry;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A dedup image restored against a base held by a TCP page server, through FetchingBasePageSource. */
class FetchingBasePageSourceTest {
    OffHeapFingerprintRegistry registry;
    BaseSandboxes local;
    int base;
    SandboxImage served;
    SandboxImage target;
    DedupEngine engine;
    DedupImage dedup;
    PageRegions regions;
    TcpPageServer server;
    PageRegion region;
    TcpPageFetcher tcp;

    @BeforeEach
    void setUp() throws Exception {
        registry = new OffHeapFingerprintRegistry();
        local = BaseSandboxes.builder().registry(registry).build();
        base = local.addBase("fn", SyntheticSandboxes.instance("base", 42, 1, 0, false));
        target = SyntheticSandboxes.instance("target", 42, 2, 0.02, true);
        engine = DedupEngine.builder().threads(2).build();
        dedup = engine.dedup(target, registry, local);
        assertThat(dedup.bases()).isNotEmpty();
        // the same base, held by a page server this JVM reaches only over TCP
        served = SyntheticSandboxes.instance("base", 42, 1, 0, false);
        regions = new PageRegions();
        server = TcpPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TcpPageFetcherTest.SECRET, 1);
        region = server.register(served);
        tcp = TcpPageFetcher.create(server.address(), TcpPageFetcherTest.SECRET);
    }

    @AfterEach
    void tearDown() {
        tcp.close();
        server.close();
        regions.close();
        served.close();
        dedup.close();
        engine.close();
        target.close();
        local.close();
        registry.close();
    }

    /** Counts the batches and pages a fetcher is asked for. */
    static final class Counting implements PageFetcher {
        final PageFetcher real;
        final AtomicInteger batches = new AtomicInteger();
        final AtomicInteger pages = new AtomicInteger();

        Counting(PageFetcher real) {
            this.real = real;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public Throwable unavailabilityCause() {
            return real.unavailabilityCause();
        }

        @Override
        public CompletableFuture<Void> fetch(PageBatch batch, long destination, long capacity, Duration timeout) {
            batches.incrementAndGet();
            pages.addAndGet(batch.size());
            return real.fetch(batch, destination, capacity, timeout);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private int basePagesNeeded() {
        return (int) java.util.stream.IntStream.range(0, dedup.pageCount())
                .filter(p -> dedup.kind(p) == org.medes.core.image.PageKind.SAME_AS_BASE || dedup.kind(p) == org.medes.core.image.PageKind.PATCH)
                .map(dedup::basePage).distinct().count();
    }

    @Test
    void restoreThroughTcpGivesBackTheOriginalInAFewBatches() throws Exception {
        Counting counting = new Counting(tcp);
        try (FetchingBasePageSource src = FetchingBasePageSource.builder().fetcher(counting).base(base, 0, region)
                .batchPages(64).build();
             SandboxImage back = engine.restore(dedup, src)) {
            assertThat(back.firstDifferentPage(target)).isEqualTo(-1);
            assertThat(back.contentEquals(target)).isTrue();
            int needed = basePagesNeeded();
            assertThat(needed).isGreaterThan(64);
            // every base page came from the prefetch, in batches of 64, none alone
            assertThat(counting.pages.get()).isEqualTo(needed);
            assertThat(counting.batches.get()).isEqualTo((needed + 63) / 64);
            assertThat(src.cachedPages()).isEqualTo(needed);
        }
    }

    @Test
    void pointerMarksShippedAsBytesServeTheRestoreAndWrongOnesNeverGiveAWrongPage() throws Exception {
        // made where the base is held, sent as bytes
        PointerMarks shipped = PointerMarks.fromBytes(PointerMarks.of(served).toBytes());
        try (FetchingBasePageSource src = FetchingBasePageSource.builder().fetcher(tcp).base(base, 0, region, shipped)
                .build();
             SandboxImage back = engine.restore(dedup, src)) {
            assertThat(src.pointerMarks(base)).isSameAs(shipped);
            assertThat(back.contentEquals(target)).isTrue();
        }
        // the marks of other pages of the same layout leave out pointers the encoder moved
        try (SandboxImage other = SyntheticSandboxes.instance("other", 7, 1, 0, false);
             FetchingBasePageSource src = FetchingBasePageSource.builder().fetcher(tcp)
                     .base(base, 0, region, PointerMarks.of(other)).build()) {
            assertThatThrownBy(() -> engine.restore(dedup, src)).isInstanceOf(PageRestoreException.class)
                    .hasMessageContaining("dedup image " + dedup.id());
        }
        try (SandboxImage bigger = SyntheticSandboxes.instance("bigger", 42, 1, 0, true)) {
            PointerMarks wrongSize = PointerMarks.of(bigger);
            assertThatThrownBy(() -> FetchingBasePageSource.builder().base(base, 0, region, wrongSize))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pointer marks of base " + base + " are of " + bigger.pageCount() + " pages");
        }
    }

    @Test
    void aCacheSmallerThanTheImageFetchesTheRestOnDemand() throws Exception {
        Counting counting = new Counting(tcp);
        try (FetchingBasePageSource src = FetchingBasePageSource.builder().fetcher(counting).base(base, 0, region)
                .cachePages(64).batchPages(16).build();
             SandboxImage back = engine.restore(dedup, src)) {
            assertThat(back.contentEquals(target)).isTrue();
            assertThat(src.cachedPages()).isEqualTo(64);
            assertThat(counting.batches.get()).isEqualTo(4 + basePagesNeeded() - 64);
        }
    }

    @Test
    void aDeadServerGivesAClearErrorAndNoPages() throws Exception {
        server.close();
        try (FetchingBasePageSource src = FetchingBasePageSource.builder().fetcher(tcp).base(base, 0, region)
                .timeout(Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> engine.restore(dedup, src))
                    .isInstanceOf(PageRestoreException.class)
                    .hasMessageContaining("dedup image " + dedup.id())
                    .hasMessageContaining("of base " + base + " is missing")
                    .hasMessageContaining("through the tcp fetcher failed: CONNECTION: region " + region.id())
                    .cause().isInstanceOfSatisfying(BasePageUnavailableException.class, e -> {
                        assertThat(e.base()).isEqualTo(base);
                        assertThat(e.page()).isBetween(0, region.pageCount() - 1);
                        assertThat(e.getCause()).isInstanceOf(PageFetchException.class);
                    });
            assertThat(src.cachedPages()).isZero();
        }
    }

    @Test
    void unknownBasesPagesOutOfRangeAndLayoutsAreRefusedByName() throws Exception {
        try (FetchingBasePageSource src = FetchingBasePageSource.builder().fetcher(tcp).base(base, 3, region).build()) {
            byte[] page = new byte[4096];
            assertThatThrownBy(() -> src.readPage(base + 1, 0, page, 0)).isInstanceOf(BasePageUnavailableException.class)
                    .hasMessageContaining("base " + (base + 1)).hasMessageContaining("no page server region");
            assertThatThrownBy(() -> src.readPage(base, region.pageCount(), page, 0))
                    .hasMessageContaining("page " + region.pageCount() + " of base " + base);
            assertThatThrownBy(() -> src.layout(base)).hasMessageContaining("layout is not known");
            assertThat(src.node(base)).isEqualTo(3);
            src.readPage(base, 5, page, 0);
            assertThat(page).isEqualTo(served.page(5));
        }
        assertThatThrownBy(() -> FetchingBasePageSource.builder().fetcher(tcp).base(1, 0, region).base(1, 0, region))
                .hasMessageContaining("base 1 was already given");
    }
}
