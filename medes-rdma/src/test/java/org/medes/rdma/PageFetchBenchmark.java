package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Latency of one 4 KiB fetch and throughput of batches of 1, 8 and 64 pages, per fetcher: local
 * (same JVM); TCP and UCX to a page server JVM on loopback; and (as root, with {@code netns}) TCP
 * and UCX to a page server JVM in another network namespace over a veth pair. UCX is pinned to its
 * TCP transport ({@code UCX_TLS=tcp}, and across namespaces {@code UCX_NET_DEVICES} = the veth
 * end): there is no RDMA NIC here. Not JMH: a plain timed loop after a warm-up, one client thread;
 * "window 1" waits for each batch, "window 16" keeps 16 in flight. Prints the load average before
 * and after, since the machine may be shared.
 *
 * <pre>
 * cd medes-rdma &amp;&amp; mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java $FLAGS -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) org.medes.rdma.PageFetchBenchmark [netns]
 * </pre>
 * where FLAGS is {@code medes.jvm.flags} of the root pom.
 */
public final class PageFetchBenchmark {
    static final int PAGES = 16384;
    static final long SEED = 3;

    private PageFetchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean netns = Arrays.asList(args).contains("netns");
        System.out.println("load average before: " + loadAverage());
        System.out.println("| fetcher | path | p50 us (1 page, fetch().get()) | p99 us | p50 us (1 page, read(), spin "
                + PageFetcher.defaultSpin().toNanos() / 1000 + " us) | p99 us | MB/s b=1 w=1 | b=8 w=1 | b=64 w=1 | b=1 w=16 | b=8 w=16 | b=64 w=16 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        try (PageRegions regions = new PageRegions(); SandboxImage im = TestPages.image("bench", PAGES, SEED);
             LocalPageFetcher local = new LocalPageFetcher(regions)) {
            run("local", "same JVM", local, regions.register(im));
        }
        try (ServerProcess server = ServerProcess.start(List.of(), "127.0.0.1", PAGES, SEED, TcpPageFetcherTest.SECRET);
             TcpPageFetcher tcp = TcpPageFetcher.create(server.address, TcpPageFetcherTest.SECRET)) {
            run("tcp (" + tcp.transport() + ")", "loopback, server JVM", tcp, server.region);
        }
        runUcx("loopback, server JVM", List.of(), "127.0.0.1", Map.of("TLS", "tcp"), Map.of("TLS", "tcp"));
        if (netns) {
            TestNetns ns = TestNetns.create("medes-bench");
            try {
                try (ServerProcess server = ServerProcess.start(ns.execPrefix(), ns.nsIp(), PAGES, SEED, TcpPageFetcherTest.SECRET);
                     TcpPageFetcher tcp = TcpPageFetcher.create(server.address, TcpPageFetcherTest.SECRET)) {
                    run("tcp (" + tcp.transport() + ")", "veth to netns, server JVM", tcp, server.region);
                }
                runUcx("veth to netns, server JVM", ns.execPrefix(), ns.nsIp(),
                        NetnsPageFetchTest.ucxSettings(ns.nsDevice()), NetnsPageFetchTest.ucxSettings(ns.rootDevice()));
            } finally {
                ns.close();
            }
        }
        System.out.println("load average after: " + loadAverage());
    }

    /** A UCX page server JVM behind {@code prefix} with UCX settings {@code serverUcx}, read with {@code clientUcx}. */
    static void runUcx(String path, List<String> prefix, String host, Map<String, String> serverUcx,
                       Map<String, String> clientUcx) throws Exception {
        try (ServerProcess server = ServerProcess.start(prefix, host, PAGES, SEED, TcpPageFetcherTest.SECRET, "ucx",
                NetnsPageFetchTest.ucxEnvironment(serverUcx));
             UcxPageFetcher ucx = UcxPageFetcher.create(server.address, TcpPageFetcherTest.SECRET, clientUcx)) {
            run("ucx (UCX_TLS=" + clientUcx.get("TLS") + ")", path, ucx, server.region);
        }
    }

    static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    static void run(String name, String path, PageFetcher f, PageRegion region) throws Exception {
        BytesStore<?, Void> buf = TestPages.buffer(16L * 64 * PageSize.BYTES);
        try {
            long dst = buf.addressForRead(0);
            SplittableRandom rnd = new SplittableRandom(1);
            Duration timeout = Duration.ofSeconds(30);
            for (int i = 0; i < 20_000; i++) {
                f.fetch(PageBatch.of(region, rnd.nextInt(region.pageCount())), dst, PageSize.BYTES, timeout).get();
            }
            // one page at a time: blocking on the future, then read() polling before it blocks
            long[] lat = new long[50_000];
            long[] spun = new long[50_000];
            Duration spin = PageFetcher.defaultSpin();
            for (int i = 0; i < lat.length; i++) {
                PageBatch b = PageBatch.of(region, rnd.nextInt(region.pageCount()));
                long t0 = System.nanoTime();
                f.fetch(b, dst, PageSize.BYTES, timeout).get();
                lat[i] = System.nanoTime() - t0;
            }
            for (int i = 0; i < spun.length; i++) {
                PageBatch b = PageBatch.of(region, rnd.nextInt(region.pageCount()));
                long t0 = System.nanoTime();
                f.read(b, dst, PageSize.BYTES, timeout, spin);
                spun[i] = System.nanoTime() - t0;
            }
            Arrays.sort(lat);
            Arrays.sort(spun);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f |", name,
                    path, lat[lat.length / 2] / 1e3, lat[(int) (lat.length * 0.99)] / 1e3, spun[spun.length / 2] / 1e3,
                    spun[(int) (spun.length * 0.99)] / 1e3));
            for (int window : new int[] {1, 16}) {
                for (int size : new int[] {1, 8, 64}) {
                    row.append(String.format(Locale.ROOT, " %.0f |", throughput(f, region, dst, size, window, rnd)));
                }
            }
            System.out.println(row);
        } finally {
            buf.releaseLast();
        }
    }

    /** MB/s (10^6 bytes) of {@code size}-page batches with {@code window} in flight, 2 s after 0.5 s warm-up. */
    static double throughput(PageFetcher f, PageRegion region, long dst, int size, int window, SplittableRandom rnd) throws Exception {
        List<PageBatch> batches = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            batches.add(PageBatch.of(region, rnd.ints(size, 0, region.pageCount()).toArray()));
        }
        long bytes = (long) size * PageSize.BYTES;
        double result = 0;
        for (long ms : new long[] {500, 2000}) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            long t0 = System.nanoTime();
            long pages = 0;
            @SuppressWarnings("unchecked")
            CompletableFuture<Void>[] slots = new CompletableFuture[window];
            int i = 0;
            while (System.nanoTime() < end) {
                int s = i % window;
                if (slots[s] != null) {
                    slots[s].get();
                    pages += size;
                }
                slots[s] = f.fetch(batches.get(i & 63), dst + s * bytes, bytes, Duration.ofSeconds(30));
                i++;
            }
            for (CompletableFuture<Void> c : slots) {
                if (c != null) {
                    c.get();
                    pages += size;
                }
            }
            result = pages * (double) PageSize.BYTES / ((System.nanoTime() - t0) / 1e9) / 1e6;
        }
        return result;
    }
}
