package org.medes.policy.keepalive;

/** Saturating time arithmetic for deadlines. */
final class Deadlines {
    private Deadlines() {
    }

    /** {@code t + d}, or {@link Long#MAX_VALUE} on overflow ({@code d >= 0}). */
    static long plus(long t, long d) {
        long r = t + d;
        return ((t ^ r) & (d ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
