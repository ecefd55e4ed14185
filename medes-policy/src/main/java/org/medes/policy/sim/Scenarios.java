package org.medes.policy.sim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.medes.policy.FunctionProfile;
import org.medes.policy.FunctionProfiles;
import org.medes.policy.WorkloadFunction;
import org.medes.policy.trace.ArrivalPattern;
import org.medes.policy.trace.AzureAppMemory;
import org.medes.policy.trace.AzureDurations;
import org.medes.policy.trace.AzureTraceReader;
import org.medes.policy.trace.PatternTrace;
import org.medes.policy.trace.SyntheticTrace;
import org.medes.policy.trace.Trace;
import org.medes.policy.trace.TraceFunction;

/** The scenarios {@code ./medes simulate} knows. Stateless; thread-safe. */
public final class Scenarios {
    /** The paper's cluster: 19 worker nodes capped at 2 GB each. */
    public static final int PAPER_NODES = 19;
    public static final double PAPER_NODE_MB = 2048;
    /** Default rate scale of the paper scenario (see {@link #paper}). */
    public static final double PAPER_RATE_SCALE = 1.0;

    private Scenarios() {
    }

    /**
     * The paper's setup: 19 nodes of 2 GB, the ten FunctionBench profiles (or {@code profiles}
     * with the same count), one hour. The paper drove them with Azure Functions arrival patterns
     * that are not published per function; this scenario gives each function one of the trace's
     * shapes — bursty HTTP (on/off), steady queue/event arrivals, periodic timers — at rates that
     * put the 2 GB nodes under memory pressure in bursts, as the paper's scaling did.
     * {@code rateScale} multiplies the rate of every function but the timer (a periodic job keeps
     * its period).
     */
    public static Scenario paper(long seed, double rateScale, Duration duration, List<FunctionProfile> profiles) {
        List<ArrivalPattern> shapes = List.of(
                new ArrivalPattern.Bursty(100, 60_000, 20 * 60_000),       // Vanilla: HTTP bursts, long silences
                new ArrivalPattern.Bursty(40, 90_000, 12 * 60_000),        // LinAlg
                new ArrivalPattern.Poisson(0.05, "http"),                  // ImagePro: sparse, steady
                new ArrivalPattern.Bursty(5, 120_000, 25 * 60_000),        // VideoPro
                new ArrivalPattern.Timer(15 * 60_000),                     // MapReduce: a job every 15 min
                new ArrivalPattern.Bursty(80, 60_000, 8 * 60_000),         // HTMLServe
                new ArrivalPattern.Poisson(10, "event"),                   // AuthEnc: event stream
                new ArrivalPattern.Poisson(1 / 60.0, "queue"),             // FeatureGen: one a minute
                new ArrivalPattern.Bursty(10, 60_000, 15 * 60_000),        // RNNModel
                new ArrivalPattern.Poisson(1 / 300.0, "queue"));           // ModelTrain: one in 5 min
        if (profiles.size() != shapes.size()) {
            throw new IllegalArgumentException("the paper scenario has " + shapes.size() + " functions, the profiles "
                    + profiles.size());
        }
        List<TraceFunction> tfs = new ArrayList<>();
        List<ArrivalPattern> scaled = new ArrayList<>();
        List<WorkloadFunction> fns = new ArrayList<>();
        for (int i = 0; i < shapes.size(); i++) {
            String name = profiles.get(i).name();
            ArrivalPattern shape = shapes.get(i);
            ArrivalPattern p = shape instanceof ArrivalPattern.Timer ? shape : shape.scaled(rateScale);
            scaled.add(p);
            tfs.add(new TraceFunction("paper", name, name, p.trigger()));
            fns.add(new WorkloadFunction(i, name, profiles.get(i)));
        }
        long ms = duration.toMillis();
        return new Scenario("paper", String.format(java.util.Locale.ROOT,
                "%d nodes x %.0f MB, ten FunctionBench functions, Azure-shaped arrivals x%.2f, %d min, seed %d",
                PAPER_NODES, PAPER_NODE_MB, rateScale, ms / 60_000, seed),
                PAPER_NODES, PAPER_NODE_MB, fns, () -> new PatternTrace(tfs, scaled, ms, seed));
    }

