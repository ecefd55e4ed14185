package org.medes.examples;

import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.medes.criu.checkpoint.CheckpointDedup;
import org.medes.criu.checkpoint.CheckpointDedupResult;

import org.medes.core.image.DedupImage;
import org.medes.core.image.PageKind;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./medes dedup --base DIR [--base DIR ...] --out FILE [--keep-pages] [--threads T]
 * [--zstd-level L] CHECKPOINT_DIR}: deduplicates a CRIU checkpoint against base checkpoints into
 * the dedup image FILE and FILE.criu/ (the checkpoint's other files), then deletes the
 * checkpoint's raw pages unless --keep-pages; --zstd-level sets the payload blocks' level (default
 * {@value DedupEngine#DEFAULT_ZSTD_LEVEL}, 0 for LZ4 per page). {@code ./medes restore} needs the same bases in the same order.
 */
final class DedupCommand {
    static final String USAGE =
            "dedup --base DIR [--base DIR ...] --out FILE [--keep-pages] [--threads T] [--zstd-level L] CHECKPOINT_DIR";

    private DedupCommand() {
    }

    /**
     * Options shared with {@code restore}: bases, output, threads, the payload blocks' zstd level
     * (dedup only), and the one positional argument.
     */
    record Options(List<Path> bases, Path out, int threads, int zstdLevel, java.util.Set<String> flags, Path input) {
        /** Whether the switch {@code name} (one of the names given to {@link #parse}) was given. */
        boolean flag(String name) {
            return flags.contains(name);
        }

        static Options parse(String[] args, List<String> flagNames, boolean zstdLevelOption, String usage) {
            List<Path> bases = new ArrayList<>();
            Path out = null;
            Path input = null;
            int threads = Runtime.getRuntime().availableProcessors();
            int zstdLevel = DedupEngine.DEFAULT_ZSTD_LEVEL;
            java.util.Set<String> flags = new java.util.HashSet<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--base")) {
                    bases.add(Path.of(CheckpointCommand.value(args, i++)));
                } else if (a.equals("--out")) {
                    out = Path.of(CheckpointCommand.value(args, i++));
                } else if (a.equals("--threads")) {
                    threads = Integer.parseInt(CheckpointCommand.value(args, i++));
                } else if (a.equals("--zstd-level") && zstdLevelOption) {
                    zstdLevel = Integer.parseInt(CheckpointCommand.value(args, i++));
                    if (zstdLevel < 0 || zstdLevel > 22) {
                        throw new IllegalArgumentException("--zstd-level must be in 0..22, was " + zstdLevel);
                    }
                } else if (flagNames.contains(a)) {
                    flags.add(a);
                } else if (a.startsWith("--") || input != null) {
                    throw new IllegalArgumentException("unexpected argument " + a + " (" + usage + ")");
                } else {
                    input = Path.of(a);
                }
            }
            if (bases.isEmpty() || out == null || input == null) {
                throw new IllegalArgumentException("at least one --base, --out and the input are required (" + usage + ")");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1");
            }
            return new Options(List.copyOf(bases), out, threads, zstdLevel, java.util.Set.copyOf(flags), input);
        }
    }

    static int run(String[] args, PrintStream out) throws Exception {
        Options o = Options.parse(args, List.of("--keep-pages"), true, USAGE);
        try (OffHeapFingerprintRegistry registry = new OffHeapFingerprintRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             DedupEngine engine = DedupEngine.builder().threads(o.threads()).zstdLevel(o.zstdLevel()).build()) {
            CheckpointDedup dedup = new CheckpointDedup(engine, bases);
            addBases(dedup, o.bases(), out);
            CheckpointDedupResult r = dedup.dedup(o.input(), o.out(), !o.flag("--keep-pages"));
            out.printf("deduplicated %s into %s (+ %s)%n", o.input(), r.dedupFile(), r.criuFiles());
            out.printf("  %d pages (%.1f MiB), stored %.2f MiB, saved %.1f %%%n", r.pages(), r.rawBytes() / 1048576.0,
                    r.storedBytes() / 1048576.0, 100 * r.savedFraction());
            out.printf("  read pages %d ms, dedup %d ms (%.0f MB/s, %d threads), write %d ms; raw pages %s%n",
                    r.readPages().toMillis(), r.dedup().toMillis(), r.dedupMbPerSecond(), o.threads(),
                    r.write().toMillis(), r.rawPagesDeleted() ? "deleted" : "kept");
            printKinds(r.dedupFile(), out);
        }
        return 0;
    }

    /**
     * One line per page kind present (pages, payload bytes before the block compression), then
     * the payload blocks before and after it, then what the rest of the file takes.
     */
    static void printKinds(Path dedupFile, PrintStream out) throws Exception {
        try (DedupImage image = DedupImage.read(dedupFile)) {
            Map<PageKind, Integer> counts = image.kindCounts();
            Map<PageKind, Long> bytes = image.kindPayloadBytes();
            for (PageKind k : PageKind.values()) {
                int n = counts.get(k);
                long b = bytes.get(k);
                if (n > 0) {
                    out.printf("  %-13s %6d pages %10d payload bytes %6.0f B/page%n", k.name().toLowerCase(Locale.ROOT), n, b,
                            (double) b / n);
                }
            }
            long raw = 0;
            long stored = 0;
            for (int b = 0; b < image.blockCount(); b++) {
                raw += image.blockRawLength(b);
                stored += image.blockStoredLength(b);
            }
            long rest = image.storedBytes() - stored;
            out.printf("  %d payload blocks: %d bytes, %d stored (%.1f %%)%n", image.blockCount(), raw, stored,
                    raw == 0 ? 100.0 : 100.0 * stored / raw);
            out.printf("  page table and headers: %d bytes (%.1f B/page)%n", rest, (double) rest / Math.max(1, image.pageCount()));
        }
    }

    static void addBases(CheckpointDedup dedup, List<Path> dirs, PrintStream out) throws Exception {
        for (Path dir : dirs) {
            int[] ids = dedup.addBases(dir.getFileName().toString(), dir);
            out.printf("base %s: %s%n", ids.length == 1 ? Integer.toString(ids[0])
                    : java.util.Arrays.toString(ids) + " (one per process)", dir);
        }
    }
}
