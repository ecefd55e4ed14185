package org.medes.jmh;

import net.openhft.hashing.LongHashFunction;
import org.medes.core.page.PageChecksum;
import org.medes.core.page.PageSize;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The checksum a restore computes of every page it rebuilds (XXH3-64 of 4 KiB in native memory),
 * one thread; one operation = one page. {@code impl=library}: zero-allocation-hashing's general
 * XXH3; {@code page}: {@link PageChecksum} (the same values, checked in the set-up).
 * {@code scripts/bench.sh table PageChecksumBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PageChecksumBenchmark {
    private static final LongHashFunction XX3 = LongHashFunction.xx3();

    @Param({"real"})
    public String corpus;

    @Param({"library", "page"})
    public String impl;

    PageCorpus pages;
    long[] addresses;

    @Setup
    public void setUp() throws Exception {
        pages = PageCorpus.open(corpus);
        addresses = pages.targetAddresses;
        for (int p = 0; p < addresses.length; p++) {
            if (PageChecksum.ofMemory(addresses[p]) != XX3.hashMemory(addresses[p], PageSize.BYTES)) {
                throw new IllegalStateException("checksums differ on page " + p);
            }
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        pages.close();
    }

    @Benchmark
    @OperationsPerInvocation(PageCorpus.PAGES)
    public void checksum(Blackhole bh) {
        if (impl.equals("library")) {
            for (long a : addresses) {
                bh.consume(XX3.hashMemory(a, PageSize.BYTES));
            }
        } else {
            for (long a : addresses) {
                bh.consume(PageChecksum.ofMemory(a));
            }
        }
    }
}
