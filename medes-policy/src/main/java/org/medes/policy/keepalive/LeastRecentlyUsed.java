package org.medes.policy.keepalive;

import org.medes.policy.SandboxView;

import java.util.Comparator;
import java.util.List;

/** Picks the eviction candidate used longest ago (ties: lowest id). */
final class LeastRecentlyUsed {

    static final Comparator<SandboxView> ORDER =
            Comparator.comparingLong(SandboxView::lastUsedMs).thenComparingLong(SandboxView::id);

    private LeastRecentlyUsed() {
    }

    /** The least recently used candidate, or {@code null} if there is none. */
    static SandboxView pick(List<? extends SandboxView> candidates) {
        SandboxView best = null;
        for (SandboxView s : candidates) {
            if (best == null || ORDER.compare(s, best) < 0) {
                best = s;
            }
        }
        return best;
    }
}
