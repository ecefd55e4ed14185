package org.medes.policy;

/**
 * What a policy wants done with an idle or deduplicated sandbox.
 *
 * @param action what to do
 * @param atMs   for {@link Action#KEEP}: when to ask again ({@link Long#MAX_VALUE}: never);
 *               for {@link Action#PREWARM}: when to start the new sandbox; otherwise ignored
 */
public record Decision(Action action, long atMs) {

    public enum Action {
        /** Leave it as it is until {@code atMs}, then ask again. */
        KEEP,
        /** Deduplicate it now (idle warm sandboxes only). */
        DEDUP,
        /** Purge it now; the next request without a sandbox is a cold start. */
        PURGE,
        /** Purge it now and start a fresh one at {@code atMs} (adaptive keep-alive's pre-warm). */
        PREWARM
    }

    private static final Decision DEDUP = new Decision(Action.DEDUP, 0);
    private static final Decision PURGE = new Decision(Action.PURGE, 0);
    private static final Decision FOREVER = new Decision(Action.KEEP, Long.MAX_VALUE);

    public Decision {
        if (action == null) {
            throw new IllegalArgumentException("action is null");
        }
    }

    public static Decision keepUntil(long atMs) {
        return new Decision(Action.KEEP, atMs);
    }

    public static Decision keepForever() {
        return FOREVER;
    }

    public static Decision dedup() {
        return DEDUP;
    }

    public static Decision purge() {
        return PURGE;
    }

    public static Decision prewarmAt(long atMs) {
        return new Decision(Action.PREWARM, atMs);
    }
}
