package org.medes.jmh;

import org.medes.core.page.PageSize;
import org.medes.core.patch.PatchCodec;
import org.medes.core.patch.PatchCodecs;
import org.medes.core.patch.PatchDecoder;
import org.medes.core.patch.PatchEncoder;
import org.medes.core.patch.PatchFormatException;
import org.medes.core.patch.PointerMarks;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Patch encode and decode throughput of each codec, one thread; one operation = one 4 KiB page
 * (a target page against its aligned base page; identical pairs are left out).
 * {@code scripts/bench.sh PatchBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PatchBenchmark {
    @Param({"real", "synthetic"})
    public String corpus;

    /** A codec by name; "/block" after it: its variant for block-compressed images (the engine's default). */
    @Param({"pointer-aware/block", "pointer-aware", "xor-lz4", "split-stream"})
    public String codec;

    /** Whether the codec gets the base's pointer marks, as the engine gives them with a local base. */
    @Param({"true", "false"})
    public boolean marks;

    PageCorpus pages;
    long[] markWords;
    PatchEncoder encoder;
    PatchDecoder decoder;
    final byte[] out = new byte[2 * PageSize.BYTES];
    final byte[] page = new byte[PageSize.BYTES];
    byte[][] patches;
    int[] lengths;
    /** Where {@link #decodeToMemory} puts the pages, one place per page as in a restore. */
    net.openhft.chronicle.bytes.BytesStore<?, Void> restored;

    @Setup
    public void setUp() throws IOException {
        pages = PageCorpus.open(corpus);
        markWords = marks ? pages.marks.words() : null;
        String name = codec.endsWith("/block") ? codec.substring(0, codec.length() - "/block".length()) : codec;
        PatchCodec c = PatchCodecs.all().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no codec named " + name));
        if (!name.equals(codec)) {
            c = c.forBlockCompression();
        }
        encoder = c.newEncoder();
        decoder = c.newDecoder();
        restored = net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(
                (long) PageCorpus.PAGES * PageSize.BYTES);
        patches = new byte[PageCorpus.PAGES][];
        lengths = new int[PageCorpus.PAGES];
        for (int i = 0; i < PageCorpus.PAGES; i++) {
            int n = encoder.encode(pages.targetPages[i], 0, pages.basePages[i], 0, pages.relocation, markWords,
                    marksAt(i), out, 0, out.length);
            patches[i] = java.util.Arrays.copyOf(out, n);
            lengths[i] = n;
        }
    }

    private int marksAt(int i) {
        return pages.basePageIndex[i] * PointerMarks.LONGS_PER_PAGE;
    }

    @TearDown
    public void tearDown() {
        pages.close();
        restored.releaseLast();
    }

    @Benchmark
    @OperationsPerInvocation(PageCorpus.PAGES)
    public void encode(Blackhole bh) {
        for (int i = 0; i < PageCorpus.PAGES; i++) {
            bh.consume(encoder.encode(pages.targetPages[i], 0, pages.basePages[i], 0, pages.relocation, markWords,
                    marksAt(i), out, 0, out.length));
        }
    }

    @Benchmark
    @OperationsPerInvocation(PageCorpus.PAGES)
    public void decode(Blackhole bh) throws PatchFormatException {
        for (int i = 0; i < PageCorpus.PAGES; i++) {
            decoder.decode(patches[i], 0, lengths[i], pages.basePages[i], 0, pages.relocation, markWords, marksAt(i),
                    page, 0);
            bh.consume(page);
        }
    }

    /** As the engine's restore decodes: each page straight to its place in native memory. */
    @Benchmark
    @OperationsPerInvocation(PageCorpus.PAGES)
    public long decodeToMemory() throws PatchFormatException {
        long at = restored.addressForWrite(0);
        for (int i = 0; i < PageCorpus.PAGES; i++) {
            decoder.decodeTo(patches[i], 0, lengths[i], pages.basePages[i], 0, pages.relocation, markWords,
                    marksAt(i), at + (long) i * PageSize.BYTES, page);
        }
        return org.medes.core.page.OffHeap.getLong(at);
    }
}
