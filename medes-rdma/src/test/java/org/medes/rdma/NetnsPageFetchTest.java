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
    private static final String TAG = Long.toString(ProcessHandle.current().pid() % 100000);
    private static final String NS = "medes-rdma-" + TAG;
    private static final String VETH_ROOT = "mrr" + TAG;
    private static final String VETH_NS = "mrn" + TAG;
    private static final int SUBNET = (int) (ProcessHandle.current().pid() % 200) + 20;
    private static final String ROOT_IP = "10.213." + SUBNET + ".1";
    private static final String NS_IP = "10.213." + SUBNET + ".2";

    @BeforeAll
    static void createNamespace() throws Exception {
        assumeTrue(isRoot(), "needs root to create network namespaces");
        assumeTrue(run("ip", "-V") == 0, "needs iproute2 (ip)");
        cleanUp();
        boolean ok = run("ip", "netns", "add", NS) == 0
                && run("ip", "link", "add", VETH_ROOT, "type", "veth", "peer", "name", VETH_NS) == 0
                && run("ip", "link", "set", VETH_NS, "netns", NS) == 0
                && run("ip", "addr", "add", ROOT_IP + "/24", "dev", VETH_ROOT) == 0
                && run("ip", "link", "set", VETH_ROOT, "up") == 0
                && run("ip", "netns", "exec", NS, "ip", "addr", "add", NS_IP + "/24", "dev", VETH_NS) == 0
                && run("ip", "netns", "exec", NS, "ip", "link", "set", VETH_NS, "up") == 0
                && run("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up") == 0;
        if (!ok) {
            cleanUp();
        }
        assumeTrue(ok, "could not set up namespace " + NS + " with a veth pair (see stderr)");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (isRoot()) {
            run("ip", "netns", "del", NS);
            run("ip", "link", "del", VETH_ROOT);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    static ServerProcess startServer() throws IOException {
        return ServerProcess.start(List.of("ip", "netns", "exec", NS), NS_IP, PAGES, SEED, TcpPageFetcherTest.SECRET);
    }

    @Test
    void fetchesAcrossNamespacesByteForByteAndFailsWhenTheServerDies() throws Exception {
        BytesStore<?, Void> buf = TestPages.buffer(512L * PageSize.BYTES);
        long dst = buf.addressForRead(0);
        try (ServerProcess server = startServer();
             PageFetcher fetcher = PageFetchers.fastest(PageEndpoint.tcp(server.address, TcpPageFetcherTest.SECRET))) {
            assertThat(server.address.getAddress().getHostAddress()).isEqualTo(NS_IP);
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
