package org.medes.policy.dedup;

import org.medes.policy.FunctionProfile;

/**
 * The Medes paper's per-function sizing (§5): how many warm ({@code W}) and deduplicated
 * ({@code D}) sandboxes serve a peak arrival rate, minimising memory under a startup-latency
 * bound or startup latency under a memory budget.
 *
 * <p>Thread-safe: stateless.
 */
public final class MedesTargets {

    /** Relative slack for comparing computed rates, latencies and memory with their bounds. */
    private static final double EPS = 1e-9;

    private MedesTargets() {
    }

    /**
     * One choice of {@code W} and {@code D}.
     *
     * @param warm        W, warm sandboxes
     * @param dedup       D, deduplicated sandboxes
     * @param memoryMb    M = W·m_W + D·m_D
     * @param meanStartMs S, mean startup time of a request served by them (0 when W = D = 0)
     * @param feasible    whether the constraint of the mode was met (mode 2 with a budget below
     *                    the smallest footprint that serves the rate is not)
     */
    public record Target(int warm, int dedup, double memoryMb, double meanStartMs, boolean feasible) {
        public static final Target NONE = new Target(0, 0, 0, 0, true);
    }

    /**
     * Mode 1: the smallest M with W/R_W + D/R_D ≥ λ and S ≤ α·s_W (ties: smaller S).
     *
     * @param peakPerSecond λ_max, requests per second (≥ 0)
     * @param alpha         α ≥ 1
     */
    public static Target minimiseMemory(double peakPerSecond, FunctionProfile profile, double alpha) {
        checkRate(peakPerSecond);
        if (!(alpha >= 1)) {
            throw new IllegalArgumentException("alpha must be >= 1, was " + alpha);
        }
        Model m = new Model(peakPerSecond, profile);
        double bound = alpha * m.sW;
        Target best = null;
        for (int w = 0; w <= m.wMax; w++) {
            Target t = m.target(w, m.dedupFor(w), true);
            if (t.meanStartMs() <= bound + EPS * Math.max(1, bound)
                    && (best == null || lessMemory(t, best))) {
                best = t;
            }
        }
        return best; // W = wMax, D = 0 always qualifies since S = s_W <= α·s_W
    }

    /**
     * Mode 2: the smallest S with W/R_W + D/R_D ≥ λ and M ≤ budget (ties: smaller M). If no
     * choice fits the budget, the smallest-memory choice serving λ, marked not feasible.
     *
     * @param peakPerSecond λ_max, requests per second (≥ 0)
     * @param budgetMb      M0_f, MB (≥ 0)
     */
    public static Target minimiseStartup(double peakPerSecond, FunctionProfile profile, double budgetMb) {
        checkRate(peakPerSecond);
        if (!(budgetMb >= 0)) {
            throw new IllegalArgumentException("budgetMb must be >= 0, was " + budgetMb);
        }
        Model m = new Model(peakPerSecond, profile);
        Target best = null;
        Target smallest = null;
        for (int w = 0; w <= m.wMax; w++) {
            Target t = m.target(w, m.dedupFor(w), true);
            if (smallest == null || lessMemory(t, smallest)) {
                smallest = t;
            }
            if (t.memoryMb() <= budgetMb + EPS * Math.max(1, budgetMb)
                    && (best == null || t.meanStartMs() < best.meanStartMs()
                        || t.meanStartMs() == best.meanStartMs() && t.memoryMb() < best.memoryMb())) {
                best = t;
            }
        }
        return best != null ? best
                : new Target(smallest.warm(), smallest.dedup(), smallest.memoryMb(), smallest.meanStartMs(), false);
    }

    private static boolean lessMemory(Target a, Target b) {
        return a.memoryMb() < b.memoryMb()
                || a.memoryMb() == b.memoryMb() && a.meanStartMs() < b.meanStartMs();
    }

    private static void checkRate(double rate) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("peak rate must be finite and >= 0, was " + rate);
        }
    }

    /** λ and a profile in the paper's symbols; reuse periods below 1 ms are taken as 1 ms. */
    private static final class Model {
        final double lambda;
        final double rW;
        final double rD;
        final double sW;
        final double sD;
        final double mW;
        final double mD;
        final int wMax;

        Model(double peakPerSecond, FunctionProfile p) {
            lambda = peakPerSecond;
            rW = Math.max(1, p.warmReuseMs()) / 1000.0;
            rD = Math.max(1, p.dedupReuseMs()) / 1000.0;
            sW = p.warmStartMs();
            sD = p.dedupStartMs();
            mW = p.memoryMb();
            mD = p.dedupMemoryMb();
            double w = Math.ceil(lambda * rW - EPS);
            if (w > Integer.MAX_VALUE - 1) {
                throw new IllegalArgumentException("peak rate " + peakPerSecond + " needs too many sandboxes");
            }
            wMax = (int) Math.max(0, w);
        }

        /** The fewest deduplicated sandboxes that, with {@code w} warm ones, serve λ. */
        int dedupFor(int w) {
            double left = lambda - w / rW;
            return left <= 0 ? 0 : (int) Math.max(0, Math.ceil(left * rD - EPS));
        }

        Target target(int w, int d, boolean feasible) {
            double warmRate = w / rW;
            double dedupRate = d / rD;
            double rate = warmRate + dedupRate;
            double s = rate == 0 ? 0 : (warmRate * sW + dedupRate * sD) / rate;
            return new Target(w, d, w * mW + d * mD, s, feasible);
        }
    }
}
