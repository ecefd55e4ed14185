package org.medes.jmh;

import org.medes.core.fingerprint.ValueSampledFingerprinter;
import org.medes.core.page.Mapping;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Fingerprinting throughput, one thread; one operation = one 4 KiB page. Pages of real process
 * memory rarely have a sampled chunk (their chunks mostly end in zero bytes), so {@code random}
 * pages, where a quarter of the chunks are hashed, show the worst case.
 * {@code scripts/bench.sh FingerprintBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FingerprintBenchmark {
    @Param({"real", "synthetic", "random"})
    public String corpus;

    AutoCloseable owner;
    long[] addresses;
    final ValueSampledFingerprinter fingerprinter = new ValueSampledFingerprinter();
    final long[] out = new long[ValueSampledFingerprinter.DEFAULT_K];

    @Setup
    public void setUp() throws IOException {
        if (corpus.equals("random")) {
            SandboxImage.Builder b = SandboxImage.builder("random");
            b.addMapping(Mapping.anonymous(0x10000000L, (long) PageCorpus.PAGES * PageSize.BYTES));
            byte[] page = new byte[PageSize.BYTES];
            java.util.SplittableRandom r = new java.util.SplittableRandom(1);
            for (int p = 0; p < PageCorpus.PAGES; p++) {
                for (int i = 0; i < page.length; i++) {
                    page[i] = (byte) r.nextInt();
                }
                b.addPage(0x10000000L + (long) p * PageSize.BYTES, page, 0);
            }
            SandboxImage image = b.build();
            owner = image;
            addresses = new long[PageCorpus.PAGES];
            for (int p = 0; p < PageCorpus.PAGES; p++) {
                addresses[p] = image.pageAddress(p);
            }
        } else {
            PageCorpus pages = PageCorpus.open(corpus);
            owner = pages;
            addresses = pages.targetAddresses;
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        owner.close();
    }

    @Benchmark
    @OperationsPerInvocation(PageCorpus.PAGES)
    public void fingerprint(Blackhole bh) {
        for (long a : addresses) {
            bh.consume(fingerprinter.fingerprintMemory(a, out, 0));
        }
    }
}
