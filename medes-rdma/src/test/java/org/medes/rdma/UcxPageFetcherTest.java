package org.medes.rdma;

import org.medes.rdma.ucx.Ucx;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract against {@link UcxPageFetcher} and a {@link UcxPageServer} in this JVM, with UCX's
 * own choice of transports (here shared memory, gets by {@code process_vm_readv} through UCX's
 * cma transport). libucx0 comes from scripts/setup.sh, so a missing UCX fails the suite; only
 * {@code -Dmedes.rdma.ucx.disabled=true} turns it off. Killing the server closes it.
 */
class UcxPageFetcherTest extends PageFetcherContract {
    private UcxPageServer server;

    /** UCX settings of both ends; empty for UCX's default choice. */
    Map<String, String> ucxConfig() {
        return Map.of();
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
