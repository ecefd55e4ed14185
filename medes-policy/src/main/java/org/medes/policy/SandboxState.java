package org.medes.policy;

/** Where a sandbox is in its lifecycle; a purged sandbox no longer exists. */
public enum SandboxState {
    /** Cold-starting (for a request, or pre-warmed); holds its full memory. */
    STARTING,
    /** Running an invocation. */
    BUSY,
    /** Warm and idle: the next request is a warm start. */
    IDLE,
    /** Deduplicated: holds only its dedup image; the next request is a dedup start. */
    DEDUP,
    /** Being restored from its dedup image for a request; holds its full memory. */
    RESTORING
}
