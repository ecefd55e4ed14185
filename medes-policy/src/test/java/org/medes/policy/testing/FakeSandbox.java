package org.medes.policy.testing;

import org.medes.policy.SandboxState;
import org.medes.policy.SandboxView;

/** A sandbox as a test sets it up; the record's accessors are the {@link SandboxView} methods. */
public record FakeSandbox(long id, int function, int node, SandboxState state, long stateSinceMs,
                          long lastUsedMs, long invocations, boolean prewarmed, boolean base,
                          double memoryMb) implements SandboxView {

    /** An idle sandbox that finished its {@code invocations}-th invocation at {@code lastUsedMs}. */
    public static FakeSandbox idle(long id, int function, long lastUsedMs) {
        return new FakeSandbox(id, function, 0, SandboxState.IDLE, lastUsedMs, lastUsedMs, 1, false, false, 100);
    }

    /** A pre-warmed sandbox that became ready (idle) at {@code readyMs} and served nothing. */
    public static FakeSandbox prewarmed(long id, int function, long readyMs) {
        return new FakeSandbox(id, function, 0, SandboxState.IDLE, readyMs, readyMs, 0, true, false, 100);
    }

    /** A deduplicated sandbox, last used at {@code lastUsedMs}, deduplicated at {@code dedupSinceMs}. */
    public static FakeSandbox dedup(long id, int function, long lastUsedMs, long dedupSinceMs) {
        return new FakeSandbox(id, function, 0, SandboxState.DEDUP, dedupSinceMs, lastUsedMs, 1, false, false, 40);
    }

    public FakeSandbox onNode(int n) {
        return new FakeSandbox(id, function, n, state, stateSinceMs, lastUsedMs, invocations, prewarmed, base, memoryMb);
    }

    public FakeSandbox withInvocations(long n) {
        return new FakeSandbox(id, function, node, state, stateSinceMs, lastUsedMs, n, prewarmed, base, memoryMb);
    }
}
