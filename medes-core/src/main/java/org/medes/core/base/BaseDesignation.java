package org.medes.core.base;

/**
 * The rule that says when a function needs another base sandbox: when the number of dedup
 * sandboxes per base, D/B, exceeds the threshold T (the paper uses T = 40).
 *
 * @param threshold T, at least 1
 */
public record BaseDesignation(int threshold) {
    /** The paper's T. */
    public static final int DEFAULT_THRESHOLD = 40;

    public BaseDesignation {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold T must be at least 1, was " + threshold);
        }
    }

    public static BaseDesignation paperDefault() {
        return new BaseDesignation(DEFAULT_THRESHOLD);
    }

    /** True when a function with {@code dedupSandboxes} D and {@code bases} B needs a new base: B == 0 or D/B > T. */
    public boolean needsNewBase(int dedupSandboxes, int bases) {
        if (dedupSandboxes < 0 || bases < 0) {
            throw new IllegalArgumentException("negative count: D=" + dedupSandboxes + " B=" + bases);
        }
        return bases == 0 ? dedupSandboxes > 0 : (long) dedupSandboxes > (long) threshold * bases;
    }
}
