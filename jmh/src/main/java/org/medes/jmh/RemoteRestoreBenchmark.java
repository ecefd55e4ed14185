package org.medes.jmh;

import org.medes.core.engine.DedupEngine;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.patch.PointerMarks;
import org.medes.rdma.FetchingBasePageSource;
import org.medes.rdma.PageRegion;
import org.medes.rdma.PageRegions;
import org.medes.rdma.RegionPages;
import org.medes.rdma.TcpPageFetcher;
import org.medes.rdma.TcpPageServer;
import org.openjdk.jmh.annotations.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Whole-image restore (into warm memory, as a dedup start rebuilds) whose base pages come from a
 * TCP page server on loopback through {@link FetchingBasePageSource}, with or without the base's
 * pointer marks shipped as bytes. Its cache holds every base page after the first restore, so
 * this is the steady state of many restores against one remote base: what the marks change is the
 * decode, not the fetching. One operation = one image ({@link BenchmarkTable}: MB/s of page data).
 * {@code scripts/bench.sh RemoteRestoreBenchmark -p corpus=/dev/shm/corpus/python-numpy-sum}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RemoteRestoreBenchmark {
    @Param({"real"})
    public String corpus;

    @Param({"true", "false"})
    public boolean marks;

    @Param({"2"})
    public int threads;

    /** The corpus, its base registered locally (where its marks are made) and its target deduplicated once. */
    DedupedCorpus c;
    PageRegions regions;
    TcpPageServer server;
    TcpPageFetcher fetcher;
    FetchingBasePageSource remote;
    net.openhft.chronicle.bytes.BytesStore<?, Void> into;

    @Setup
    public void setUp() throws Exception {
        c = new DedupedCorpus(corpus, DedupEngine.builder().threads(threads).build());
        PageCorpus pages = c.pages;
        // the base's node serves its pages and ships its marks as bytes
        regions = new PageRegions();
        server = TcpPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                FetchBenchmark.SECRET, 1);
        PageRegion region = regions.register(RegionPages.of(pages.base));
        int base = c.base;
        fetcher = TcpPageFetcher.create(server.address(), FetchBenchmark.SECRET);
        PointerMarks shipped = marks ? PointerMarks.fromBytes(c.bases.pointerMarks(base).toBytes()) : null;
        remote = FetchingBasePageSource.builder().fetcher(fetcher).base(base, 1, region, shipped).build();
        into = net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(pages.target.pageBytes());
    }

    @TearDown
    public void tearDown() {
        into.releaseLast();
        remote.close();
        fetcher.close();
        server.close();
        regions.close();
        c.close();
    }

    @Benchmark
    public long restoreInto(DedupBenchmark.PageBytes counter) throws PageRestoreException {
        long at = into.addressForWrite(0);
        c.engine.restoreInto(c.deduped, remote, at);
        counter.pageBytes += c.pages.target.pageBytes();
        return org.medes.core.page.OffHeap.getLong(at);
    }
}
