package org.medes.policy.sim;

import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;

/** One simulated sandbox; mutable, owned by its {@link ClusterSimulation}. */
final class Sandbox implements SandboxView {
    final long id;
    final int function;
    final int node;
    final boolean prewarmed;
    SandboxState state;
    long stateSinceMs;
    long lastUsedMs;
    long invocations;
    boolean base;
    double memoryMb;
    /** Bumped on every state change; a timer set under another version is stale. */
    long version;
    /** The request it is starting or running, or null. */
    Request request;
    /** Index in its function's list of live sandboxes (for O(1) removal). */
    int slot = -1;

    Sandbox(long id, int function, int node, boolean prewarmed, long nowMs) {
        this.id = id;
        this.function = function;
        this.node = node;
        this.prewarmed = prewarmed;
        this.stateSinceMs = nowMs;
        this.lastUsedMs = nowMs;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public int function() {
        return function;
    }

    @Override
    public int node() {
        return node;
    }

    @Override
    public SandboxState state() {
        return state;
    }

    @Override
    public long stateSinceMs() {
        return stateSinceMs;
    }

    @Override
    public long lastUsedMs() {
        return lastUsedMs;
    }

    @Override
    public long invocations() {
        return invocations;
    }

    @Override
    public boolean prewarmed() {
        return prewarmed;
    }

    @Override
    public boolean base() {
        return base;
    }

    @Override
    public double memoryMb() {
        return memoryMb;
    }

    @Override
    public String toString() {
        return "sandbox " + id + " (function " + function + ", node " + node + ", " + state
                + (base ? ", base" : "") + ")";
    }
}
