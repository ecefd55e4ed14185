package org.medes.policy.trace;

import java.util.SplittableRandom;

/**
 * The arrival times of one synthetic function, generated one at a time in non-decreasing order;
 * times are ms from the trace start, held as doubles so rounding never drifts. Not thread-safe.
 */
abstract class ArrivalProcess {

    final int function;
    final SplittableRandom random;
    /** The next arrival, ms, rounded down; {@link Long#MAX_VALUE} once there is none. */
    long next;

    ArrivalProcess(int function, SplittableRandom random) {
        this.function = function;
        this.random = random;
    }

    /** Moves {@link #next} to the following arrival. */
    abstract void advance();

    final double exponential(double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    /** Poisson arrivals at a constant rate. */
    static final class Poisson extends ArrivalProcess {
        private final double meanGapMs;
        private double t;

        Poisson(int function, SplittableRandom random, double ratePerMs) {
            super(function, random);
            this.meanGapMs = 1 / ratePerMs;
            advance();
        }

        @Override
        void advance() {
            t += exponential(meanGapMs);
            next = toMs(t);
        }
    }

    /** A timer: every {@code periodMs} from a random phase, each firing late by up to {@code jitterMs}. */
    static final class Timer extends ArrivalProcess {
        private final double periodMs;
        private final double phaseMs;
        private final double jitterMs;
        private long k;

        Timer(int function, SplittableRandom random, double periodMs, double jitterMs) {
            super(function, random);
            this.periodMs = periodMs;
            this.jitterMs = jitterMs;
            this.phaseMs = random.nextDouble() * periodMs;
            advance();
        }

        @Override
        void advance() {
            next = toMs(phaseMs + k++ * periodMs + random.nextDouble() * jitterMs);
        }
    }

    /**
     * On/off Markov-modulated Poisson: exponential ON periods with Poisson arrivals at
     * {@code onRatePerMs}, exponential silent OFF periods.
     */
    static final class Bursty extends ArrivalProcess {
        private final double onGapMs;
        private final double meanOnMs;
        private final double meanOffMs;
        private boolean on;
        private double stateEnd;
        private double t;

        Bursty(int function, SplittableRandom random, double onRatePerMs, double meanOnMs, double meanOffMs) {
            super(function, random);
            this.onGapMs = 1 / onRatePerMs;
            this.meanOnMs = meanOnMs;
            this.meanOffMs = meanOffMs;
            // start in the stationary state; the time left in it is exponential (memoryless)
            on = random.nextDouble() < meanOnMs / (meanOnMs + meanOffMs);
            stateEnd = exponential(on ? meanOnMs : meanOffMs);
            advance();
        }

        @Override
        void advance() {
            while (true) {
                if (on) {
                    double gap = exponential(onGapMs);
                    if (t + gap < stateEnd) {
                        t += gap;
                        next = toMs(t);
                        return;
                    }
                    t = stateEnd;
                    on = false;
                    stateEnd = t + exponential(meanOffMs);
                } else {
                    t = stateEnd;
                    on = true;
                    stateEnd = t + exponential(meanOnMs);
                }
                if (t >= Long.MAX_VALUE / 2.0) {
                    next = Long.MAX_VALUE;
                    return;
                }
            }
        }
    }

    static long toMs(double t) {
        return t >= Long.MAX_VALUE / 2.0 ? Long.MAX_VALUE : (long) t;
    }
}
