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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./medes demo [--runtime python|node] [--runs N] [--threads T]}: two instances of a real
 * worker with different inputs (ASLR on); one becomes the base sandbox, the other is
 * deduplicated against it and restored, every page checked. Each run starts a fresh pair;
 * speeds are the best of three dedups and restores of the pair.
 */
final class DemoCommand {
    private DemoCommand() {
    }

    record Options(String runtime, int runs, int threads) {
        static Options parse(String[] args) {
            String runtime = "python";
            int runs = 1;
            int threads = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--runtime" -> runtime = require(args[i], value);
                    case "--runs" -> runs = Integer.parseInt(require(args[i], value));
                    case "--threads" -> threads = Integer.parseInt(require(args[i], value));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (demo takes --runtime python|node, --runs N, --threads T)");
                }
                i++;
            }
            if (runs < 1 || threads < 1) {
                throw new IllegalArgumentException("--runs and --threads must be at least 1");
            }
            return new Options(runtime, runs, threads);
        }

        private static String require(String option, String value) {
            if (value == null) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return value;
        }
    }

    record Run(int pages, double saved, double dedupMbps, double restoreMbps, Map<PageKind, Integer> kinds,
               double lz4Saved, boolean identical) {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args);
        out.printf("Medes demo: %d pair(s) of %s workers with different inputs, ASLR on, %d thread(s)%n", o.runs(),
                o.runtime(), o.threads());
        List<Run> runs = new ArrayList<>();
        boolean allIdentical = true;
        try (DedupEngine engine = DedupEngine.builder().threads(o.threads()).build()) {
            for (int i = 0; i < o.runs(); i++) {
                Run r = runPair(engine, o.runtime(), o.runs() == 1 ? out : null);
                runs.add(r);
                allIdentical &= r.identical();
                if (o.runs() > 1) {
                    out.printf("run %2d: %5d pages, saved %5.1f %% (LZ4 alone %4.1f %%), dedup %5.0f MB/s, restore %5.0f MB/s, %s%n",
                            i + 1, r.pages(), 100 * r.saved(), 100 * r.lz4Saved(), r.dedupMbps(), r.restoreMbps(),
                            r.identical() ? "restored identical" : "MISMATCH");
                }
            }
        }
        if (o.runs() > 1) {
            out.printf("median: saved %.1f %%, dedup %.0f MB/s, restore %.0f MB/s%n",
                    100 * median(runs.stream().mapToDouble(Run::saved).toArray()),
                    median(runs.stream().mapToDouble(Run::dedupMbps).toArray()),
                    median(runs.stream().mapToDouble(Run::restoreMbps).toArray()));
        }
        return allIdentical ? 0 : 1;
    }

    private static Run runPair(DedupEngine engine, String runtime, PrintStream verbose) throws Exception {
        try (LiveWorker w1 = LiveWorker.start(runtime, 1);
             LiveWorker w2 = LiveWorker.start(runtime, 2);
             FingerprintRegistry registry = Registries.embedded();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build()) {
            SandboxImage baseImage = w1.capture(runtime + "-1");
            int base = bases.addBase(runtime + "-demo", baseImage);
            try (SandboxImage target = w2.capture(runtime + "-2")) {
                if (verbose != null) {
                    verbose.printf("base   sandbox pid %d: %d pages (%.1f MiB) in %d mappings%n", w1.pid(),
                            baseImage.pageCount(), baseImage.pageBytes() / 1048576.0, baseImage.mappings().size());
                    verbose.printf("target sandbox pid %d: %d pages (%.1f MiB) in %d mappings%n", w2.pid(),
                            target.pageCount(), target.pageBytes() / 1048576.0, target.mappings().size());
                }
                long dedupNanos = Long.MAX_VALUE;
                long restoreNanos = Long.MAX_VALUE;
                DedupImage d = null;
                boolean identical = true;
                for (int attempt = 0; attempt < 3; attempt++) {
                    if (d != null) {
                        bases.release(d.id());
                        d.close();
                    }
                    long t0 = System.nanoTime();
                    d = engine.dedup(target, registry, bases);
                    long t1 = System.nanoTime();
                    try (SandboxImage back = engine.restore(d, bases)) {
                        long t2 = System.nanoTime();
                        identical &= back.firstDifferentPage(target) < 0 && back.mappings().equals(target.mappings());
                        dedupNanos = Math.min(dedupNanos, t1 - t0);
                        restoreNanos = Math.min(restoreNanos, t2 - t1);
                    }
                }
                try (DedupImage image = d) {
                    Run r = new Run(target.pageCount(), image.savedFraction(), image.rawBytes() / 1e3 / (dedupNanos / 1e6),
                            image.rawBytes() / 1e3 / (restoreNanos / 1e6), image.kindCounts(), lz4Saved(target), identical);
                    if (verbose != null) {
                        Map<PageKind, Integer> k = r.kinds();
                        verbose.printf("dedup:   %.1f MiB -> %.2f MiB stored, saved %.1f %%, %.0f MB/s (%d threads)%n",
                                image.rawBytes() / 1048576.0, image.storedBytes() / 1048576.0, 100 * r.saved(), r.dedupMbps(),
                                engine.threads());
                        StringBuilder pages = new StringBuilder("         pages:");
                        for (PageKind kind : PageKind.values()) {
                            if (k.get(kind) > 0) {
                                pages.append(' ').append(kind.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                                        .append(k.get(kind));
                            }
                        }
                        verbose.println(pages);
                        verbose.printf("restore: %.0f MB/s, %s%n", r.restoreMbps(), identical
                                ? "all " + target.pageCount() + " pages identical to the original" : "MISMATCH");
                        verbose.printf("for comparison: LZ4 of each page alone saves %.1f %%%n", 100 * r.lz4Saved());
                        verbose.printf("base %d is held by %s%n", base, bases.holders(base));
                    }
                    bases.release(image.id());
                    return r;
                }
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
