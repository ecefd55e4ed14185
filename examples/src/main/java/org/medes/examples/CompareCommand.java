package org.medes.examples;

import org.medes.core.engine.DedupEngine;
import org.medes.criu.compare.Compare;
import org.medes.criu.compare.CompareEngine;
import org.medes.criu.compare.ComparePair;
import org.medes.criu.compare.CompareReport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./medes compare --base DIR --target DIR [--json] [--threads T] [--runs N] [--warm-up S]
 * [--zstd-level L]}: stores the target checkpoint's pages with every engine of {@link Compare}
 * against the base checkpoint and prints each one's stored bytes, saved share, encode and decode
 * MB/s and whether its round trip rebuilt every page (a table, or one JSON line with --json).
 * Exits 1 when a round trip was not verified.
 * {@code --threads} is the {@code medes} engine's (default 1, as every other engine runs on one);
 * {@code --runs} measured round trips per engine after its warm-up, speeds their medians (default 1);
 * {@code --warm-up} seconds of warm-up round trips per engine before them (default 0: one round trip);
 * {@code --zstd-level} the {@code medes} engine's payload block level (default
 * {@value DedupEngine#DEFAULT_ZSTD_LEVEL}, as {@code ./medes dedup}).
 */
final class CompareCommand {
    static final String USAGE =
            "compare --base DIR --target DIR [--json] [--threads T] [--runs N] [--warm-up SECONDS] [--zstd-level L]";

    private CompareCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path base = null;
        Path target = null;
        boolean json = false;
        int threads = 1;
        int runs = 1;
        double warmUpSeconds = 0;
        int zstdLevel = DedupEngine.DEFAULT_ZSTD_LEVEL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--base" -> base = Path.of(CheckpointCommand.value(args, i++));
                case "--target" -> target = Path.of(CheckpointCommand.value(args, i++));
                case "--json" -> json = true;
                case "--threads" -> threads = Integer.parseInt(CheckpointCommand.value(args, i++));
                case "--runs" -> runs = Integer.parseInt(CheckpointCommand.value(args, i++));
                case "--warm-up" -> warmUpSeconds = Double.parseDouble(CheckpointCommand.value(args, i++));
                case "--zstd-level" -> zstdLevel = Integer.parseInt(CheckpointCommand.value(args, i++));
                default -> throw new IllegalArgumentException("unexpected argument " + args[i] + " (" + USAGE + ")");
            }
        }
        if (base == null || target == null) {
            throw new IllegalArgumentException("--base and --target are required (" + USAGE + ")");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1");
        }
        if (!(warmUpSeconds >= 0 && warmUpSeconds <= 3600)) {
            throw new IllegalArgumentException("--warm-up must be 0 to 3600 seconds, not " + warmUpSeconds);
        }
        if (zstdLevel < 0 || zstdLevel > 22) {
            throw new IllegalArgumentException("--zstd-level must be in 0..22, was " + zstdLevel);
        }
        java.time.Duration warmUp = java.time.Duration.ofNanos((long) (warmUpSeconds * 1e9));
        List<CompareEngine> engines = Compare.engines(threads, zstdLevel);
        CompareReport report;
        try (ComparePair pair = ComparePair.read(base, target)) {
            report = Compare.run(pair, engines, runs, warmUp, err);
        } finally {
            engines.forEach(CompareEngine::close);
        }
        if (json) {
            out.println(report.toJson());
        } else {
            out.printf("base %s, target %s (medes on %d thread%s at zstd level %d; %s after %s per engine)%n",
                    base, target, threads, threads == 1 ? "" : "s", zstdLevel,
                    runs == 1 ? "one warm run" : "medians of " + runs + " warm runs",
                    warmUp.isZero() ? "one warm-up round trip" : "warm-up round trips for " + warmUpSeconds + " s");
            out.print(report.toTable());
        }
        if (!report.allVerified()) {
            err.println("compare: a round trip did not rebuild every page (verified=false above)");
            return 1;
        }
        return 0;
    }
}
