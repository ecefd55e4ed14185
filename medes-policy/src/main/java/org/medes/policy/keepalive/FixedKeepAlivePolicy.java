package org.medes.policy.keepalive;

import org.medes.policy.ClusterView;
import org.medes.policy.Decision;
import org.medes.policy.Eviction;
import org.medes.policy.Policy;
import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;

import java.util.List;

/**
 * Keeps an idle sandbox warm for a fixed time after its last use, then purges it; under memory
 * pressure purges the least recently used candidate. Never deduplicates.
 *
 * <p>Not thread-safe: one instance per simulation.
 */
public final class FixedKeepAlivePolicy implements Policy {

    /** Ten minutes: the fixed keep-alive the Medes paper compares against (its best fixed baseline). */
    public static final long DEFAULT_KEEP_ALIVE_MS = 10 * 60_000L;

    private final long keepAliveMs;

    /** A policy with {@link #DEFAULT_KEEP_ALIVE_MS}. */
    public FixedKeepAlivePolicy() {
        this(DEFAULT_KEEP_ALIVE_MS);
    }

    /** A policy keeping idle sandboxes warm for {@code keepAliveMs} (> 0) after their last use. */
    public FixedKeepAlivePolicy(long keepAliveMs) {
        if (keepAliveMs <= 0) {
            throw new IllegalArgumentException("keepAliveMs must be > 0, was " + keepAliveMs);
        }
        this.keepAliveMs = keepAliveMs;
    }

    public long keepAliveMs() {
        return keepAliveMs;
    }

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public Decision decide(SandboxView sandbox, ClusterView cluster, long nowMs) {
        if (sandbox.state() != SandboxState.IDLE) {
            return Decision.purge();
        }
        long deadline = Deadlines.plus(sandbox.lastUsedMs(), keepAliveMs);
        return nowMs < deadline ? Decision.keepUntil(deadline) : Decision.purge();
    }

    @Override
    public Eviction evict(List<? extends SandboxView> candidates, ClusterView cluster, long nowMs) {
        SandboxView victim = LeastRecentlyUsed.pick(candidates);
        return victim == null ? null : Eviction.purge(victim);
    }

    @Override
    public String toString() {
        return "FixedKeepAlivePolicy[keepAliveMs=" + keepAliveMs + "]";
    }
}
