package org.medes.policy.dedup;

import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.FunctionProfile;
import org.medes.policy.Policy;
import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;

import java.util.List;

/**
 * The Medes paper's keep-alive / keep-dedup policy: every tick, per function, the warm and
 * deduplicated sandbox counts {@code W}, {@code D} of {@link MedesTargets} for the peak arrival
 * rate; idle warm sandboxes beyond {@code W} are deduplicated after the idle period and
 * deduplicated ones beyond {@code D} purged after the keep-dedup period.
 *
 * <p>Not thread-safe: one instance per simulation.
 */
public final class MedesPolicy implements Policy {
    /** The fixed keep-alive the default keep-dedup period is the memory-equivalent of. */
    static final long FIXED_KEEP_ALIVE_MS = 10 * 60_000L;

    /** What the per-function sizing optimises. */
    public enum Mode {
        /** Mode 1: least memory with mean startup within α × warm start. */
        MIN_MEMORY,
        /** Mode 2: least mean startup within a share of the cluster's memory. */
        MIN_STARTUP
    }

    private final Mode mode;
    private final long idlePeriodMs;
    /** Fixed keep-dedup period, or null: memory-equivalent of the fixed keep-alive, per function. */
    private final Long keepDedupMs;
    private final long tickIntervalMs;
    private final TargetBook book;
    private final String settings;

    private MedesPolicy(Builder b) {
        this.mode = b.mode != null ? b.mode : Mode.MIN_MEMORY;
        double alpha = b.alpha != null ? b.alpha : 2.5;
        double share = b.memoryShare != null ? b.memoryShare : 0.5;
        this.idlePeriodMs = b.idlePeriodMs != null ? b.idlePeriodMs : 60_000L;
        this.keepDedupMs = b.keepDedupMs;
        long window = b.rateWindowMs != null ? b.rateWindowMs : 10 * 60_000L;
        long bucket = b.rateBucketMs != null ? b.rateBucketMs : 1_000L;
        this.tickIntervalMs = b.tickIntervalMs != null ? b.tickIntervalMs : 60_000L;
        if (mode == Mode.MIN_MEMORY && b.memoryShare != null || mode == Mode.MIN_STARTUP && b.alpha != null) {
            throw new IllegalStateException("alpha belongs to MIN_MEMORY and memoryShare to MIN_STARTUP, mode is " + mode);
        }
        this.book = new TargetBook(bucket, window, mode == Mode.MIN_MEMORY, alpha, share);
        this.settings = "mode=" + mode + (mode == Mode.MIN_MEMORY ? ", alpha=" + alpha : ", memoryShare=" + share)
                + ", idlePeriodMs=" + idlePeriodMs + ", keepDedupMs=" + (keepDedupMs != null ? keepDedupMs : "memory-equivalent") + ", rateWindowMs=" + window
                + ", rateBucketMs=" + bucket + ", tickIntervalMs=" + tickIntervalMs;
    }

    /** A policy with every default (mode 1, α = 2.5). */
    public static MedesPolicy withDefaults() {
        return newBuilder().build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@code medes} in mode 1, {@code medes-budget} in mode 2. */
    @Override
    public String name() {
        return mode == Mode.MIN_MEMORY ? "medes" : "medes-budget";
    }

    @Override
    public void onArrival(int function, long nowMs) {
        book.arrival(function, nowMs);
    }

    @Override
    public void onTick(ClusterView cluster, long nowMs) {
        book.recompute(cluster, nowMs);
    }

    @Override
    public long tickIntervalMs() {
        return tickIntervalMs;
    }

    @Override
    public Decision decide(SandboxView sandbox, ClusterView cluster, long nowMs) {
        book.ensure(cluster, nowMs);
        int f = sandbox.function();
        MedesTargets.Target t = book.target(f);
        if (sandbox.state() == SandboxState.IDLE) {
            long at = plus(sandbox.stateSinceMs(), idlePeriodMs);
            if (nowMs < at) {
                return Decision.keepUntil(at);
            }
            if (DedupEviction.warm(cluster, f) <= t.warm()) {
                return Decision.keepUntil(plus(nowMs, tickIntervalMs));
            }
            if (!sandbox.base()) {
                return Decision.dedup();
            }
            // a base no deduplicated sandbox uses cannot itself be deduplicated: it goes when a
            // deduplicated sandbox would have been purged
            long purgeAt = plus(at, keepDedupMs(cluster.function(f).profile()));
            return nowMs < purgeAt ? Decision.keepUntil(purgeAt) : Decision.purge();
        }
        if (sandbox.state() == SandboxState.DEDUP) {
            long at = plus(sandbox.stateSinceMs(), keepDedupMs(cluster.function(f).profile()));
            if (nowMs < at) {
                return Decision.keepUntil(at);
            }
            return cluster.count(f, SandboxState.DEDUP) > t.dedup() ? Decision.purge() : Decision.keepUntil(plus(nowMs, tickIntervalMs));
        }
        return Decision.keepUntil(plus(nowMs, tickIntervalMs));
    }

