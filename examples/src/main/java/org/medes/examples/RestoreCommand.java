package org.medes.examples;

import org.medes.core.base.BaseSandboxes;
import org.medes.core.engine.DedupEngine;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.medes.criu.checkpoint.CheckpointDedup;
import org.medes.criu.checkpoint.CriuCheckpointer;
import org.medes.criu.checkpoint.DedupStart;
import org.medes.criu.checkpoint.DedupStartResult;
import org.medes.criu.checkpoint.RebuildResult;
import org.medes.criu.checkpoint.RestoreResult;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code ./medes restore --base DIR [--base DIR ...] --out DIR [--start | --stream] [--threads T] DEDUP_FILE}:
 * rebuilds the CRIU image directory of a dedup image (every page checked) into DIR, which
 * {@code criu restore -D DIR} restores; --start also restores it (detached). --stream starts the
 * process instead without writing an image directory ({@code DedupStart.startStreamed}: CRIU reads
 * its files from this JVM while the pages are rebuilt; DIR keeps CRIU's log). The bases must be
 * the ones given to {@code ./medes dedup}, in the same order.
 */
final class RestoreCommand {
    static final String USAGE = "restore --base DIR [--base DIR ...] --out DIR [--start | --stream] [--threads T] DEDUP_FILE";

    private RestoreCommand() {
    }

    static int run(String[] args, PrintStream out) throws Exception {
        DedupCommand.Options o = DedupCommand.Options.parse(args, List.of("--start", "--stream"), false, USAGE);
        if (o.flag("--start") && o.flag("--stream")) {
            throw new IllegalArgumentException("--start and --stream exclude each other (" + USAGE + ")");
        }
        try (OffHeapFingerprintRegistry registry = new OffHeapFingerprintRegistry();
             BaseSandboxes bases = BaseSandboxes.builder().registry(registry).build();
             DedupEngine engine = DedupEngine.builder().threads(o.threads()).build()) {
            DedupCommand.addBases(new CheckpointDedup(engine, bases), o.bases(), out);
            if (o.flag("--stream")) {
                try (DedupStart starts = new DedupStart(engine, bases, CriuCheckpointer.system())) {
                    DedupStartResult s = starts.startStreamed(o.input(), o.out());
                    RebuildResult r = s.rebuild();
                    out.printf("started %s as pid %d in %d ms (criu restore --stream; log in %s)%n", o.input(), s.pid(),
                            s.total().toMillis(), o.out());
                    out.printf("  %d pages (%.1f MiB): read image %d ms, pages rebuilt %d ms (%.0f MB/s, %d threads) "
                                    + "while criu ran %d ms%n", r.pages(), r.bytes() / 1048576.0,
                            r.readImage().toMillis(), r.rebuildPages().toMillis(), r.rebuildMbPerSecond(), o.threads(),
                            s.restore().elapsed().toMillis());
                }
                return 0;
            }
            CriuCheckpointer criu = o.flag("--start") ? CriuCheckpointer.system() : null;
            RebuildResult r = new DedupStart(engine, bases, criu).rebuild(o.input(), o.out());
            out.printf("rebuilt %s into %s%n", o.input(), r.dir());
            out.printf("  %d pages (%.1f MiB): read image %d ms, pages rebuilt %d ms (%.0f MB/s, %d threads), "
                            + "image written %d ms%n", r.pages(), r.bytes() / 1048576.0, r.readImage().toMillis(),
                    r.rebuildPages().toMillis(), r.rebuildMbPerSecond(), o.threads(), r.writeImage().toMillis());
            if (criu != null) {
                RestoreResult s = criu.restore(r.dir());
                out.printf("  restored as pid %d in %d ms (criu restore -d)%n", s.pid(), s.elapsed().toMillis());
            } else {
                out.printf("  restore it with: criu restore -D %s -d%n", r.dir());
            }
        }
        return 0;
    }
}
