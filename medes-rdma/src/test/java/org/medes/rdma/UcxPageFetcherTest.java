package org.medes.rdma;

import org.medes.rdma.ucx.Ucx;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract against {@link UcxPageFetcher} and a {@link UcxPageServer} in this JVM, over UCX's
 * shared-memory transports ({@code UCX_TLS=sm,self}: gets by {@code process_vm_readv} through
 * UCX's cma transport). With UCX's own choice of transports both ends also wire up over TCP, and
 * once in about a dozen suite runs libucx 1.13 aborted the JVM in {@code ucp_worker_destroy}
 * (an assertion on a TCP wireup reply still pending when the fetcher closed after the server was
 * killed); UCX over TCP is tested against server processes ({@link NetnsPageFetchTest},
 * {@link UcxStalledServerTest}). libucx0 comes from scripts/setup.sh, so a missing UCX fails the
 * suite; only {@code -Dmedes.rdma.ucx.disabled=true} turns it off. Killing the server closes it.
 */
class UcxPageFetcherTest extends PageFetcherContract {
    private UcxPageServer server;

    /** UCX settings of both ends. */
    Map<String, String> ucxConfig() {
        return Map.of("TLS", "sm,self");
    }

    @Override
    Fixture open() throws Exception {
        assumeTrue(!Boolean.getBoolean(Ucx.DISABLED_PROPERTY), "UCX disabled by -D" + Ucx.DISABLED_PROPERTY);
        PageRegions regions = new PageRegions();
        server = UcxPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TcpPageFetcherTest.SECRET, ucxConfig());
        UcxPageFetcher fetcher = UcxPageFetcher.create(server.address(), TcpPageFetcherTest.SECRET, ucxConfig());
        return fixture(server, fetcher, secret -> UcxPageFetcher.create(server.address(), secret, ucxConfig()), server::close,
                () -> {
                    fetcher.close();
                    server.close();
                    regions.close();
                });
    }

    @Override
    void awaitKill() {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!server.isClosing() && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
