package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one test suite every page fetcher passes (Netty style): a subclass says how to start a
 * server, open a fetcher on it and kill the server.
 */
abstract class PageFetcherContract {
    static final Duration LONG = Duration.ofSeconds(20);

    /** A running server with regions, and a fetcher connected to it. */
    interface Fixture extends AutoCloseable {
        PageServer server();

        PageFetcher fetcher();

        /** A fetcher presenting {@code secret}, or null when the transport has no secret. */
        PageFetcher fetcherWithSecret(byte[] secret);

        /** Starts killing the server; returns once the kill has taken effect for new reads. */
        void startKill() throws Exception;

        @Override
        void close();
    }

    abstract Fixture open() throws Exception;

    /** A fixture of {@code server} and {@code fetcher}; {@code kill} kills the server, {@code close} frees the rest. */
    static Fixture fixture(PageServer server, PageFetcher fetcher, java.util.function.Function<byte[], PageFetcher> withSecret,
                           Runnable kill, Runnable close) {
        return new Fixture() {
            @Override
            public PageServer server() {
                return server;
            }

            @Override
            public PageFetcher fetcher() {
                return fetcher;
            }

            @Override
            public PageFetcher fetcherWithSecret(byte[] secret) {
                return withSecret.apply(secret);
            }

            @Override
            public void startKill() {
                kill.run();
            }

            @Override
            public void close() {
                fetcher.close();
                close.run();
            }
        };
    }

