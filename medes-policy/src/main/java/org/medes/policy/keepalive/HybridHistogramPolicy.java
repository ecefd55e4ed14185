package org.medes.policy.keepalive;

import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.Policy;
import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;

import java.util.List;
import java.util.Objects;

/**
 * The hybrid histogram keep-alive policy of Shahrad et al. (ATC'20): per application, pre-warm
 * and keep-alive windows from a histogram of idle times, with a fixed keep-alive where the
 * histogram is not representative; under memory pressure the least recently used candidate is
 * purged. Never deduplicates.
 *
 * <p>Not thread-safe: one instance per simulation.
 */
public final class HybridHistogramPolicy implements Policy {

    private final IdleTimePredictor predictor;

    /** A policy with {@link IdleTimePredictor#withDefaults()}. */
    public HybridHistogramPolicy() {
        this(IdleTimePredictor.withDefaults());
    }

    /** A policy deciding with {@code predictor}, which it owns from now on (do not share it). */
    public HybridHistogramPolicy(IdleTimePredictor predictor) {
        this.predictor = Objects.requireNonNull(predictor, "predictor");
    }

    @Override
    public String name() {
        return "adaptive";
    }

    @Override
    public void onArrival(int function, long nowMs) {
        predictor.arrival(function, nowMs);
    }

    @Override
    public void onTick(ClusterView cluster, long nowMs) {
        predictor.learnApps(cluster);
    }

    @Override
    public Decision decide(SandboxView sandbox, ClusterView cluster, long nowMs) {
        if (sandbox.state() != SandboxState.IDLE) {
            return Decision.purge();
        }
        predictor.learnApps(cluster);
        String app = predictor.appOf(sandbox.function());
        if (sandbox.invocations() > 0) {
            predictor.invocationEnded(app, sandbox.lastUsedMs());
        }
        IdleTimePredictor.Windows w = predictor.windows(app);
        if (sandbox.prewarmed() && sandbox.invocations() == 0) {
            // The paper counts the keep-alive window of a pre-warmed image from when it is loaded.
            long deadline = Deadlines.plus(sandbox.stateSinceMs(), Math.max(0, w.keepAliveMs() - w.prewarmMs()));
            return nowMs < deadline ? Decision.keepUntil(deadline) : Decision.purge();
        }
        long end = sandbox.lastUsedMs();
        if (w.prewarmMs() > 0) {
            long at = Deadlines.plus(end, w.prewarmMs());
            if (nowMs < at) {
                return Decision.prewarmAt(at);
            }
        }
        long deadline = Deadlines.plus(end, w.keepAliveMs());
        return nowMs < deadline ? Decision.keepUntil(deadline) : Decision.purge();
    }

    @Override
    public Eviction evict(List<? extends SandboxView> candidates, ClusterView cluster, long nowMs) {
        SandboxView victim = LeastRecentlyUsed.pick(candidates);
        return victim == null ? null : Eviction.purge(victim);
    }

    /** The predictor this policy learns with; for tests and reports. */
    IdleTimePredictor predictor() {
        return predictor;
    }

    @Override
    public String toString() {
        return "HybridHistogramPolicy[" + predictor + "]";
    }
}