    @Override
    public Eviction evict(List<? extends SandboxView> candidates, ClusterView cluster, long nowMs) {
        book.ensure(cluster, nowMs);
        return DedupEviction.choose(candidates, cluster, f -> book.target(f).warm(), f -> book.target(f).dedup());
    }

    /**
     * How long a deduplicated sandbox of this function is kept before it may be purged: the set
     * value, or by default the memory-equivalent of the fixed 10-minute keep-alive — a sandbox idle
     * for the idle period and then deduplicated holds, over its whole idle life, the memory-time
     * of a warm sandbox kept 10 minutes: (10 min - idle period) x m_W / m_D (60 minutes at 85 %
     * savings and a 1-minute idle period).
     */
    public long keepDedupMs(FunctionProfile profile) {
        if (keepDedupMs != null) {
            return keepDedupMs;
        }
        return memoryEquivalentKeepDedupMs(profile, idlePeriodMs);
    }

    static long memoryEquivalentKeepDedupMs(FunctionProfile profile, long idlePeriodMs) {
        double warmLeft = Math.max(0, FIXED_KEEP_ALIVE_MS - idlePeriodMs);
        double v = warmLeft * profile.memoryMb() / profile.dedupMemoryMb();
        return v >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(v);
    }

    /** The target of {@code function} as of the last tick; for tests and reports. */
    public MedesTargets.Target target(int function) {
        return book.target(function);
    }

    @Override
    public String toString() {
        return "MedesPolicy[" + settings + "]";
    }

    static long plus(long t, long d) {
        long r = t + d;
        return ((t ^ r) & (d ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * Settings of a {@link MedesPolicy}; each may be set once. Defaults: mode 1, α = 2.5
     * (mode 2: half the cluster's capacity split by peak rate), idle period 1 minute, keep-dedup
     * the memory-equivalent of a 10-minute keep-alive ({@link MedesPolicy#keepDedupMs}), λ_max = the largest 1-second arrival count in the last 10 minutes, tick 1 minute.
     */
    public static final class Builder {
        private Mode mode;
        private Double alpha;
        private Double memoryShare;
        private Long idlePeriodMs;
        private Long keepDedupMs;
        private Long rateWindowMs;
        private Long rateBucketMs;
        private Long tickIntervalMs;

        private Builder() {
        }

        public Builder mode(Mode v) {
            once(mode, "mode");
            if (v == null) {
                throw new IllegalArgumentException("mode is null");
            }
            mode = v;
            return this;
        }

        /** Mode 1's bound: mean startup at most α × warm start, α ≥ 1. */
        public Builder alpha(double v) {
            once(alpha, "alpha");
            if (!(v >= 1) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("alpha must be finite and >= 1, was " + v);
            }
            alpha = v;
            return this;
        }

        /** Mode 2's budget M0 as a share of the cluster's capacity, (0, 1]. */
        public Builder memoryShare(double v) {
            once(memoryShare, "memoryShare");
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException("memoryShare must be in (0, 1], was " + v);
            }
            memoryShare = v;
            return this;
        }

        /** How long a sandbox stays idle warm before it may be deduplicated. */
        public Builder idlePeriodMs(long v) {
            once(idlePeriodMs, "idlePeriodMs");
            idlePeriodMs = nonNegative(v, "idlePeriodMs");
            return this;
        }

        /** How long a sandbox stays deduplicated before it may be purged. */
        public Builder keepDedupMs(long v) {
            once(keepDedupMs, "keepDedupMs");
            keepDedupMs = nonNegative(v, "keepDedupMs");
            return this;
        }

        /** The window λ_max is the peak of. */
        public Builder rateWindowMs(long v) {
            once(rateWindowMs, "rateWindowMs");
            rateWindowMs = positive(v, "rateWindowMs");
            return this;
        }

        /** The bucket arrivals are counted in; λ_max = largest bucket count / bucket length. */
        public Builder rateBucketMs(long v) {
            once(rateBucketMs, "rateBucketMs");
            rateBucketMs = positive(v, "rateBucketMs");
            return this;
        }

        /** How often the targets are recomputed, and the recheck delay of sandboxes kept by a target. */
        public Builder tickIntervalMs(long v) {
            once(tickIntervalMs, "tickIntervalMs");
            tickIntervalMs = positive(v, "tickIntervalMs");
            return this;
        }

        public MedesPolicy build() {
            return new MedesPolicy(this);
        }

        static void once(Object current, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set to " + current);
            }
        }

        static long positive(long v, String name) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, was " + v);
            }
            return v;
        }

        static long nonNegative(long v, String name) {
            if (v < 0) {
                throw new IllegalArgumentException(name + " must be >= 0, was " + v);
            }
            return v;
        }
    }
}
