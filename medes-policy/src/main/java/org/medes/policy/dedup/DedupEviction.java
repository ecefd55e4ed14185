package org.medes.policy.dedup;

import org.medes.policy.ClusterView;
import org.medes.policy.Eviction;
import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;

import java.util.Comparator;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The memory-pressure order shared by the dedup policies: deduplicate an idle warm sandbox of a
 * function above its warm target (least recently used first), else purge a deduplicated sandbox
 * (of a function above its dedup target first, oldest first) or a base no deduplicated sandbox
 * uses, else deduplicate any idle one.
 */
final class DedupEviction {

    private static final Comparator<SandboxView> LRU =
            Comparator.comparingLong(SandboxView::lastUsedMs).thenComparingLong(SandboxView::id);
    private static final Comparator<SandboxView> OLDEST_DEDUP =
            Comparator.comparingLong(SandboxView::stateSinceMs).thenComparingLong(SandboxView::id);

    private DedupEviction() {
    }

    static Eviction choose(List<? extends SandboxView> candidates, ClusterView cluster,
                           IntUnaryOperator warmTarget, IntUnaryOperator dedupTarget) {
        SandboxView idleAbove = null;
        SandboxView dedupAbove = null;
        SandboxView anyDedup = null;
        SandboxView anyIdle = null;
        for (SandboxView s : candidates) {
            int f = s.function();
            if (s.state() == SandboxState.IDLE && s.base()) {
                // a base without dependents: it can only be purged, as late as a deduplicated one
                anyDedup = min(anyDedup, s, OLDEST_DEDUP);
            } else if (s.state() == SandboxState.IDLE) {
                anyIdle = min(anyIdle, s, LRU);
                if (warm(cluster, f) > warmTarget.applyAsInt(f)) {
                    idleAbove = min(idleAbove, s, LRU);
                }
            } else if (s.state() == SandboxState.DEDUP) {
                anyDedup = min(anyDedup, s, OLDEST_DEDUP);
                if (cluster.count(f, SandboxState.DEDUP) > dedupTarget.applyAsInt(f)) {
                    dedupAbove = min(dedupAbove, s, OLDEST_DEDUP);
                }
            }
        }
        if (idleAbove != null) {
            return Eviction.dedup(idleAbove);
        }
        if (dedupAbove != null) {
            return Eviction.purge(dedupAbove);
        }
        if (anyDedup != null) {
            return Eviction.purge(anyDedup);
        }
        return anyIdle == null ? null : Eviction.dedup(anyIdle);
    }

    /** Warm sandboxes of {@code f}: idle, busy, and starting or restoring (warm once ready). */
    static int warm(ClusterView cluster, int f) {
        return cluster.count(f, SandboxState.IDLE) + cluster.count(f, SandboxState.BUSY)
                + cluster.count(f, SandboxState.STARTING) + cluster.count(f, SandboxState.RESTORING);
    }

    private static SandboxView min(SandboxView a, SandboxView b, Comparator<SandboxView> order) {
        return a == null || order.compare(b, a) < 0 ? b : a;
    }
}
