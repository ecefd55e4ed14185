package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hosts on one machine: a network namespace joined to the root namespace by a veth pair; a
 * page server JVM runs inside the namespace, this JVM fetches from the root namespace over the
 * veth link. Needs root and iproute2; skipped with a message otherwise. Cleans up in all cases.
 */
class NetnsPageFetchTest {
    static final long SEED = 77;
    static final int PAGES = 2048;
    private static TestNetns netns;

    @BeforeAll
    static void createNamespace() throws Exception {
        String why = TestNetns.unavailable();
        assumeTrue(why == null, why);
        netns = TestNetns.create("medes-rdma");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (netns != null) {
            netns.close();
        }
    }

    static ServerProcess startServer() throws IOException {
        return ServerProcess.start(netns.execPrefix(), netns.nsIp(), PAGES, SEED, TcpPageFetcherTest.SECRET);
    }

    @Test
    void fetchesAcrossNamespacesByteForByteAndFailsWhenTheServerDies() throws Exception {
        BytesStore<?, Void> buf = TestPages.buffer(512L * PageSize.BYTES);
        long dst = buf.addressForRead(0);
        try (ServerProcess server = startServer();
             PageFetcher fetcher = PageFetchers.fastest(PageEndpoint.tcp(server.address, TcpPageFetcherTest.SECRET))) {
            assertThat(server.address.getAddress().getHostAddress()).isEqualTo(netns.nsIp());
            SplittableRandom rnd = new SplittableRandom(5);
            byte[] expected = new byte[PageSize.BYTES];
            for (int round = 0; round < 20; round++) {
                int[] pages = rnd.ints(1 + rnd.nextInt(512), 0, PAGES).toArray();
                PageBatch batch = PageBatch.of(server.region, pages);
                fetcher.fetch(batch, dst, batch.bytes(), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
                for (int i = 0; i < pages.length; i++) {
                    TestPages.fill(expected, SEED, pages[i]);
                    assertThat(TestPages.read(dst + (long) i * PageSize.BYTES, PageSize.BYTES))
                            .as("page %d", pages[i]).isEqualTo(expected);
                }
            }
            // a wrong key is refused across hosts too
            PageRegion forged = new PageRegion(server.region.id(), server.region.pageCount(), server.region.key() + 1);
            assertThatThrownBy(() -> fetcher.fetch(PageBatch.of(forged, 1), dst, PageSize.BYTES, Duration.ofSeconds(10))
                    .get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(PageFetchException.class).hasMessageContaining("WRONG_KEY");
            // the server host dies with batches in flight: every one fails, none succeeds
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            List<BytesStore<?, Void>> bufs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                BytesStore<?, Void> b = TestPages.buffer(256L * PageSize.BYTES);
                bufs.add(b);
                PageBatch batch = PageBatch.of(server.region, rnd.ints(256, 0, PAGES).toArray());
                inFlight.add(fetcher.fetch(batch, b.addressForRead(0), batch.bytes(), Duration.ofSeconds(20)));
            }
            server.kill();
            int failed = 0;
            for (CompletableFuture<Void> f : inFlight) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(PageFetchException.class)
                            .hasMessageContaining("region " + server.region.id());
                    failed++;
                }
            }
            // batches answered before the kill may have succeeded; after it, fetches fail
            assertThatThrownBy(() -> fetcher.fetch(PageBatch.of(server.region, 1), dst, PageSize.BYTES, Duration.ofSeconds(10))
                    .get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(PageFetchException.class).hasMessageContaining("CONNECTION");
            bufs.forEach(BytesStore::releaseLast);
            System.out.println("netns: " + failed + " of 64 in-flight batches failed when the server was killed");
        } finally {
            buf.releaseLast();
        }
    }
}
