package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.rdma.ucx.Ucx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hosts on one machine: a network namespace joined to the root namespace by a veth pair; a
 * page server JVM (TCP or UCX) runs inside the namespace, this JVM fetches from the root namespace
 * over the veth link. Needs root and iproute2; skipped with a message otherwise. Cleans up in all
 * cases.
 *
 * <p>UCX is pinned to its TCP transport on the veth at both ends ({@link #ucxSettings}). UCX's
 * defaults pick the same here (its shared-memory transports lack the peer failure handling the
 * fetcher asks for, and the veth is the only route), but the pin keeps the test from passing
 * over anything else; the test also checks that the fetched bytes crossed the root end of the veth.
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

    /** UCX settings (without the {@code UCX_} prefix) that keep UCX on TCP over {@code device}. */
    static Map<String, String> ucxSettings(String device) {
        return Map.of("TLS", "tcp", "NET_DEVICES", device);
    }

    /** The same as environment variables, for a server process. */
    static Map<String, String> ucxEnvironment(String device) {
        return ucxEnvironment(ucxSettings(device));
    }

    /** UCX settings as environment variables. */
    static Map<String, String> ucxEnvironment(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        settings.forEach((k, v) -> env.put("UCX_" + k, v));
        return env;
    }

    @Test
    void tcpFetchesAcrossNamespacesByteForByteAndFailsWhenTheServerDies() throws Exception {
        try (ServerProcess server = ServerProcess.start(netns.execPrefix(), netns.nsIp(), PAGES, SEED, TcpPageFetcherTest.SECRET);
             PageFetcher fetcher = PageFetchers.fastest(PageEndpoint.tcp(server.address, TcpPageFetcherTest.SECRET))) {
            assertThat(fetcher.name()).isEqualTo("tcp");
            fetchAcrossThenKill(server, fetcher);
        }
    }

    @Test
    void ucxFetchesAcrossNamespacesByteForByteAndFailsWhenTheServerDies() throws Exception {
        assumeTrue(!Boolean.getBoolean(Ucx.DISABLED_PROPERTY), "UCX disabled by -D" + Ucx.DISABLED_PROPERTY);
        try (ServerProcess server = ServerProcess.start(netns.execPrefix(), netns.nsIp(), PAGES, SEED, TcpPageFetcherTest.SECRET,
                "ucx", ucxEnvironment(netns.nsDevice()));
             PageFetcher fetcher = UcxPageFetcher.create(server.address, TcpPageFetcherTest.SECRET,
                     ucxSettings(netns.rootDevice()))) {
            assertThat(server.transport).isEqualTo("ucx");
            fetchAcrossThenKill(server, fetcher);
        }
    }

    /** Random batches byte for byte over the veth, a forged key, then the server killed with 64 batches in flight. */
    private static void fetchAcrossThenKill(ServerProcess server, PageFetcher fetcher) throws Exception {
        assertThat(server.address.getAddress().getHostAddress()).isEqualTo(netns.nsIp());
        BytesStore<?, Void> buf = TestPages.buffer(512L * PageSize.BYTES);
        List<BytesStore<?, Void>> bufs = new ArrayList<>();
        try {
            long dst = buf.addressForRead(0);
            SplittableRandom rnd = new SplittableRandom(5);
            byte[] expected = new byte[PageSize.BYTES];
            long received = vethReceivedBytes();
            long fetched = 0;
            for (int round = 0; round < 20; round++) {
                int[] pages = rnd.ints(1 + rnd.nextInt(512), 0, PAGES).toArray();
                PageBatch batch = PageBatch.of(server.region, pages);
                fetcher.fetch(batch, dst, batch.bytes(), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
                fetched += batch.bytes();
                for (int i = 0; i < pages.length; i++) {
                    TestPages.fill(expected, SEED, pages[i]);
                    assertThat(TestPages.read(dst + (long) i * PageSize.BYTES, PageSize.BYTES))
                            .as("page %d", pages[i]).isEqualTo(expected);
                }
            }
            // the pages came over the veth link, not through memory shared on this machine
            assertThat(vethReceivedBytes() - received).as("bytes received on %s", netns.rootDevice())
                    .isGreaterThanOrEqualTo(fetched);
            // a wrong key is refused across hosts too
            PageRegion forged = new PageRegion(server.region.id(), server.region.pageCount(), server.region.key() + 1);
            assertThatThrownBy(() -> fetcher.fetch(PageBatch.of(forged, 1), dst, PageSize.BYTES, Duration.ofSeconds(10))
                    .get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(PageFetchException.class).hasMessageContaining("WRONG_KEY");
            // the server host dies with batches in flight: every one fails, none succeeds
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
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
            System.out.println("netns " + fetcher.name() + ": " + failed + " of 64 in-flight batches failed when the server was killed");
        } finally {
            bufs.forEach(BytesStore::releaseLast);
            buf.releaseLast();
        }
    }

    private static long vethReceivedBytes() throws IOException {
        return Long.parseLong(Files.readString(
                Path.of("/sys/class/net", netns.rootDevice(), "statistics", "rx_bytes")).trim());
    }
}
