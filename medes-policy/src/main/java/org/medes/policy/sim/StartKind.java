package org.medes.policy.sim;

/** How a request found its sandbox. */
public enum StartKind {
    /** An idle warm sandbox was there. */
    WARM,
    /** A deduplicated sandbox was restored. */
    DEDUP,
    /** A new sandbox was booted (or a pre-warmed one was still booting). */
    COLD
}
