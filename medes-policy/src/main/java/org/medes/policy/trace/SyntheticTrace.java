package org.medes.policy.trace;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * A generated trace with the published shapes of the Azure Functions 2019 workload: rates over
 * eight orders of magnitude, periodic timers, bursty HTTP, rare functions and the paper's trigger
 * mix; the same seed gives the same trace. The model is described in the package documentation.
 *
 * <p>Streams with memory proportional to the number of functions. Not thread-safe: one thread
 * streams it.
 */
public final class SyntheticTrace implements Trace {

    /** Triggers, in the order of {@link #FUNCTION_SHARE} and {@link #INVOCATION_SHARE}. */
    static final String[] TRIGGERS = {"http", "timer", "queue", "orchestration", "storage", "event", "others"};
    /** Share of functions per trigger (paper, Fig. 3). */
    static final double[] FUNCTION_SHARE = {0.55, 0.16, 0.15, 0.07, 0.03, 0.02, 0.02};
    /** Share of invocations per trigger (paper, Fig. 3); sets each trigger's rate multiplier. */
    static final double[] INVOCATION_SHARE = {0.36, 0.02, 0.34, 0.02, 0.007, 0.25, 0.01};
    /** Base rate anchors, invocations per day, and the share of functions at or below each. */
    static final double[] RATE_PER_DAY = {0.1, 24, 1440, 86_400, 8_640_000};
    static final double[] RATE_CDF = {0, 0.45, 0.81, 0.97, 1};
    /** Timer periods, s: a timer's period is the one nearest (in log) to 1 / its rate. */
    static final double[] TIMER_PERIODS_S = {1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
            10_800, 21_600, 43_200, 86_400, 604_800};
    /** Share of time a bursty HTTP function is ON. */
    static final double DUTY = 0.1;
    /** Mean arrivals in one ON period, and the least mean ON length, ms. */
    static final double ARRIVALS_PER_BURST = 20;
    static final double MIN_ON_MS = 5_000;
    /** Base rates below this (one a day) are rare: Poisson whatever the trigger, timers excepted. */
    static final double RARE_PER_DAY = 1;

    private static final double MS_PER_DAY = 86_400_000;

    private final long seed;
    private final long durationMs;
    private final List<TraceFunction> functions;
    private final double[] ratePerMs;
    private final double rateScale;
    private boolean streamed;

