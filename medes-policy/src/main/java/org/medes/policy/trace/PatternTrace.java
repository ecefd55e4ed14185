package org.medes.policy.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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
        PriorityQueue<ArrivalProcess> heap = new PriorityQueue<>(functions.size(),
                Comparator.<ArrivalProcess>comparingLong(p -> p.next).thenComparingInt(p -> p.function));
        SplittableRandom root = new SplittableRandom(seed);
        List<ArrivalProcess> processes = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            processes.add(process(patterns.get(i), i, root.split()));
        }
        for (ArrivalProcess p : processes) {
            if (p.next < durationMs) {
                heap.add(p);
            }
        }
        Iterator<Invocation> it = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heap.isEmpty();
            }

            @Override
            public Invocation next() {
                ArrivalProcess p = heap.poll();
                if (p == null) {
                    throw new NoSuchElementException();
                }
                Invocation inv = new Invocation(p.next, p.function);
                p.advance();
                if (p.next < durationMs) {
                    heap.add(p);
                }
                return inv;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
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
