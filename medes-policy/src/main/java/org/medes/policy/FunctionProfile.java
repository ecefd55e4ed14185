package org.medes.policy;

import java.util.Objects;

/**
 * What the simulator and the policies know about one function: its sandbox's memory, its execution
 * time and the three start times, and the share of its memory deduplication saves.
 *
 * @param name          the function's name (unique within a workload)
 * @param memoryMb      memory of a warm sandbox, MB
 * @param execMs        execution time of one invocation, ms
 * @param coldStartMs   start time of a new sandbox (boot + runtime + imports), ms
 * @param warmStartMs   start time on an idle warm sandbox, ms
 * @param dedupStartMs  start time of a deduplicated sandbox (pages rebuilt + restore), ms
 * @param dedupSavings  share of {@code memoryMb} a deduplicated sandbox no longer holds, in [0, 1)
 */
public record FunctionProfile(String name, double memoryMb, double execMs, double coldStartMs,
                              double warmStartMs, double dedupStartMs, double dedupSavings) {

    public FunctionProfile {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains(",")) {
            throw new IllegalArgumentException("function name must be non-blank without commas: '" + name + "'");
        }
        positive("memoryMb", memoryMb);
        nonNegative("execMs", execMs);
        nonNegative("coldStartMs", coldStartMs);
        nonNegative("warmStartMs", warmStartMs);
        nonNegative("dedupStartMs", dedupStartMs);
        if (!(dedupSavings >= 0 && dedupSavings < 1)) {
            throw new IllegalArgumentException(name + ": dedupSavings must be in [0, 1), was " + dedupSavings);
        }
    }

    /** Memory a deduplicated sandbox of this function keeps, MB. */
    public double dedupMemoryMb() {
        return memoryMb * (1 - dedupSavings);
    }

    /** Reuse period of a warm sandbox (the paper's R_W): execution plus warm start, ms. */
    public double warmReuseMs() {
        return execMs + warmStartMs;
    }

    /** Reuse period of a deduplicated sandbox (the paper's R_D): execution plus dedup start, ms. */
    public double dedupReuseMs() {
        return execMs + dedupStartMs;
    }

    private void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + field + " must be positive, was " + v);
        }
    }

    private void nonNegative(String field, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + field + " must be >= 0, was " + v);
        }
    }
}
