package org.medes.policy.trace;

/**
 * The arrival process of one function of a {@link PatternTrace}: the three shapes of the Azure
 * Functions trace (steady Poisson arrivals, periodic timers, on/off bursts of HTTP requests).
 * Values; thread-safe.
 */
public sealed interface ArrivalPattern {

    /** Mean invocations per second over a long run. */
    double meanRatePerSecond();

    /** The trigger name reported in {@link TraceFunction#trigger()}. */
    String trigger();

    /** Poisson arrivals at a constant rate. */
    record Poisson(double ratePerSecond, String trigger) implements ArrivalPattern {
        public Poisson {
            if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
                throw new IllegalArgumentException("Poisson rate must be positive, was " + ratePerSecond);
            }
        }

        @Override
        public double meanRatePerSecond() {
            return ratePerSecond;
        }
    }

    /** A timer firing every {@code periodMs} from a random phase, each firing up to 1 % late. */
    record Timer(double periodMs) implements ArrivalPattern {
        public Timer {
            if (!(periodMs >= 1) || Double.isInfinite(periodMs)) {
                throw new IllegalArgumentException("timer period must be >= 1 ms, was " + periodMs);
            }
        }

        @Override
        public double meanRatePerSecond() {
            return 1000 / periodMs;
        }

        @Override
        public String trigger() {
            return "timer";
        }
    }

    /**
     * Bursts: exponential ON periods (mean {@code meanOnMs}) of Poisson arrivals at
     * {@code onRatePerSecond}, separated by silent OFF periods (mean {@code meanOffMs}).
     */
    record Bursty(double onRatePerSecond, double meanOnMs, double meanOffMs) implements ArrivalPattern {
        public Bursty {
            if (!(onRatePerSecond > 0) || !(meanOnMs > 0) || !(meanOffMs > 0)
                    || Double.isInfinite(onRatePerSecond + meanOnMs + meanOffMs)) {
                throw new IllegalArgumentException("bursty pattern needs positive finite rate and periods: "
                        + onRatePerSecond + "/s, on " + meanOnMs + " ms, off " + meanOffMs + " ms");
            }
        }

        @Override
        public double meanRatePerSecond() {
            return onRatePerSecond * meanOnMs / (meanOnMs + meanOffMs);
        }

        @Override
        public String trigger() {
            return "http";
        }
    }

    /** The same shape with every rate multiplied by {@code factor} (periods divided by it). */
    default ArrivalPattern scaled(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("rate scale must be positive, was " + factor);
        }
        if (this instanceof Poisson p) {
            return new Poisson(p.ratePerSecond() * factor, p.trigger());
        }
        if (this instanceof Timer t) {
            return new Timer(t.periodMs() / factor);
        }
        Bursty b = (Bursty) this;
        return new Bursty(b.onRatePerSecond() * factor, b.meanOnMs(), b.meanOffMs());
    }
}
