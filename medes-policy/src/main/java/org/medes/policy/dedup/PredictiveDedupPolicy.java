package org.medes.policy.dedup;

import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.FunctionProfile;
import org.medes.policy.Policy;
import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;
import org.medes.policy.keepalive.IdleTimePredictor;

import java.util.List;
import java.util.Objects;

/**
 * Medes with the hybrid histogram's prediction: an idle sandbox stays warm while the next
 * request is likely soon (idle times up to a short percentile), is deduplicated while it may still
 * come (up to a stretched keep-alive window) and purged after; pre-warms as the histogram policy
 * does; MedesPolicy's warm / dedup counts are kept as floors for functions under high load.
 *
 * <p>Not thread-safe: one instance per simulation.
 */
public final class PredictiveDedupPolicy implements Policy {

    private final IdleTimePredictor predictor;
    private final double warmPercentile;
    private final double dedupStretch;
    private final double floorLoad;
    private final long idlePeriodMs;
    /** Fixed keep-dedup period, or null: MedesPolicy's memory-equivalent one, per function. */
    private final Long keepDedupMs;
    private final long tickIntervalMs;
    private final TargetBook book;
    private final String settings;

    private PredictiveDedupPolicy(Builder b) {
        this.predictor = b.predictor != null ? b.predictor : IdleTimePredictor.withDefaults();
        this.warmPercentile = b.warmPercentile != null ? b.warmPercentile : 0.5;
        this.dedupStretch = b.dedupStretch != null ? b.dedupStretch : 2.0;
        this.floorLoad = b.floorLoad != null ? b.floorLoad : 1.0;
        double alpha = b.alpha != null ? b.alpha : 2.5;
        this.idlePeriodMs = b.idlePeriodMs != null ? b.idlePeriodMs : 60_000L;
        this.keepDedupMs = b.keepDedupMs;
        this.tickIntervalMs = 60_000L;
        this.book = new TargetBook(1_000L, 10 * 60_000L, true, alpha, 1);
        this.settings = "warmPercentile=" + warmPercentile + ", dedupStretch=" + dedupStretch + ", floorLoad="
                + floorLoad + ", alpha=" + alpha + ", idlePeriodMs=" + idlePeriodMs + ", keepDedupMs=" + (keepDedupMs != null ? keepDedupMs : "memory-equivalent")
                + ", " + predictor;
    }

    public static PredictiveDedupPolicy withDefaults() {
        return newBuilder().build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "medes-adaptive";
    }

    @Override
    public void onArrival(int function, long nowMs) {
        book.arrival(function, nowMs);
        predictor.arrival(function, nowMs);
    }

    @Override
    public void onTick(ClusterView cluster, long nowMs) {
        predictor.learnApps(cluster);
        book.recompute(cluster, nowMs);
    }

    @Override
    public long tickIntervalMs() {
        return tickIntervalMs;
    }

    @Override
    public Decision decide(SandboxView sandbox, ClusterView cluster, long nowMs) {
        predictor.learnApps(cluster);
        book.ensure(cluster, nowMs);
        int f = sandbox.function();
        String app = predictor.appOf(f);
        if (sandbox.state() == SandboxState.IDLE) {
            if (sandbox.invocations() > 0) {
                predictor.invocationEnded(app, sandbox.lastUsedMs());
            }
            return decideIdle(sandbox, cluster, nowMs, f, app);
        }
        if (sandbox.state() == SandboxState.DEDUP) {
            IdleTimePredictor.Windows w = predictor.windows(app);
            long medes = MedesPolicy.plus(sandbox.stateSinceMs(), keepDedupMs(cluster.function(f).profile()));
            long at = w.fromHistogram()
                    ? Math.max(medes, MedesPolicy.plus(sandbox.lastUsedMs(), stretched(w.keepAliveMs())))
                    : medes;
            if (nowMs < at) {
                return Decision.keepUntil(at);
            }
            return cluster.count(f, SandboxState.DEDUP) > dedupFloor(f, cluster)
                    ? Decision.purge() : recheck(nowMs);
        }
        return recheck(nowMs);
    }

    private Decision decideIdle(SandboxView s, ClusterView cluster, long nowMs, int f, String app) {
        IdleTimePredictor.Windows w = predictor.windows(app);
        boolean aboveFloor = DedupEviction.warm(cluster, f) > warmFloor(f, cluster);
        long at;
        if (!w.fromHistogram()) {
            at = MedesPolicy.plus(s.stateSinceMs(), idlePeriodMs);
        } else if (s.prewarmed() && s.invocations() == 0) {
            at = MedesPolicy.plus(s.stateSinceMs(), Math.max(0, w.keepAliveMs() - w.prewarmMs()));
        } else {
            long end = s.lastUsedMs();
            long prewarmAt = MedesPolicy.plus(end, w.prewarmMs());
            if (w.prewarmMs() > 0 && aboveFloor && nowMs < prewarmAt) {
                return Decision.prewarmAt(prewarmAt);
            }
            long soon = predictor.percentileMs(app, warmPercentile);
            at = MedesPolicy.plus(end, Math.min(w.keepAliveMs(), Math.max(0, soon)));
        }
        if (nowMs < at) {
            return Decision.keepUntil(at);
        }
        if (!aboveFloor) {
            return recheck(nowMs);
        }
        if (!s.base()) {
            return Decision.dedup();
        }
        // a base no deduplicated sandbox uses cannot itself be deduplicated: it goes when a
        // deduplicated sandbox would have been purged
        long medes = MedesPolicy.plus(at, keepDedupMs(cluster.function(f).profile()));
        long purgeAt = w.fromHistogram()
                ? Math.max(medes, MedesPolicy.plus(s.lastUsedMs(), stretched(w.keepAliveMs())))
                : medes;
        return nowMs < purgeAt ? Decision.keepUntil(purgeAt) : Decision.purge();
    }

