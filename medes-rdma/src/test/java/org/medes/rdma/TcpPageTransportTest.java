package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What only the TCP transport has: reconnecting after a dead server, an unreachable server. */
class TcpPageTransportTest {

    @Test
    void reconnectsAfterTheServerRestarts() throws Exception {
        try (PageRegions regions = new PageRegions();
             SandboxImage im = TestPages.image("base", 16, 11)) {
            BytesStore<?, Void> buf = TestPages.buffer(PageSize.BYTES);
            long dst = buf.addressForRead(0);
            PageRegion r = regions.register(im);
            TcpPageServer first = TcpPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpPageFetcherTest.SECRET, 1);
            InetSocketAddress address = first.address();
            try (TcpPageFetcher fetcher = TcpPageFetcher.create(address, TcpPageFetcherTest.SECRET)) {
                fetcher.fetch(PageBatch.of(r, 3), dst, PageSize.BYTES, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
                assertThat(TestPages.read(dst, PageSize.BYTES)).isEqualTo(im.page(3));
                first.close();
                // the dead server: the fetch fails, naming region and page
                assertThatThrownBy(() -> fetcher.fetch(PageBatch.of(r, 4), dst, PageSize.BYTES, Duration.ofSeconds(10))
                        .get(20, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(PageFetchException.class)
                        .hasMessageContaining("CONNECTION").hasMessageContaining("region " + r.id() + " pages [4]");
                try (TcpPageServer second = TcpPageServer.start(regions, address, TcpPageFetcherTest.SECRET, 1)) {
                    fetcher.fetch(PageBatch.of(r, 5), dst, PageSize.BYTES, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
                    assertThat(TestPages.read(dst, PageSize.BYTES)).isEqualTo(im.page(5));
                }
            } finally {
                buf.releaseLast();
            }
        }
    }

    @Test
    void unreachableServerIsAConnectionFailure() throws Exception {
        InetSocketAddress nobody;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = (InetSocketAddress) s.getLocalSocketAddress();
        }
        BytesStore<?, Void> buf = TestPages.buffer(PageSize.BYTES);
        try (TcpPageFetcher fetcher = TcpPageFetcher.create(nobody, TcpPageFetcherTest.SECRET)) {
            assertThatThrownBy(() -> fetcher.fetch(PageBatch.of(new PageRegion(7, 1, 1), 0), buf.addressForRead(0),
                    PageSize.BYTES, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS))
                    .cause().isInstanceOf(PageFetchException.class).hasMessageContaining("CONNECTION: region 7 pages [0]");
            assertThat(PageFetchers.selfTest(fetcher)).isInstanceOf(PageFetchException.class);
        } finally {
            buf.releaseLast();
        }
    }

    @Test
    void closedFetcherFailsFetches() throws Exception {
        TcpPageFetcher fetcher = TcpPageFetcher.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), TcpPageFetcherTest.SECRET);
        fetcher.close();
        fetcher.close();
        assertThatThrownBy(() -> fetcher.fetch(PageBatch.of(new PageRegion(7, 1, 1), 0), 1, PageSize.BYTES, Duration.ofSeconds(1))
                .get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(PageFetchException.class).hasMessageContaining("CLOSED");
    }

    @Test
    void shortSecretsAreRejected() {
        assertThatThrownBy(() -> TcpPageFetcher.create(new InetSocketAddress(1), new byte[8]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
    }
}
