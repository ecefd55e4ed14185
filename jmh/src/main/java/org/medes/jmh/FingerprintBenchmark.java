package org.medes.jmh;

import org.medes.core.fingerprint.ValueSampledFingerprinter;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Fingerprinting throughput, one thread; one operation = one 4 KiB page.
 * {@code scripts/bench.sh FingerprintBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FingerprintBenchmark {
    @Param({"real", "synthetic"})
    public String corpus;

    PageCorpus pages;
    final ValueSampledFingerprinter fingerprinter = new ValueSampledFingerprinter();
    final long[] out = new long[ValueSampledFingerprinter.DEFAULT_K];

    @Setup
    public void setUp() throws IOException {
        pages = PageCorpus.open(corpus);
    }

    @TearDown
    public void tearDown() {
        pages.close();
    }

    @Benchmark
    @OperationsPerInvocation(PageCorpus.PAGES)
    public void fingerprint(Blackhole bh) {
        for (long a : pages.targetAddresses) {
            bh.consume(fingerprinter.fingerprintMemory(a, out, 0));
        }
    }
}
