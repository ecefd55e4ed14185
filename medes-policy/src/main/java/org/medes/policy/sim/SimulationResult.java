package org.medes.policy.sim;

import java.util.List;

/**
 * What one policy did over one trace.
 *
 * @param policy          the policy's name
 * @param invocations     requests served (each exactly once)
 * @param coldStarts      requests that booted a sandbox (or waited for a pre-warm still booting)
 * @param dedupStarts     requests served by restoring a deduplicated sandbox
 * @param warmStarts      requests served by an idle warm sandbox
 * @param p50Ms           end-to-end latency (wait + start + execution), median, ms
 * @param p99Ms           99th percentile, ms
 * @param p999Ms          99.9th percentile, ms
 * @param meanLatencyMs   mean end-to-end latency, ms
 * @param meanMemoryMb    cluster memory held by sandboxes, time-averaged over the trace, MB
 * @param peakMemoryMb    the most memory held at once, MB
 * @param meanWarm        warm sandboxes (starting, busy, idle, restoring), time-averaged
 * @param meanDedup       deduplicated sandboxes, time-averaged
 * @param waited          requests that had to wait for memory
 * @param evictions       sandboxes deduplicated or purged under memory pressure
 * @param samples         memory over time, one sample per interval
 * @param functions       the same counts per function, by function id
 */
public record SimulationResult(String policy, long invocations, long coldStarts, long dedupStarts,
                               long warmStarts, double p50Ms, double p99Ms, double p999Ms,
                               double meanLatencyMs, double meanMemoryMb, double peakMemoryMb,
                               double meanWarm, double meanDedup, long waited, long evictions,
                               List<MemorySample> samples, List<FunctionStats> functions) {

    public SimulationResult {
        samples = List.copyOf(samples);
        functions = List.copyOf(functions);
    }

    /** The cluster at one instant. */
    public record MemorySample(long timeMs, double usedMb, double warmMb, double dedupMb,
                               int warmSandboxes, int dedupSandboxes) {
    }

    /** One function's share of a run. */
    public record FunctionStats(int function, String name, long invocations, long coldStarts,
                                long dedupStarts, long warmStarts, double meanLatencyMs) {
    }
}