    /** The paper scenario with its defaults: one hour, FunctionBench profiles. */
    public static Scenario paper(long seed) {
        return paper(seed, PAPER_RATE_SCALE, Duration.ofHours(1), FunctionProfiles.paperFunctionBench());
    }

    /**
     * Many functions with the Azure trace's published shapes ({@link SyntheticTrace}); function i
     * gets profile i mod the number of profiles.
     */
    public static Scenario synthetic(long seed, int functions, double rateScale, Duration duration,
                                     List<FunctionProfile> profiles, int nodes, double nodeMb) {
        SyntheticTrace probe = SyntheticTrace.builder().seed(seed).functions(functions).rateScale(rateScale)
                .duration(duration).build();
        List<WorkloadFunction> fns = new ArrayList<>();
        for (int i = 0; i < probe.functions().size(); i++) {
            fns.add(new WorkloadFunction(i, probe.functions().get(i).app(), renamed(profiles.get(i % profiles.size()), i)));
        }
        return new Scenario("synthetic", functions + " synthetic Azure-shaped functions x" + rateScale + ", seed " + seed,
                nodes, nodeMb, fns, once(probe));
    }

    /**
     * Days of the public Azure Functions 2019 trace. With the durations and memory files, each
     * function's execution time and memory come from them (cold start modelled as for the paper
     * functions); without, function i gets profile i mod the number of profiles.
     */
    public static Scenario azure(List<Path> dayFiles, Path durations, Path memory, int limit, long minInvocations,
                                 long seed, List<FunctionProfile> profiles, int nodes, double nodeMb) {
        AzureTraceReader.Builder b = AzureTraceReader.builder(dayFiles).seed(seed)
                .totalInvocationsBetween(minInvocations, Long.MAX_VALUE);
        if (limit > 0) {
            b.limit(limit);
        }
        AzureTraceReader reader = b.build();
        AzureDurations d = durations == null ? null : AzureDurations.read(durations);
        AzureAppMemory m = memory == null ? null : AzureAppMemory.read(memory);
        List<WorkloadFunction> fns = new ArrayList<>();
        for (int i = 0; i < reader.functions().size(); i++) {
            TraceFunction tf = reader.functions().get(i);
            FunctionProfile base = renamed(profiles.get(i % profiles.size()), i);
            double exec = d == null ? base.execMs() : d.averageMs(tf).orElse(base.execMs());
            double mem = m == null ? base.memoryMb() : Math.min(nodeMb, Math.max(1, m.averageMb(tf).orElse(base.memoryMb())));
            double cold = m == null ? base.coldStartMs() : 1000 + 25 * mem;
            fns.add(new WorkloadFunction(i, tf.app(), new FunctionProfile(base.name(), mem, Math.max(0, exec), cold,
                    base.warmStartMs(), base.dedupStartMs(), base.dedupSavings())));
        }
        return new Scenario("azure", reader.functions().size() + " functions of " + dayFiles.size()
                + " Azure trace day(s)", nodes, nodeMb, fns, once(reader));
    }

    private static FunctionProfile renamed(FunctionProfile p, int i) {
        return new FunctionProfile(p.name() + "-" + i, p.memoryMb(), p.execMs(), p.coldStartMs(), p.warmStartMs(),
                p.dedupStartMs(), p.dedupSavings());
    }

    private static Supplier<Trace> once(Trace t) {
        AtomicBoolean used = new AtomicBoolean();
        return () -> {
            if (used.getAndSet(true)) {
                throw new IllegalStateException("this scenario's trace streams once; build the scenario again");
            }
            return t;
        };
    }
}
