package org.medes.rdma;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.medes.core.base.BaseInUseException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.OffHeapFingerprintRegistry;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The factory's choice, the kill switches and unregistering a base that is still held. */
class PageFetchersTest {

    @AfterEach
    void clearSwitches() {
        System.clearProperty(LocalPageFetcher.DISABLED_PROPERTY);
        System.clearProperty(TcpPageFetcher.DISABLED_PROPERTY);
    }

    private static TcpPageServer server(PageRegions regions) throws InterruptedException {
        return TcpPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TcpPageFetcherTest.SECRET, 1);
    }

    @Test
    void picksLocalThenTcpAndHonoursKillSwitches() throws Exception {
        try (PageRegions regions = new PageRegions(); TcpPageServer server = server(regions)) {
            PageEndpoint both = PageEndpoint.of(server, TcpPageFetcherTest.SECRET);
            try (PageFetcher f = PageFetchers.fastest(both)) {
                assertThat(f).isInstanceOf(LocalPageFetcher.class);
            }
            System.setProperty(LocalPageFetcher.DISABLED_PROPERTY, "true");
            assertThat(new LocalPageFetcher(regions).isAvailable()).isFalse();
            assertThat(new LocalPageFetcher(regions).unavailabilityCause()).hasMessageContaining(LocalPageFetcher.DISABLED_PROPERTY);
            try (PageFetcher f = PageFetchers.fastest(both)) {
                assertThat(f).isInstanceOf(TcpPageFetcher.class);
            }
            System.setProperty(TcpPageFetcher.DISABLED_PROPERTY, "true");
            assertThatThrownBy(() -> PageFetchers.fastest(both))
                    .isInstanceOf(IllegalStateException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2))
                    .satisfies(e -> assertThat(e.getSuppressed()[1]).hasMessageContaining(TcpPageFetcher.DISABLED_PROPERTY));
        }
    }

    @Test
    void aFetcherThatFailsItsSelfTestIsNotChosen() throws Exception {
        try (PageRegions regions = new PageRegions(); TcpPageServer server = server(regions)) {
            PageEndpoint wrongSecret = PageEndpoint.tcp(server.address(), "another secret of enough bytes".getBytes());
            assertThatThrownBy(() -> PageFetchers.fastest(wrongSecret))
                    .isInstanceOf(IllegalStateException.class)
                    .satisfies(e -> assertThat(e.getSuppressed()[0]).hasMessageContaining("tcp").hasMessageContaining("AUTHENTICATION"));
            try (PageFetcher f = PageFetchers.fastest(PageEndpoint.tcp(server.address(), TcpPageFetcherTest.SECRET))) {
                assertThat(f.name()).isEqualTo("tcp");
            }
        }
    }

    @Test
    void aBaseHeldByDedupImagesStaysRegistered() {
        try (OffHeapFingerprintRegistry registry = new OffHeapFingerprintRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             PageRegions regions = new PageRegions()) {
            SandboxImage image = TestPages.image("base", 4, 12);
            int base = bases.addBase("fn", image);
            PageRegion region = regions.register(image);
            bases.retain("dedup-1", new int[] {base});
            assertThatThrownBy(() -> regions.unregisterBase(region.id(), bases, base))
                    .isInstanceOf(BaseInUseException.class).hasMessageContaining("dedup-1");
            assertThat(regions.size()).isEqualTo(2);
            bases.release("dedup-1");
            assertThat(regions.unregisterBase(region.id(), bases, base)).isTrue();
            assertThat(regions.unregister(region.id())).isFalse();
            bases.retire(base);
        }
    }
}
