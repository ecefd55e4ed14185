package org.medes.jmh;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;
import org.medes.rdma.LocalPageFetcher;
import org.medes.rdma.PageBatch;
import org.medes.rdma.PageFetcher;
import org.medes.rdma.PageRegion;
import org.medes.rdma.PageRegions;
import org.medes.rdma.RegionPages;
import org.medes.rdma.TcpPageFetcher;
import org.medes.rdma.TcpPageServer;
import org.medes.rdma.UcxPageFetcher;
import org.medes.rdma.UcxPageServer;
import org.openjdk.jmh.annotations.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Base page fetches: one operation = one batch of {@code pages} random 4 KiB pages read into an
 * off-heap buffer and waited for, one batch in flight: {@code fetch(...).get()} blocks at once,
 * {@code read(...)} polls first. The page server
 * runs in the benchmark's JVM on loopback (TCP: Netty, native epoll when available; UCX: one-sided
 * {@code ucp_get_nbx}, pinned to UCX's TCP transport with {@code UCX_TLS=tcp}, since this machine
 * has no RDMA NIC); {@code local} is the same-JVM copy. In sample-time mode JMH prints p50/p99 of
 * one batch; {@link BenchmarkTable} turns throughput into MB/s of page data. Across network
 * namespaces, with the server in its own JVM, see {@code scripts/fetch-bench.sh netns}.
 * {@code scripts/bench.sh FetchBenchmark -p pages=1 -bm sample}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FetchBenchmark {
    static final int REGION_PAGES = 16384;
    static final byte[] SECRET = "medes jmh fetch benchmark secret".getBytes(StandardCharsets.UTF_8);
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Param({"local", "tcp", "ucx"})
    public String fetcher;

    @Param({"1", "8", "64"})
    public int pages;

    BytesStore<?, Void> memory;
    BytesStore<?, Void> destination;
    PageRegions regions;
    AutoCloseable server;
    PageFetcher client;
    PageBatch[] batches;
    int next;

    @Setup
    public void setUp() throws Exception {
        memory = BytesStore.nativeStoreWithFixedCapacity((long) REGION_PAGES * PageSize.BYTES);
        long base = memory.addressForRead(0);
        SplittableRandom rnd = new SplittableRandom(3);
        for (long off = 0; off < (long) REGION_PAGES * PageSize.BYTES; off += 8) {
            OffHeap.putLong(base + off, rnd.nextLong());
        }
        destination = BytesStore.nativeStoreWithFixedCapacity((long) pages * PageSize.BYTES);
        regions = new PageRegions();
        PageRegion region = regions.register(new RegionPages() {
            @Override
            public int pageCount() {
                return REGION_PAGES;
            }

            @Override
            public long pageAddress(int page) {
                return base + (long) page * PageSize.BYTES;
            }
        });
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        switch (fetcher) {
            case "local" -> client = new LocalPageFetcher(regions);
            case "tcp" -> {
                TcpPageServer s = TcpPageServer.start(regions, loopback, SECRET, 1);
                server = s;
                client = TcpPageFetcher.create(s.address(), SECRET);
            }
            case "ucx" -> {
                UcxPageServer s = UcxPageServer.start(regions, loopback, SECRET, Map.of("TLS", "tcp"));
                server = s;
                client = UcxPageFetcher.create(s.address(), SECRET, Map.of("TLS", "tcp"));
            }
            default -> throw new IllegalArgumentException("fetcher: local, tcp or ucx, not " + fetcher);
        }
        if (!client.isAvailable()) {
            throw new IllegalStateException(fetcher + " fetcher unavailable", client.unavailabilityCause());
        }
        batches = new PageBatch[64];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = PageBatch.of(region, rnd.ints(pages, 0, REGION_PAGES).toArray());
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        client.close();
        if (server != null) {
            server.close();
        }
        regions.close();
        destination.releaseLast();
        memory.releaseLast();
    }

    /** Waits on the batch's future at once. */
    @Benchmark
    public long fetch() throws Exception {
        PageBatch b = batches[next++ & 63];
        long dst = destination.addressForRead(0);
        client.fetch(b, dst, (long) pages * PageSize.BYTES, TIMEOUT).get();
        return OffHeap.getLong(dst);
    }

    /** {@code PageFetcher.read}: polls the batch for up to {@code medes.rdma.spin.micros} (100 us) before it blocks. */
    @Benchmark
    public long read() throws Exception {
        PageBatch b = batches[next++ & 63];
        long dst = destination.addressForRead(0);
        client.read(b, dst, (long) pages * PageSize.BYTES, TIMEOUT);
        return OffHeap.getLong(dst);
    }
}
