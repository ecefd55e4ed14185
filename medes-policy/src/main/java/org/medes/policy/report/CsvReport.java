package org.medes.policy.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.medes.policy.sim.SideBySide.Comparison;
import org.medes.policy.sim.SimulationResult;

/**
 * Writes a run as three CSV files: {@code summary.csv} (one row per policy), {@code functions.csv}
 * (per policy and function) and {@code memory.csv} (memory over time, per policy). Stateless;
 * thread-safe.
 */
public final class CsvReport {
    private CsvReport() {
    }

    /** Writes the files into {@code dir} (created if needed) and returns their paths. */
    public static List<Path> write(Comparison c, Path dir) {
        try {
            Files.createDirectories(dir);
            Path summary = dir.resolve("summary.csv");
            Path functions = dir.resolve("functions.csv");
            Path memory = dir.resolve("memory.csv");
            Files.writeString(summary, summary(c), StandardCharsets.UTF_8);
            Files.writeString(functions, functions(c), StandardCharsets.UTF_8);
            Files.writeString(memory, memory(c), StandardCharsets.UTF_8);
            return List.of(summary, functions, memory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write CSV reports into " + dir, e);
        }
    }

    static String summary(Comparison c) {
        StringBuilder sb = new StringBuilder("policy,invocations,cold_starts,dedup_starts,warm_starts,p50_ms,p99_ms,"
                + "p999_ms,mean_latency_ms,mean_memory_mb,peak_memory_mb,mean_warm_sandboxes,mean_dedup_sandboxes,"
                + "waited,evictions\n");
        for (SimulationResult r : c.results()) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d%n",
                    r.policy(), r.invocations(), r.coldStarts(), r.dedupStarts(), r.warmStarts(), r.p50Ms(), r.p99Ms(),
                    r.p999Ms(), r.meanLatencyMs(), r.meanMemoryMb(), r.peakMemoryMb(), r.meanWarm(), r.meanDedup(),
                    r.waited(), r.evictions()));
        }
        return sb.toString();
    }

    static String functions(Comparison c) {
        StringBuilder sb = new StringBuilder("policy,function,name,invocations,cold_starts,dedup_starts,warm_starts,"
                + "mean_latency_ms\n");
        for (SimulationResult r : c.results()) {
            for (SimulationResult.FunctionStats f : r.functions()) {
                sb.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%d,%d,%.3f%n", r.policy(), f.function(), f.name(),
                        f.invocations(), f.coldStarts(), f.dedupStarts(), f.warmStarts(), f.meanLatencyMs()));
            }
        }
        return sb.toString();
    }

    static String memory(Comparison c) {
        StringBuilder sb = new StringBuilder("policy,time_s,used_mb,warm_mb,dedup_mb,warm_sandboxes,dedup_sandboxes\n");
        for (SimulationResult r : c.results()) {
            for (SimulationResult.MemorySample m : r.samples()) {
                sb.append(String.format(Locale.ROOT, "%s,%.3f,%.3f,%.3f,%.3f,%d,%d%n", r.policy(), m.timeMs() / 1000.0,
                        m.usedMb(), m.warmMb(), m.dedupMb(), m.warmSandboxes(), m.dedupSandboxes()));
            }
        }
        return sb.toString();
    }
}
