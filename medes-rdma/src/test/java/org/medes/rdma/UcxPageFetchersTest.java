package org.medes.rdma;

import org.junit.jupiter.api.Test;
import org.medes.rdma.ucx.Ucx;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The factory prefers UCX over TCP for a server that offers both, and its kill switch falls back to TCP. */
class UcxPageFetchersTest {
    @Test
    void ucxIsChosenOverTcpAndTheKillSwitchFallsBack() throws Exception {
        assumeTrue(!Boolean.getBoolean(Ucx.DISABLED_PROPERTY), "UCX disabled by -D" + Ucx.DISABLED_PROPERTY);
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (PageRegions regions = new PageRegions();
             UcxPageServer ucx = UcxPageServer.start(regions, any, TcpPageFetcherTest.SECRET);
             TcpPageServer tcp = TcpPageServer.start(regions, any, TcpPageFetcherTest.SECRET, 1)) {
            PageEndpoint both = PageEndpoint.ucx(ucx.address(), tcp.address(), TcpPageFetcherTest.SECRET);
            try (PageFetcher f = PageFetchers.fastest(both)) {
                assertThat(f.name()).isEqualTo("ucx");
            }
            System.setProperty(Ucx.DISABLED_PROPERTY, "true");
            try (PageFetcher f = PageFetchers.fastest(both)) {
                assertThat(f.name()).isEqualTo("tcp");
            } finally {
                System.clearProperty(Ucx.DISABLED_PROPERTY);
            }
        }
    }
}