    @Override
    public Eviction evict(List<? extends SandboxView> candidates, ClusterView cluster, long nowMs) {
        book.ensure(cluster, nowMs);
        return DedupEviction.choose(candidates, cluster, f -> warmFloor(f, cluster), f -> dedupFloor(f, cluster));
    }

    /** MedesPolicy's W for {@code f} if its peak load is at least the floor load, else 0. */
    int warmFloor(int f, ClusterView cluster) {
        return highLoad(f, cluster) ? book.target(f).warm() : 0;
    }

    /** MedesPolicy's D for {@code f} if its peak load is at least the floor load, else 0. */
    int dedupFloor(int f, ClusterView cluster) {
        return highLoad(f, cluster) ? book.target(f).dedup() : 0;
    }

    private boolean highLoad(int f, ClusterView cluster) {
        FunctionProfile p = cluster.function(f).profile();
        return book.peak(f) * p.warmReuseMs() / 1000.0 >= floorLoad;
    }

    /** The set keep-dedup period, or MedesPolicy's memory-equivalent one for this function. */
    long keepDedupMs(org.medes.policy.FunctionProfile profile) {
        return keepDedupMs != null ? keepDedupMs : MedesPolicy.memoryEquivalentKeepDedupMs(profile, idlePeriodMs);
    }

    private long stretched(long keepAliveMs) {
        double v = keepAliveMs * dedupStretch;
        return v >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(v);
    }

    private Decision recheck(long nowMs) {
        return Decision.keepUntil(MedesPolicy.plus(nowMs, tickIntervalMs));
    }

    @Override
    public String toString() {
        return "PredictiveDedupPolicy[" + settings + "]";
    }

    /**
     * Settings of a {@link PredictiveDedupPolicy}; each may be set once. Defaults: a default
     * {@link IdleTimePredictor}; warm up to the median idle time (its bin's upper edge plus the
     * margin, at most the keep-alive window); deduplicated up to 2 × the keep-alive window after the
     * last use; floors from mode-1 targets (α = 2.5) when λ_max × R_W ≥ 1 sandbox; without a
     * representative histogram, MedesPolicy's 1-minute idle and 10-minute keep-dedup periods.
     */
    public static final class Builder {
        private IdleTimePredictor predictor;
        private Double warmPercentile;
        private Double dedupStretch;
        private Double floorLoad;
        private Double alpha;
        private Long idlePeriodMs;
        private Long keepDedupMs;

        private Builder() {
        }

        /** The predictor, owned by the policy from now on (do not share it). */
        public Builder predictor(IdleTimePredictor v) {
            MedesPolicy.Builder.once(predictor, "predictor");
            predictor = Objects.requireNonNull(v, "predictor");
            return this;
        }

        /** Keep warm until this percentile of the idle times, (0, 1]. */
        public Builder warmPercentile(double v) {
            MedesPolicy.Builder.once(warmPercentile, "warmPercentile");
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException("warmPercentile must be in (0, 1], was " + v);
            }
            warmPercentile = v;
            return this;
        }

        /** Keep deduplicated until this multiple of the keep-alive window after the last use, ≥ 1. */
        public Builder dedupStretch(double v) {
            MedesPolicy.Builder.once(dedupStretch, "dedupStretch");
            if (!(v >= 1) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("dedupStretch must be finite and >= 1, was " + v);
            }
            dedupStretch = v;
            return this;
        }

        /** Apply the W / D floors when λ_max × R_W (busy sandboxes at the peak) is at least this, ≥ 0. */
        public Builder floorLoad(double v) {
            MedesPolicy.Builder.once(floorLoad, "floorLoad");
            if (!(v >= 0)) {
                throw new IllegalArgumentException("floorLoad must be >= 0, was " + v);
            }
            floorLoad = v;
            return this;
        }

        /** α of the mode-1 floors, ≥ 1. */
        public Builder alpha(double v) {
            MedesPolicy.Builder.once(alpha, "alpha");
            if (!(v >= 1) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("alpha must be finite and >= 1, was " + v);
            }
            alpha = v;
            return this;
        }

        /** Idle period when the histogram is not used. */
        public Builder idlePeriodMs(long v) {
            MedesPolicy.Builder.once(idlePeriodMs, "idlePeriodMs");
            idlePeriodMs = MedesPolicy.Builder.nonNegative(v, "idlePeriodMs");
            return this;
        }

        /** Keep-dedup period when the histogram is not used. */
        public Builder keepDedupMs(long v) {
            MedesPolicy.Builder.once(keepDedupMs, "keepDedupMs");
            keepDedupMs = MedesPolicy.Builder.nonNegative(v, "keepDedupMs");
            return this;
        }

        public PredictiveDedupPolicy build() {
            return new PredictiveDedupPolicy(this);
        }
    }
}
