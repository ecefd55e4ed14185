package org.medes.policy.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import org.medes.policy.trace.Invocation;
import org.medes.policy.trace.Trace;

/**
 * Feeds one pass of a trace to several simulations at once, so every policy sees exactly the same
 * events (the model is Caffeine's simulator).
 *
 * <p>Not thread-safe; runs on the calling thread.
 */
public final class SideBySide {
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private SideBySide() {
    }

    /** Progress of a long run: the share of the trace's time simulated and the events so far. */
    @FunctionalInterface
    public interface Progress {
        void report(double fraction, long invocations, double eventsPerSecond);

        Progress NONE = (f, n, e) -> {
        };
    }

    /**
     * The outcome of one pass.
     *
     * @param results         one per simulation, in the order given
     * @param invocations     invocations in the trace
     * @param eventsPerSecond invocations times policies, per second of wall time
     */
    public record Comparison(List<SimulationResult> results, long invocations, double eventsPerSecond,
                             long traceDurationMs) {
        public Comparison {
            results = List.copyOf(results);
        }

        public SimulationResult result(String policy) {
            return results.stream().filter(r -> r.policy().equals(policy)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no policy named " + policy + " in this run"));
        }
    }

    public static Comparison run(Trace trace, List<ClusterSimulation> simulations, Progress progress) {
        if (simulations.isEmpty()) {
            throw new IllegalArgumentException("no simulations to run");
        }
        long duration = trace.durationMs();
        long started = System.nanoTime();
        long lastReport = started;
        long n = 0;
        try (Stream<Invocation> stream = trace.invocations()) {
            Iterator<Invocation> it = stream.iterator();
            while (it.hasNext()) {
                Invocation inv = it.next();
                for (ClusterSimulation s : simulations) {
                    s.accept(inv);
                }
                n++;
                if ((n & 0xFFF) == 0) {
                    long t = System.nanoTime();
                    if (t - lastReport >= PROGRESS_EVERY_NANOS) {
                        lastReport = t;
                        progress.report(duration == 0 ? 0 : (double) inv.timeMs() / duration, n,
                                rate(n * simulations.size(), t - started));
                    }
                }
            }
        }
        List<SimulationResult> results = new ArrayList<>();
        for (ClusterSimulation s : simulations) {
            results.add(s.finish(duration));
        }
        double eps = rate(n * simulations.size(), System.nanoTime() - started);
        progress.report(1, n, eps);
        return new Comparison(results, n, eps, duration);
    }

    private static double rate(long events, long nanos) {
        return nanos <= 0 ? 0 : events * 1e9 / nanos;
    }
}
