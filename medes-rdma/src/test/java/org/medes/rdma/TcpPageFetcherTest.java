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
                return TcpPageFetcher.create(server.address(), secret);
            }

            @Override
            public void startKill() {
                server.close();
            }

            @Override
            public void close() {
                fetcher.close();
                server.close();
                regions.close();
            }
        };
    }

    @Override
    void awaitKill() {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!server.isClosing() && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