    private SyntheticTrace(Builder b) {
        this.seed = b.seed;
        this.durationMs = b.duration.toMillis();
        this.rateScale = b.rateScale;
        int n = b.functions;
        List<TraceFunction> fs = new ArrayList<>(n);
        ratePerMs = new double[n];
        SplittableRandom shape = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int app = i < b.apps ? i : (int) (b.apps * Math.pow(shape.nextDouble(), 2));
            int t = pick(shape.nextDouble(), FUNCTION_SHARE);
            double basePerDay = baseRatePerDay(shape.nextDouble());
            double perDay = basePerDay * INVOCATION_SHARE[t] / FUNCTION_SHARE[t] * rateScale;
            if (t == 1) {
                perDay = 86_400 / timerPeriodS(perDay);
            }
            ratePerMs[i] = perDay / MS_PER_DAY;
            fs.add(new TraceFunction("o" + app / 2, "a" + app, "f" + i, TRIGGERS[t]));
        }
        this.functions = Collections.unmodifiableList(fs);
    }

    /** A builder with defaults: seed 0, 1000 functions, 600 apps, one day, rate scale 1. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<TraceFunction> functions() {
        return functions;
    }

    @Override
    public long durationMs() {
        return durationMs;
    }

    /** The model's mean rate of {@code function}, invocations per second (the stream's is random around it). */
    public double meanRatePerSecond(int function) {
        return ratePerMs[function] * 1000;
    }

    @Override
    public Stream<Invocation> invocations() {
        if (streamed) {
            throw new IllegalStateException("invocations() may be called once per trace");
        }
        streamed = true;
        // the arrival streams split off a generator of their own, so the shape draws above and
        // each function's arrivals never share random numbers
        SplittableRandom root = new SplittableRandom(~seed);
        List<ArrivalProcess> processes = new ArrayList<>(functions.size());
        for (int i = 0; i < functions.size(); i++) {
            processes.add(process(i, root.split()));
        }
        return ArrivalMerge.stream(processes, durationMs);
    }

    private ArrivalProcess process(int i, SplittableRandom random) {
        double rate = ratePerMs[i];
        if (!(rate > 0)) {
            return null;
        }
        String trigger = functions.get(i).trigger();
        if (trigger.equals("timer")) {
            double period = 1 / rate;
            return new ArrivalProcess.Timer(i, random, period, Math.min(0.01 * period, 1000));
        }
        boolean rare = rate * MS_PER_DAY / rateScale < RARE_PER_DAY;
        if (trigger.equals("http") && !rare) {
            double onRate = rate / DUTY;
            double meanOn = Math.max(ARRIVALS_PER_BURST / onRate, MIN_ON_MS);
            return new ArrivalProcess.Bursty(i, random, onRate, meanOn, meanOn * (1 - DUTY) / DUTY);
        }
        return new ArrivalProcess.Poisson(i, random, rate);
    }

    static double baseRatePerDay(double u) {
        int k = 1;
        while (k < RATE_CDF.length - 1 && u > RATE_CDF[k]) {
            k++;
        }
        double f = (u - RATE_CDF[k - 1]) / (RATE_CDF[k] - RATE_CDF[k - 1]);
        double lo = Math.log10(RATE_PER_DAY[k - 1]);
        double hi = Math.log10(RATE_PER_DAY[k]);
        return Math.pow(10, lo + f * (hi - lo));
    }

    static double timerPeriodS(double perDay) {
        double wanted = Math.log(86_400 / perDay);
        double best = TIMER_PERIODS_S[0];
        for (double p : TIMER_PERIODS_S) {
            if (Math.abs(Math.log(p) - wanted) < Math.abs(Math.log(best) - wanted)) {
                best = p;
            }
        }
        return best;
    }

    private static int pick(double u, double[] shares) {
        double acc = 0;
        for (int i = 0; i < shares.length; i++) {
            acc += shares[i];
            if (u < acc) {
                return i;
            }
        }
        return shares.length - 1;
    }

    /** Sets seed, size, duration and rate scale; each may be set once. Not thread-safe. */
    public static final class Builder {
        private long seed;
        private boolean seedSet;
        private int functions = 1000;
        private boolean functionsSet;
        private int apps = -1;
        private Duration duration = Duration.ofDays(1);
        private boolean durationSet;
        private double rateScale = 1;
        private boolean rateScaleSet;

        private Builder() {
        }

        /** Seed of every random draw; default 0. */
        public Builder seed(long seed) {
            once(seedSet, "seed");
            this.seed = seed;
            seedSet = true;
            return this;
        }

        /** Number of functions; default 1000. */
        public Builder functions(int functions) {
            once(functionsSet, "functions");
            if (functions <= 0) {
                throw new IllegalArgumentException("functions must be positive, was " + functions);
            }
            this.functions = functions;
            functionsSet = true;
            return this;
        }

        /** Number of applications, at most the number of functions; default 60% of the functions. */
        public Builder apps(int apps) {
            once(this.apps >= 0, "apps");
            if (apps <= 0) {
                throw new IllegalArgumentException("apps must be positive, was " + apps);
            }
            this.apps = apps;
            return this;
        }

        /** Length of the trace; default one day. */
        public Builder duration(Duration duration) {
            once(durationSet, "duration");
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.toMillis() <= 0) {
                throw new IllegalArgumentException("duration must be at least 1 ms, was " + duration);
            }
            this.duration = duration;
            durationSet = true;
            return this;
        }

        /** Multiplies every function's rate (timers: before their period is rounded); default 1. */
        public Builder rateScale(double rateScale) {
            once(rateScaleSet, "rateScale");
            if (!(rateScale > 0) || Double.isInfinite(rateScale)) {
                throw new IllegalArgumentException("rateScale must be positive and finite, was " + rateScale);
            }
            this.rateScale = rateScale;
            rateScaleSet = true;
            return this;
        }

        /** The trace; its functions and rates are drawn now, its arrivals while streaming. */
        public SyntheticTrace build() {
            if (apps < 0) {
                apps = Math.max(1, (int) Math.round(functions * 0.6));
            }
            if (apps > functions) {
                throw new IllegalArgumentException("apps (" + apps + ") must not exceed functions (" + functions + ")");
            }
            return new SyntheticTrace(this);
        }

        private static void once(boolean set, String what) {
            if (set) {
                throw new IllegalStateException(what + " was already set");
            }
        }
    }
}
