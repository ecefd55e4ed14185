package org.medes.rdma;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The contract against {@link TcpPageFetcher} on loopback; killing the server closes it. */
class TcpPageFetcherTest extends PageFetcherContract {
    static final byte[] SECRET = "medes test secret 0123456789".getBytes(StandardCharsets.UTF_8);
    private TcpPageServer server;

    @Override
    Fixture open() throws Exception {
        PageRegions regions = new PageRegions();
        server = TcpPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SECRET, 2);
        TcpPageFetcher fetcher = TcpPageFetcher.create(server.address(), SECRET);
        return fixture(server, fetcher, secret -> TcpPageFetcher.create(server.address(), secret), server::close, () -> {
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
