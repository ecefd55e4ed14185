package org.medes.policy;

/** What a policy may read of one sandbox. Valid only during the call it is passed to. */
public interface SandboxView {
    long id();

    /** Index of the function, as in {@link ClusterView#function(int)}. */
    int function();

    int node();

    SandboxState state();

    /** When the sandbox entered its current state, ms. */
    long stateSinceMs();

    /** When it last finished an invocation (or became ready, if it never ran one), ms. */
    long lastUsedMs();

    /** Invocations it has served. */
    long invocations();

    /** Whether it was started ahead of demand by a {@link Decision#prewarmAt pre-warm}. */
    boolean prewarmed();

    /** Whether it is a base sandbox: pinned warm while deduplicated sandboxes use its pages. */
    boolean base();

    /** Memory it holds now, MB. */
    double memoryMb();
}
