package org.medes.jmh;

import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.openjdk.jmh.annotations.*;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Batched registry lookups, one thread; one operation = one fingerprint hash looked up. The
 * registry holds {@code chunks} chunk hashes of 200 bases; half the looked-up hashes are present.
 * {@code scripts/bench.sh RegistryLookupBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RegistryLookupBenchmark {
    static final int BATCH = 4096;

    @Param({"1000000"})
    public int chunks;

    FingerprintRegistry registry;
    final long[] query = new long[BATCH];
    final long[] refs = new long[BATCH];

    @Setup
    public void setUp() {
        registry = new OffHeapFingerprintRegistry();
        SplittableRandom r = new SplittableRandom(7);
        int bases = 200;
        int per = chunks / bases;
        long[] hashes = new long[per];
        int[] pages = new int[per];
        long[] all = new long[chunks];
        for (int b = 0; b < bases; b++) {
            for (int i = 0; i < per; i++) {
                hashes[i] = r.nextLong();
                pages[i] = i / 5;
                all[b * per + i] = hashes[i];
            }
            registry.registerBase(b, b % 8, hashes, pages, per);
        }
        for (int i = 0; i < BATCH; i++) {
            query[i] = (i & 1) == 0 ? all[r.nextInt(chunks)] : r.nextLong();
        }
        System.out.printf("%n[registry: %d chunks indexed, %.2f bytes per chunk]%n", registry.chunkCount(),
                (double) registry.memoryBytes() / registry.chunkCount());
    }

    @TearDown
    public void tearDown() {
        registry.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long[] lookup() {
        registry.lookup(query, BATCH, refs);
        return refs;
    }
}
