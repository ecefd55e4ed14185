package org.medes.policy.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A trace of a few named functions, each with its own {@link ArrivalPattern}; streams in time
 * order with memory proportional to the number of functions; the same seed gives the same trace.
 *
 * <p>Not thread-safe; {@link #invocations()} may be called once.
 */
public final class PatternTrace implements Trace {
    private final List<TraceFunction> functions;
    private final List<ArrivalPattern> patterns;
    private final long durationMs;
    private final long seed;
    private boolean streamed;

    /**
     * @param functions  the functions, indexed like {@code patterns}
     * @param patterns   one arrival pattern per function
     * @param durationMs length of the trace, ms
     * @param seed       random seed
     */
    public PatternTrace(List<TraceFunction> functions, List<ArrivalPattern> patterns, long durationMs, long seed) {
        if (functions.size() != patterns.size() || functions.isEmpty()) {
            throw new IllegalArgumentException("need one pattern per function: " + functions.size() + " functions, "
                    + patterns.size() + " patterns");
        }
        if (durationMs <= 0) {
            throw new IllegalArgumentException("duration must be positive, was " + durationMs + " ms");
        }
        this.functions = List.copyOf(functions);
        this.patterns = List.copyOf(patterns);
        this.durationMs = durationMs;
        this.seed = seed;
    }

    @Override
    public List<TraceFunction> functions() {
        return functions;
    }

    @Override
    public long durationMs() {
        return durationMs;
    }

    public List<ArrivalPattern> patterns() {
        return patterns;
    }

    @Override
    public Stream<Invocation> invocations() {
        if (streamed) {
            throw new IllegalStateException("invocations() may be called once per trace");
        }
        streamed = true;
        SplittableRandom root = new SplittableRandom(seed);
        List<ArrivalProcess> processes = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            processes.add(process(patterns.get(i), i, root.split()));
        }
        return ArrivalMerge.stream(processes, durationMs);
    }

    private static ArrivalProcess process(ArrivalPattern pattern, int index, SplittableRandom random) {
        if (pattern instanceof ArrivalPattern.Poisson p) {
            return new ArrivalProcess.Poisson(index, random, p.ratePerSecond() / 1000);
        }
        if (pattern instanceof ArrivalPattern.Timer t) {
            return new ArrivalProcess.Timer(index, random, t.periodMs(), Math.min(0.01 * t.periodMs(), 1000));
        }
        ArrivalPattern.Bursty b = (ArrivalPattern.Bursty) pattern;
        return new ArrivalProcess.Bursty(index, random, b.onRatePerSecond() / 1000, b.meanOnMs(), b.meanOffMs());
    }
}