    private Fixture fx;
    private final List<SandboxImage> images = new ArrayList<>();
    private final List<BytesStore<?, Void>> buffers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fx = open();
        assertThat(fx.fetcher().isAvailable()).isTrue();
        assertThat(fx.fetcher().unavailabilityCause()).isNull();
    }

    @AfterEach
    void stop() {
        if (fx != null) { // null when open() skipped the test
            fx.close();
        }
        images.forEach(SandboxImage::close);
        buffers.forEach(BytesStore::releaseLast);
    }

    private SandboxImage image(int pages, long seed) {
        SandboxImage im = TestPages.image("base-" + seed, pages, seed);
        images.add(im);
        return im;
    }

    private long buffer(long bytes) {
        BytesStore<?, Void> b = TestPages.buffer(bytes);
        buffers.add(b);
        return b.addressForRead(0);
    }

    private static void assertPages(long dst, PageBatch batch, List<SandboxImage> byRegionOrder, List<PageRegion> regions) {
        for (int i = 0; i < batch.size(); i++) {
            int r = -1;
            for (int k = 0; k < regions.size(); k++) {
                if (regions.get(k).id() == batch.region(i)) {
                    r = k;
                }
            }
            byte[] got = TestPages.read(dst + (long) i * PageSize.BYTES, PageSize.BYTES);
            assertThat(got).as("batch entry %d: region %d page %d", i, batch.region(i), batch.page(i))
                    .isEqualTo(byRegionOrder.get(r).page(batch.page(i)));
        }
    }

    private static PageFetchException failure(CompletableFuture<Void> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(PageFetchException.class);
            return (PageFetchException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return fail("the fetch succeeded but should have failed");
    }

    @Test
    void randomBatchesAreReadByteForByte() throws Exception {
        List<SandboxImage> ims = List.of(image(700, 1), image(50, 2));
        List<PageRegion> regions = List.of(fx.server().register(ims.get(0)), fx.server().register(ims.get(1)));
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 30; round++) {
            int n = round == 0 ? 1 : 1 + rnd.nextInt(round < 25 ? 100 : 1200);
            PageBatch.Builder b = PageBatch.builder();
            for (int i = 0; i < n; i++) {
                int r = rnd.nextInt(4) == 0 ? 1 : 0;
                b.add(regions.get(r), rnd.nextInt(regions.get(r).pageCount()));
            }
            PageBatch batch = b.build();
            long dst = buffer(batch.bytes());
            fx.fetcher().fetch(batch, dst, batch.bytes(), LONG).get(30, TimeUnit.SECONDS);
            assertPages(dst, batch, ims, regions);
        }
    }

    @Test
    void emptyBatchSucceedsAndSmallDestinationIsRefused() throws Exception {
        PageRegion r = fx.server().register(image(4, 3));
        fx.fetcher().fetch(PageBatch.builder().build(), 0, 0, LONG).get(5, TimeUnit.SECONDS);
        long dst = buffer(PageSize.BYTES);
        PageFetchException e = failure(fx.fetcher().fetch(PageBatch.of(r, 0, 1), dst, PageSize.BYTES, LONG));
        assertThat(e.reason()).isEqualTo(PageFetchException.Reason.BAD_REQUEST);
        assertThat(e.region()).isEqualTo(r.id());
        assertThat(e.pages()).containsExactly(0, 1);
    }

    @Test
    void concurrentBatchesFromSeveralThreads() throws Exception {
        SandboxImage im = image(512, 4);
        PageRegion region = fx.server().register(im);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    BytesStore<?, Void> buf = TestPages.buffer(300L * PageSize.BYTES);
                    try {
                        long dst = buf.addressForRead(0);
                        for (int round = 0; round < 40; round++) {
                            int n = 1 + rnd.nextInt(300);
                            int[] pages = rnd.ints(n, 0, region.pageCount()).toArray();
                            PageBatch batch = PageBatch.of(region, pages);
                            fx.fetcher().fetch(batch, dst, batch.bytes(), LONG).get(30, TimeUnit.SECONDS);
                            for (int i = 0; i < n; i++) {
                                assertThat(TestPages.read(dst + (long) i * PageSize.BYTES, PageSize.BYTES))
                                        .isEqualTo(im.page(pages[i]));
                            }
                        }
                        return null;
                    } finally {
                        buf.releaseLast();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readWaitsForTheBatchAndThrowsItsFailure() throws Exception {
        SandboxImage im = image(16, 9);
        PageRegion r = fx.server().register(im);
        long dst = buffer(2L * PageSize.BYTES);
        for (Duration spin : List.of(Duration.ZERO, Duration.ofMillis(1), PageFetcher.defaultSpin())) {
            fx.fetcher().read(PageBatch.of(r, 3, 15), dst, 2L * PageSize.BYTES, LONG, spin);
            assertThat(TestPages.read(dst, PageSize.BYTES)).as("spin %s", spin).isEqualTo(im.page(3));
            assertThat(TestPages.read(dst + PageSize.BYTES, PageSize.BYTES)).as("spin %s", spin).isEqualTo(im.page(15));
        }
        assertThatThrownBy(() -> fx.fetcher().read(PageBatch.of(r, 16), dst, PageSize.BYTES, LONG))
                .isInstanceOf(PageFetchException.class)
                .satisfies(e -> assertThat(((PageFetchException) e).reason()).isEqualTo(PageFetchException.Reason.OUT_OF_RANGE))
                .hasMessageContaining("region " + r.id());
    }

    @Test
    void refusedReadsFailTheWholeBatch() throws Exception {
        SandboxImage im = image(8, 5);
        PageRegion r = fx.server().register(im);
        long dst = buffer(8L * PageSize.BYTES);
        record Case(PageBatch batch, PageFetchException.Reason reason, long region, int page) {
        }
        List<Case> cases = List.of(
                new Case(PageBatch.builder().add(r, 0).add(9999, r.key(), 1).build(), PageFetchException.Reason.UNKNOWN_REGION, 9999, 1),
                new Case(PageBatch.of(r, 0, 1, 8), PageFetchException.Reason.OUT_OF_RANGE, r.id(), 8),
                new Case(PageBatch.of(r, -1), PageFetchException.Reason.OUT_OF_RANGE, r.id(), -1),
                new Case(PageBatch.builder().add(r, 2).add(r.id(), r.key() ^ 1, 3).build(), PageFetchException.Reason.WRONG_KEY, r.id(), 3),
                new Case(PageBatch.builder().add(r.id(), PageRegions.PROBE_KEY, 0).build(), PageFetchException.Reason.WRONG_KEY, r.id(), 0));
        for (Case c : cases) {
            PageFetchException e = failure(fx.fetcher().fetch(c.batch(), dst, c.batch().bytes(), LONG));
            assertThat(e.reason()).as(c.toString()).isEqualTo(c.reason());
            assertThat(e.region()).as(c.toString()).isEqualTo(c.region());
            assertThat(e.pages()).as(c.toString()).contains(c.page());
            assertThat(e.getMessage()).contains("region " + c.region());
        }
        // an unregistered region is refused, the fetcher stays usable
        assertThat(fx.server().unregister(r.id())).isTrue();
        assertThat(failure(fx.fetcher().fetch(PageBatch.of(r, 0), dst, PageSize.BYTES, LONG)).reason())
                .isEqualTo(PageFetchException.Reason.UNKNOWN_REGION);
        PageRegion again = fx.server().register(im);
        fx.fetcher().fetch(PageBatch.of(again, 7), dst, PageSize.BYTES, LONG).get(30, TimeUnit.SECONDS);
        assertThat(TestPages.read(dst, PageSize.BYTES)).isEqualTo(im.page(7));
    }

    @Test
    void wrongSecretIsRefused() throws Exception {
        PageFetcher wrong = fx.fetcherWithSecret("not the right secret!".getBytes());
        assumeTrue(wrong != null, "transport has no shared secret");
        try {
            PageRegion r = fx.server().register(image(2, 6));
            long dst = buffer(PageSize.BYTES);
            PageFetchException e = failure(wrong.fetch(PageBatch.of(r, 1), dst, PageSize.BYTES, LONG));
            assertThat(e.reason()).isEqualTo(PageFetchException.Reason.AUTHENTICATION);
            assertThat(e.region()).isEqualTo(r.id());
            assertThat(PageFetchers.selfTest(wrong)).isInstanceOf(PageFetchException.class);
        } finally {
            wrong.close();
        }
    }

    @Test
    void deadlineFailsTheBatchAndNothingIsWrittenAfterwards() throws Exception {
        SandboxImage im = image(300, 7);
        TestPages.StallingPages stalling = new TestPages.StallingPages(im, 1);
        PageRegion r = fx.server().register(stalling);
        long dst = buffer(300L * PageSize.BYTES);
        int[] all = java.util.stream.IntStream.range(0, 300).toArray();
        PageBatch batch = PageBatch.of(r, all);
        CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS).execute(stalling::release);
        CompletableFuture<Void> f = CompletableFuture.supplyAsync(
                () -> fx.fetcher().fetch(batch, dst, batch.bytes(), Duration.ofMillis(100))).thenCompose(x -> x);
        PageFetchException e = failure(f);
        assertThat(e.reason()).isEqualTo(PageFetchException.Reason.DEADLINE);
        assertThat(e.region()).isEqualTo(r.id());
        assertThat(e.pages()).isNotEmpty();
        byte[] after = TestPages.read(dst, batch.bytes());
        // the server goes on (stall released); the fetcher still works and leaves the failed buffer alone
        stalling.release();
        long dst2 = buffer(PageSize.BYTES);
        fx.fetcher().fetch(PageBatch.of(r, 299), dst2, PageSize.BYTES, LONG).get(30, TimeUnit.SECONDS);
        assertThat(TestPages.read(dst2, PageSize.BYTES)).isEqualTo(im.page(299));
        assertThat(TestPages.read(dst, batch.bytes())).isEqualTo(after);
    }

    @Test
    void serverDeathMidBatchFailsTheBatch() throws Exception {
        SandboxImage im = image(1000, 8);
        TestPages.StallingPages stalling = new TestPages.StallingPages(im, 300);
        PageRegion r = fx.server().register(stalling);
        long dst = buffer(1000L * PageSize.BYTES);
        PageBatch batch = PageBatch.of(r, java.util.stream.IntStream.range(0, 1000).toArray());
        CompletableFuture<Void> f = CompletableFuture.supplyAsync(
                () -> fx.fetcher().fetch(batch, dst, batch.bytes(), LONG)).thenCompose(x -> x);
        assertThat(stalling.reached.await(30, TimeUnit.SECONDS)).isTrue();
        Thread killer = new Thread(() -> {
            try {
                fx.startKill();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        killer.start();
        awaitKill();
        stalling.release();
        PageFetchException e = failure(f);
        assertThat(e.reason()).isIn(PageFetchException.Reason.CONNECTION, PageFetchException.Reason.CLOSED,
                PageFetchException.Reason.UNKNOWN_REGION);
        assertThat(e.region()).isEqualTo(r.id());
        assertThat(e.pages()).isNotEmpty();
        killer.join(30_000);
    }

    /** Waits until the kill started in another thread has taken effect for new reads. */
    abstract void awaitKill() throws InterruptedException;
}
