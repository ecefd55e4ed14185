package org.medes.examples;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.image.DedupImage;
import org.medes.core.image.PageKind;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;
import org.medes.core.registry.FingerprintRegistry;

import java.io.PrintStream;
import java.util.Map;

/**
 * {@code ./medes demo}: two instances of a real Python worker with different inputs (ASLR on);
 * one becomes the base sandbox, the other is deduplicated against it and restored, every page
 * checked.
 */
final class DemoCommand {
    private DemoCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        out.println("Medes demo: two instances of a Python worker, different inputs, ASLR on");
        try (LiveWorker w1 = LiveWorker.startPython(1);
             LiveWorker w2 = LiveWorker.startPython(2);
             FingerprintRegistry registry = Registries.embedded();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             DedupEngine engine = DedupEngine.builder().build()) {
            SandboxImage baseImage = w1.capture("worker-1");
            out.printf("base   sandbox pid %d: %d pages (%.1f MiB) in %d mappings%n", w1.pid(), baseImage.pageCount(),
                    baseImage.pageBytes() / 1048576.0, baseImage.mappings().size());
            int base = bases.addBase("python-demo", baseImage);
            try (SandboxImage target = w2.capture("worker-2")) {
                out.printf("target sandbox pid %d: %d pages (%.1f MiB) in %d mappings%n", w2.pid(), target.pageCount(),
                        target.pageBytes() / 1048576.0, target.mappings().size());
                engine.dedup(target, registry, bases).close(); // warm-up, then measure
                bases.release(target.id());
                long t0 = System.nanoTime();
                try (DedupImage d = engine.dedup(target, registry, bases)) {
                    long t1 = System.nanoTime();
                    try (SandboxImage back = engine.restore(d, bases)) {
                        long t2 = System.nanoTime();
                        Map<PageKind, Integer> k = d.kindCounts();
                        out.printf("dedup:   %.1f MiB -> %.2f MiB stored, saved %.1f %%, %.0f MB/s (%d threads)%n",
                                d.rawBytes() / 1048576.0, d.storedBytes() / 1048576.0, 100 * d.savedFraction(),
                                d.rawBytes() / 1e6 / ((t1 - t0) / 1e9), engine.threads());
                        out.printf("         pages: zero %d, same-as-base %d, patch %d, lz4 %d, raw %d%n", k.get(PageKind.ZERO),
                                k.get(PageKind.SAME_AS_BASE), k.get(PageKind.PATCH), k.get(PageKind.LZ4), k.get(PageKind.RAW));
                        int diff = back.firstDifferentPage(target);
                        boolean same = diff < 0 && back.mappings().equals(target.mappings());
                        out.printf("restore: %.0f MB/s, %s%n", d.rawBytes() / 1e6 / ((t2 - t1) / 1e9),
                                same ? "all " + back.pageCount() + " pages identical to the original"
                                        : "MISMATCH at page " + diff);
                        out.printf("for comparison: LZ4 of each page alone saves %.1f %%%n", 100 * lz4Saved(target));
                        out.printf("base %d is held by %s%n", base, bases.holders(base));
                        bases.release(d.id());
                        return same ? 0 : 1;
                    }
                }
            }
        }
    }

    static double lz4Saved(SandboxImage image) {
        LZ4Compressor c = LZ4Factory.fastestInstance().fastCompressor();
        byte[] page = new byte[PageSize.BYTES];
        byte[] out = new byte[c.maxCompressedLength(PageSize.BYTES)];
        long stored = 0;
        for (int p = 0; p < image.pageCount(); p++) {
            image.copyPage(p, page, 0);
            stored += Math.min(PageSize.BYTES, c.compress(page, 0, PageSize.BYTES, out, 0, out.length));
        }
        return 1 - (double) stored / image.pageBytes();
    }
}
