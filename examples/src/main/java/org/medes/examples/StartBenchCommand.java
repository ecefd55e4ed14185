package org.medes.examples;

import org.medes.criu.checkpoint.CriuCheckpointer;
import org.medes.criu.checkpoint.StartBenchmark;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./medes start-bench [--runs N] [--warm-up N] [--engine-warm-up SECONDS] [--mode cli|rpc|both]
 * [--threads T] [--dir DIR]}: cold start, plain CRIU restore and dedup start of a Python/numpy
 * worker, medians of N runs after the engine's warm-up (default 3 s of rebuilds) and the warm-up
 * rounds (default 2) ({@link StartBenchmark}); root, images on /dev/shm.
 */
final class StartBenchCommand {
    static final String USAGE = "start-bench [--runs N] [--warm-up N] [--engine-warm-up SECONDS] [--mode cli|rpc|both] [--threads T] [--dir DIR]";

    private StartBenchCommand() {
    }

    static int run(String[] args, PrintStream out) throws IOException {
        int runs = 7;
        int warmUp = StartBenchmark.WARM_UP;
        double engineWarmUp = StartBenchmark.ENGINE_WARM_UP.toMillis() / 1000.0;
        int threads = Runtime.getRuntime().availableProcessors();
        List<CriuCheckpointer.Mode> modes = List.of(CriuCheckpointer.Mode.values());
        Path dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(CheckpointCommand.value(args, i++));
                case "--threads" -> threads = Integer.parseInt(CheckpointCommand.value(args, i++));
                case "--warm-up" -> warmUp = Integer.parseInt(CheckpointCommand.value(args, i++));
                case "--engine-warm-up" -> engineWarmUp = Double.parseDouble(CheckpointCommand.value(args, i++));
                case "--dir" -> dir = Path.of(CheckpointCommand.value(args, i++));
                case "--mode" -> {
                    String m = CheckpointCommand.value(args, i++);
                    modes = m.equals("both") ? List.of(CriuCheckpointer.Mode.values())
                            : List.of(CriuCheckpointer.Mode.of(m));
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: " + USAGE);
            }
        }
        if (runs < 1 || threads < 1 || warmUp < 0 || !(engineWarmUp >= 0 && engineWarmUp <= 3600)) {
            throw new IllegalArgumentException("--runs and --threads must be at least 1, --warm-up at least 0, "
                    + "--engine-warm-up 0 to 3600 seconds");
        }
        boolean temporary = dir == null;
        if (temporary) {
            dir = Files.createTempDirectory(Path.of("/dev/shm"), "medes-start-bench-");
        }
        try {
            out.printf("start-bench: %d runs (+%d warm-up), modes %s, %d engine threads, in %s; load %s%n", runs,
                    warmUp, modes, threads, dir, loadAverage());
            org.medes.criu.tool.Criu.ensureAvailability();
            out.println("CRIU " + org.medes.criu.tool.Criu.binary().path() + ": " + org.medes.criu.tool.Criu.kdatCache());
            StartBenchmark.Samples s = new StartBenchmark(dir, threads, modes, out, warmUp,
                    java.time.Duration.ofMillis(Math.round(engineWarmUp * 1000))).run(runs);
            out.printf("%nmedians of %d runs (ms); load after: %s%n", runs, loadAverage());
            for (Map.Entry<String, List<Double>> e : s.all().entrySet()) {
                List<Double> v = new ArrayList<>(e.getValue());
                v.sort(null);
                out.printf(Locale.ROOT, "  %-36s %7.1f   (min %.1f, max %.1f)%n", e.getKey(), s.median(e.getKey()),
                        v.get(0), v.get(v.size() - 1));
            }
            double cold = s.median("cold start");
            for (CriuCheckpointer.Mode mode : modes) {
                String m = mode.name().toLowerCase(Locale.ROOT);
                double plain = s.median("plain restore " + m + " + answer");
                double dedup = s.median("dedup start " + m + " + answer");
                out.printf(Locale.ROOT, "%s: dedup start %.1f ms = %.2fx plain restore (%.1f ms; target <= 1.5x), "
                        + "cold start %.1f ms = %.2fx dedup start (target >= 3x)%n", m, dedup, dedup / plain, plain,
                        cold, cold / dedup);
            }
            String best = modes.contains(CriuCheckpointer.Mode.RPC) ? "rpc" : modes.get(0).name().toLowerCase(Locale.ROOT);
            double plain = s.median("plain restore " + best + " + answer");
            double streamed = s.median("streamed dedup start + answer");
            out.printf(Locale.ROOT, "streamed: dedup start %.1f ms = %.2fx plain restore (%s, %.1f ms; target <= 1.5x), "
                    + "cold start %.1f ms = %.2fx dedup start (target >= 3x)%n", streamed, streamed / plain, best, plain,
                    cold, cold / streamed);
            if (modes.contains(CriuCheckpointer.Mode.RPC)) {
                double plainAhead = s.median("plain restore rpc, swrk ahead + answer");
                double streamedAhead = s.median("streamed dedup start, criu ahead + answer");
                out.printf(Locale.ROOT, "criu started ahead of need: streamed dedup start %.1f ms = %.2fx plain restore "
                        + "(rpc, swrk ahead, %.1f ms); %.2fx plain restore (rpc, %.1f ms)%n", streamedAhead,
                        streamedAhead / plainAhead, plainAhead, streamedAhead / plain, plain);
            }
        } finally {
            if (temporary) {
                FileTrees.delete(dir);
            }
        }
        return 0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
