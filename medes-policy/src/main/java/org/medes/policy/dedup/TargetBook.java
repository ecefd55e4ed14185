package org.medes.policy.dedup;

import org.medes.policy.ClusterView;
import org.medes.policy.FunctionProfile;

import java.util.Arrays;

/**
 * The current {@link MedesTargets} of every function, recomputed from the arrival peaks on each
 * tick (or on first use, before the first tick).
 *
 * <p>Not thread-safe.
 */
final class TargetBook {

    private final ArrivalPeaks peaks;
    private final boolean minimiseMemory;
    private final double alpha;
    private final double memoryShare;
    private MedesTargets.Target[] targets = new MedesTargets.Target[0];
    private double[] peak = new double[0];
    private boolean computed;

    TargetBook(long bucketMs, long windowMs, boolean minimiseMemory, double alpha, double memoryShare) {
        this.peaks = new ArrivalPeaks(bucketMs, windowMs);
        this.minimiseMemory = minimiseMemory;
        this.alpha = alpha;
        this.memoryShare = memoryShare;
    }

    void arrival(int function, long nowMs) {
        peaks.record(function, nowMs);
    }

    /** Recomputes every function's target; mode 2 splits its budget by peak rate. */
    void recompute(ClusterView cluster, long nowMs) {
        int n = cluster.functions();
        if (targets.length != n) {
            targets = new MedesTargets.Target[n];
            peak = new double[n];
        }
        double sum = 0;
        for (int f = 0; f < n; f++) {
            peak[f] = peaks.peakPerSecond(f, nowMs);
            sum += peak[f];
        }
        double budget = memoryShare * cluster.capacityMb();
        for (int f = 0; f < n; f++) {
            FunctionProfile p = cluster.function(f).profile();
            if (peak[f] == 0) {
                targets[f] = MedesTargets.Target.NONE;
            } else if (minimiseMemory) {
                targets[f] = MedesTargets.minimiseMemory(peak[f], p, alpha);
            } else {
                targets[f] = MedesTargets.minimiseStartup(peak[f], p, budget * peak[f] / sum);
            }
        }
        computed = true;
    }

    /** Computes the targets if no tick has yet. */
    void ensure(ClusterView cluster, long nowMs) {
        if (!computed || targets.length < cluster.functions()) {
            recompute(cluster, nowMs);
        }
    }

    MedesTargets.Target target(int function) {
        return function < targets.length ? targets[function] : MedesTargets.Target.NONE;
    }

    /** λ_max of {@code function} at the last recomputation, per second. */
    double peak(int function) {
        return function < peak.length ? peak[function] : 0;
    }

    @Override
    public String toString() {
        return "TargetBook" + Arrays.toString(targets);
    }
}
