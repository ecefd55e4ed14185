package org.medes.policy.report;

import java.util.Locale;

import org.medes.policy.sim.SimulationResult;

/**
 * How much better one policy did than a baseline, overall and for the function where it helped
 * most (the paper's "up to" figures are per application).
 *
 * @param policy             the policy compared
 * @param baseline           the baseline
 * @param meanLatencyRatio   baseline mean end-to-end latency / policy's
 * @param p99Ratio           baseline p99 / policy's
 * @param coldStartRatio     baseline cold starts / policy's (infinite when the policy had none)
 * @param bestLatencyRatio   the largest per-function mean-latency ratio
 * @param bestLatencyFunction the function it was measured on
 * @param bestColdStartRatio the largest per-function cold-start ratio (functions the baseline
 *                           cold-started at least 10 times)
 * @param bestColdFunction   the function it was measured on
 */
public record Headline(String policy, String baseline, double meanLatencyRatio, double p99Ratio,
                       double coldStartRatio, double bestLatencyRatio, String bestLatencyFunction,
                       double bestColdStartRatio, String bestColdFunction) {

    private static final int MIN_BASELINE_COLD = 10;

    public static Headline of(SimulationResult policy, SimulationResult baseline) {
        double bestLat = 0;
        String bestLatFn = "-";
        double bestCold = 0;
        String bestColdFn = "-";
        for (int f = 0; f < policy.functions().size(); f++) {
            SimulationResult.FunctionStats p = policy.functions().get(f);
            SimulationResult.FunctionStats b = baseline.functions().get(f);
            if (p.invocations() > 0 && p.meanLatencyMs() > 0) {
                double r = b.meanLatencyMs() / p.meanLatencyMs();
                if (r > bestLat) {
                    bestLat = r;
                    bestLatFn = p.name();
                }
            }
            if (b.coldStarts() >= MIN_BASELINE_COLD) {
                double r = ratio(b.coldStarts(), p.coldStarts());
                if (r > bestCold) {
                    bestCold = r;
                    bestColdFn = p.name();
                }
            }
        }
        return new Headline(policy.policy(), baseline.policy(), ratio(baseline.meanLatencyMs(), policy.meanLatencyMs()),
                ratio(baseline.p99Ms(), policy.p99Ms()), ratio(baseline.coldStarts(), policy.coldStarts()),
                bestLat, bestLatFn, bestCold, bestColdFn);
    }

    private static double ratio(double base, double mine) {
        if (mine == 0) {
            return base == 0 ? 1 : Double.POSITIVE_INFINITY;
        }
        return base / mine;
    }

    /** One line: "medes vs fixed: mean latency 1.9x better (up to 2.4x, LinAlg), ...". */
    public String describe() {
        return String.format(Locale.ROOT,
                "%s vs %s: mean latency %sx better (up to %sx, %s), p99 %sx, cold starts %sx fewer (up to %sx, %s)",
                policy, baseline, x(meanLatencyRatio), x(bestLatencyRatio), bestLatencyFunction, x(p99Ratio),
                x(coldStartRatio), x(bestColdStartRatio), bestColdFunction);
    }

    private static String x(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(Locale.ROOT, "%.2f", v);
    }
}
