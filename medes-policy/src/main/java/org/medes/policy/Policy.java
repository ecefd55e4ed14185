package org.medes.policy;

import java.util.List;

/**
 * Decides, per function, how long sandboxes stay warm, when they are deduplicated and when they
 * are purged. The simulator (or a platform) calls it; time is always passed in, never read.
 *
 * <p>Call order: {@link #onArrival} for every request before it is served; {@link #decide} each
 * time a sandbox becomes idle (after an invocation, or when a pre-warmed one is ready), becomes
 * deduplicated, or reaches the time of its last {@link Decision#keepUntil keep}; {@link #evict}
 * when a node lacks memory for a sandbox; {@link #onTick} every {@link #tickIntervalMs()}.
 *
 * <p>Not thread-safe: one instance serves one simulation (or one controller thread).
 */
public interface Policy {

    /** Short name used in reports: {@code fixed}, {@code adaptive}, {@code medes}, ... */
    String name();

    /** A request for {@code function} arrived at {@code nowMs}. */
    default void onArrival(int function, long nowMs) {
    }

    /**
     * What to do with {@code sandbox}, which is {@link SandboxState#IDLE} or
     * {@link SandboxState#DEDUP}. Base sandboxes are never passed while they are pinned.
     */
    Decision decide(SandboxView sandbox, ClusterView cluster, long nowMs);

    /**
     * A node needs memory: pick one of {@code candidates} (idle warm or deduplicated sandboxes on
     * that node, no pinned bases) to deduplicate or purge, or return {@code null} to refuse (the
     * request then waits). Called repeatedly until enough memory is free.
     */
    Eviction evict(List<? extends SandboxView> candidates, ClusterView cluster, long nowMs);

    /** Periodic work (recomputing targets); default: nothing. */
    default void onTick(ClusterView cluster, long nowMs) {
    }

    /** How often {@link #onTick} runs, ms. */
    default long tickIntervalMs() {
        return 60_000;
    }
}
