package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.rdma.ucx.Ucx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fetcher's forced close with reads in flight: a UCX page server JVM (UCX over TCP on
 * loopback) hands out its keys, then is stopped (SIGSTOP), so its UCX worker answers no get. The
 * batches issued after that pass their deadline with {@code ucp_get_nbx} reads outstanding; the
 * fetcher must close the endpoint by force, fail every batch, never write into their buffers
 * afterwards (not even when the server resumes and answers the old gets), and connect again.
 */
class UcxStalledServerTest {
    static final long SEED = 41;
    static final int PAGES = 1024;
    static final Map<String, String> UCX = Map.of("TLS", "tcp");

    @Test
    void deadlineWithGetsInFlightClosesTheEndpointAndNothingIsWrittenAfterwards() throws Exception {
        assumeTrue(!Boolean.getBoolean(Ucx.DISABLED_PROPERTY), "UCX disabled by -D" + Ucx.DISABLED_PROPERTY);
        List<BytesStore<?, Void>> bufs = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(List.of(), "127.0.0.1", PAGES, SEED, TcpPageFetcherTest.SECRET,
                "ucx", NetnsPageFetchTest.ucxEnvironment(UCX));
             UcxPageFetcher fetcher = UcxPageFetcher.create(server.address, TcpPageFetcherTest.SECRET, UCX)) {
            SplittableRandom rnd = new SplittableRandom(9);
            BytesStore<?, Void> first = TestPages.buffer(64L * PageSize.BYTES);
            bufs.add(first);
            fetchAndCheck(fetcher, server.region, first, rnd);   // connected, keys granted

            server.signal("STOP");
            List<CompletableFuture<Void>> stalled = new ArrayList<>();
            List<PageBatch> batches = new ArrayList<>();
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < 8; i++) {
                    BytesStore<?, Void> b = TestPages.buffer(64L * PageSize.BYTES);
                    bufs.add(b);
                    PageBatch batch = PageBatch.of(server.region, rnd.ints(64, 0, PAGES).toArray());
                    batches.add(batch);
                    stalled.add(fetcher.fetch(batch, b.addressForRead(0), batch.bytes(), Duration.ofMillis(300)));
                }
                int deadline = 0;
                for (CompletableFuture<Void> f : stalled) {
                    try {
                        f.get(10, TimeUnit.SECONDS);
                        fail("a batch succeeded while the server was stopped");
                    } catch (ExecutionException e) {
                        PageFetchException p = (PageFetchException) e.getCause();
                        assertThat(p.region()).isEqualTo(server.region.id());
                        assertThat(p.reason()).isIn(PageFetchException.Reason.DEADLINE, PageFetchException.Reason.CONNECTION);
                        if (p.reason() == PageFetchException.Reason.DEADLINE) {
                            assertThat(p).hasMessageContaining("gets in flight");
                            deadline++;
                        }
                    }
                }
                assertThat(deadline).as("batches failed past their deadline with gets in flight").isPositive();
                // the forced close does not wait for the stopped peer
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            } finally {
                server.signal("CONT");
            }
            // the resumed server answers the old gets, the fetcher connects again: the failed buffers stay untouched
            fetchAndCheck(fetcher, server.region, first, rnd);
            Thread.sleep(200);
            fetchAndCheck(fetcher, server.region, first, rnd);
            for (int i = 1; i < bufs.size(); i++) {
                byte[] b = TestPages.read(bufs.get(i).addressForRead(0), 64L * PageSize.BYTES);
                int written = 0;
                for (byte x : b) {
                    written += x == (byte) 0xEE ? 0 : 1;
                }
                assertThat(written).as("bytes written into the buffer of failed batch %d (pages %s)", i - 1,
                        Arrays.toString(batches.get(i - 1).pagesOf(server.region.id(), 0, 64))).isZero();
            }
        } finally {
            bufs.forEach(BytesStore::releaseLast);
        }
    }

    private static void fetchAndCheck(PageFetcher f, PageRegion region, BytesStore<?, Void> buf, SplittableRandom rnd)
            throws Exception {
        int[] pages = rnd.ints(64, 0, PAGES).toArray();
        PageBatch batch = PageBatch.of(region, pages);
        long dst = buf.addressForRead(0);
        f.fetch(batch, dst, batch.bytes(), Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
        byte[] expected = new byte[PageSize.BYTES];
        for (int i = 0; i < pages.length; i++) {
            TestPages.fill(expected, SEED, pages[i]);
            assertThat(TestPages.read(dst + (long) i * PageSize.BYTES, PageSize.BYTES)).as("page %d", pages[i]).isEqualTo(expected);
        }
    }
}
