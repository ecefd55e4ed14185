package org.medes.rdma;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.rdma.disni.DisniAvailability;
import org.medes.rdma.disni.DisniPageFetcher;
import org.medes.rdma.disni.DisniPageServer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract against {@link DisniPageFetcher}: needs an RDMA device and libdisni, and is
 * skipped with the missing piece named otherwise. The RDMA listener binds to
 * {@code -Dmedes.disni.test.address} (an address of the RDMA device's interface) or else the
 * first non-loopback IPv4 address. One-sided reads never call into the server, so the two tests
 * that stall a server-side read are replaced by ones that need no stall.
 */
class DisniPageFetcherTest extends PageFetcherContract {
    private DisniPageServer server;

    @Override
    Fixture open() throws Exception {
        Throwable missing = DisniAvailability.unavailabilityCause();
        assumeTrue(missing == null, () -> "DiSNI contract skipped: " + missing.getMessage());
        PageRegions regions = new PageRegions();
        server = DisniPageServer.start(regions, new InetSocketAddress(rdmaAddress(), 0),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TcpPageFetcherTest.SECRET);
        DisniPageFetcher fetcher = DisniPageFetcher.create(server.keyChannel(), TcpPageFetcherTest.SECRET);
        return fixture(server, fetcher, secret -> DisniPageFetcher.create(server.keyChannel(), secret), server::close, () -> {
            server.close();
            regions.close();
        });
    }

    private static InetAddress rdmaAddress() throws Exception {
        String given = System.getProperty("medes.disni.test.address");
        if (given != null) {
            return InetAddress.getByName(given);
        }
        for (NetworkInterface nif : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && nif.isUp()) {
                    return a;
                }
            }
        }
        throw new IllegalStateException("no IPv4 address for the RDMA listener: set -Dmedes.disni.test.address");
    }

    @Override
    void awaitKill() {
        // DisniPageServer.close() returns once every registration is withdrawn
    }

    @Override
    @Test
    void deadlineFailsTheBatchAndNothingIsWrittenAfterwards() throws Exception {
        SandboxImage im = TestPages.image("deadline", 4096, 7);
        PageRegion r = server.register(im);
        var buf = TestPages.buffer(4096L * PageSize.BYTES);
        try {
            long dst = buf.addressForRead(0);
            PageBatch batch = PageBatch.of(r, java.util.stream.IntStream.range(0, 4096).toArray());
            CompletableFuture<Void> f = fetcherForDeadline().fetch(batch, dst, batch.bytes(), Duration.ofNanos(1));
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(((PageFetchException) e.getCause()).reason()).isEqualTo(PageFetchException.Reason.DEADLINE);
            }
            byte[] after = TestPages.read(dst, batch.bytes());
            // the fetcher still works, and nothing more lands in the failed batch's buffer
            var one = TestPages.buffer(PageSize.BYTES);
            try {
                fetcherForDeadline().fetch(PageBatch.of(r, 4095), one.addressForRead(0), PageSize.BYTES, LONG).get(30, TimeUnit.SECONDS);
                assertThat(TestPages.read(one.addressForRead(0), PageSize.BYTES)).isEqualTo(im.page(4095));
            } finally {
                one.releaseLast();
            }
            assertThat(TestPages.read(dst, batch.bytes())).isEqualTo(after);
        } finally {
            if (deadlineFetcher != null) {
                deadlineFetcher.close();
                deadlineFetcher = null;
            }
            buf.releaseLast();
            im.close();
        }
    }

    private DisniPageFetcher deadlineFetcher;

    private DisniPageFetcher fetcherForDeadline() {
        if (deadlineFetcher == null) {
            deadlineFetcher = DisniPageFetcher.create(server.keyChannel(), TcpPageFetcherTest.SECRET);
        }
        return deadlineFetcher;
    }

    @Override
    @Test
    void serverDeathMidBatchFailsTheBatch() throws Exception {
        SandboxImage im = TestPages.image("death", 2048, 8);
        PageRegion r = server.register(im);
        var buf = TestPages.buffer(2048L * PageSize.BYTES);
        try {
            long dst = buf.addressForRead(0);
            PageBatch batch = PageBatch.of(r, java.util.stream.IntStream.range(0, 2048).toArray());
            DisniPageFetcher f = fetcherForDeadline();
            f.fetch(batch, dst, batch.bytes(), LONG).get(30, TimeUnit.SECONDS);
            server.close();
            try {
                f.fetch(batch, dst, batch.bytes(), LONG).get(30, TimeUnit.SECONDS);
                throw new AssertionError("a read after the server closed succeeded");
            } catch (ExecutionException e) {
                assertThat(((PageFetchException) e.getCause()).reason()).isIn(PageFetchException.Reason.CONNECTION,
                        PageFetchException.Reason.UNKNOWN_REGION);
            }
        } finally {
            if (deadlineFetcher != null) {
                deadlineFetcher.close();
            }
            buf.releaseLast();
            im.close();
        }
    }
}
