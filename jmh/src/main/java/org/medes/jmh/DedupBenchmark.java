package org.medes.jmh;

import org.medes.core.engine.DedupEngine;
import org.medes.core.engine.PageRestoreException;
import org.medes.core.image.DedupImage;
import org.medes.core.page.SandboxImage;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Whole-image dedup and restore of the corpus's target image against its base; one operation =
 * one image ({@link BenchmarkTable} turns it into MB/s of page data).
 * {@code scripts/bench.sh DedupBenchmark -p threads=1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DedupBenchmark {
    @Param({"real", "synthetic"})
    public String corpus;

    @Param({"1", "2"})
    public int threads;

    /** zstd level of the payload blocks: 6 (the engine's default) or 0 (each page compressed alone with LZ4). */
    @Param({"6", "0"})
    public int zstdLevel;

    /** The corpus, its base registered and its target deduplicated once by the engine under test. */
    DedupedCorpus c;
    /** Where {@link #restoreInto} rebuilds the pages, reused (warm) as a dedup start reuses its buffer. */
    net.openhft.chronicle.bytes.BytesStore<?, Void> into;

    @Setup
    public void setUp() throws Exception {
        c = new DedupedCorpus(corpus, DedupEngine.builder().threads(threads).zstdLevel(zstdLevel).build());
        into = net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(c.pages.target.pageBytes());
        System.out.printf("%n[corpus %s: %d pages, %.2f MiB, saved %.1f %%]%n", corpus, c.pages.target.pageCount(),
                c.pages.target.pageBytes() / 1048576.0, 100 * c.deduped.savedFraction());
    }

    @TearDown
    public void tearDown() {
        into.releaseLast();
        c.close();
    }

    /** Counts page bytes processed, reported by JMH as a rate next to the operations. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class PageBytes {
        public long pageBytes;
    }

    @Benchmark
    public long dedup(PageBytes counter) throws Exception {
        try (DedupImage d = c.engine.dedup(c.pages.target, c.registry, c.bases)) {
            counter.pageBytes += d.rawBytes();
            c.bases.release(d.id());
            return d.storedBytes();
        }
    }

    /** As a dedup start rebuilds: into caller-owned memory already touched (no page faults, no allocation). */
    @Benchmark
    public long restoreInto(PageBytes counter) throws PageRestoreException {
        long at = into.addressForWrite(0);
        c.engine.restoreInto(c.deduped, c.bases, at);
        counter.pageBytes += c.pages.target.pageBytes();
        return org.medes.core.page.OffHeap.getLong(at);
    }

    @Benchmark
    public int restore(PageBytes counter) throws PageRestoreException {
        try (SandboxImage back = c.engine.restore(c.deduped, c.bases)) {
            counter.pageBytes += back.pageBytes();
            return back.pageCount();
        }
    }
}
