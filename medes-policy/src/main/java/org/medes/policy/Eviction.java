package org.medes.policy;

/**
 * A policy's answer to memory pressure: free memory by deduplicating an idle warm sandbox or by
 * purging an idle or deduplicated one.
 */
public record Eviction(SandboxView victim, Decision.Action action) {
    public Eviction {
        if (victim == null) {
            throw new IllegalArgumentException("victim is null");
        }
        if (action != Decision.Action.DEDUP && action != Decision.Action.PURGE) {
            throw new IllegalArgumentException("an eviction deduplicates or purges, not " + action);
        }
        if (action == Decision.Action.DEDUP && victim.state() != SandboxState.IDLE) {
            throw new IllegalArgumentException("only an idle warm sandbox can be deduplicated, sandbox "
                    + victim.id() + " is " + victim.state());
        }
    }

    public static Eviction purge(SandboxView victim) {
        return new Eviction(victim, Decision.Action.PURGE);
    }

    public static Eviction dedup(SandboxView victim) {
        return new Eviction(victim, Decision.Action.DEDUP);
    }
}
