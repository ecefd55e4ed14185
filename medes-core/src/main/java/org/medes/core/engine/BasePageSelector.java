package org.medes.core.engine;

/**
 * Chooses a page's base page from the registry's answers for its fingerprint.
 *
 * <p>Thread-safety: implementations must be thread-safe and deterministic.
 */
@FunctionalInterface
public interface BasePageSelector {
    /**
     * @param refs    packed {@link org.medes.core.registry.PageRef}s, one per fingerprint hash,
     *                {@link org.medes.core.registry.PageRef#NONE} for hashes without a match
     * @param count   entries of {@code refs} to consider, from {@code offset}
     * @param context the node doing the dedup and the bases' reference counts
     * @return the chosen packed ref, or NONE
     */
    long select(long[] refs, int offset, int count, SelectionContext context);

    /** What a selector may consult besides the candidates. */
    interface SelectionContext {
        int localNode();

        int referenceCount(int base);
    }

    /**
     * The default: the candidate page holding the most of the page's sampled chunks; ties go
     * to a page on the local node, then to the base held by the fewest dedup images, then to
     * the smallest reference (so the choice never depends on timing).
     */
    static BasePageSelector mostMatches() {
        return (refs, offset, count, ctx) -> {
            long best = org.medes.core.registry.PageRef.NONE;
            int bestCount = 0;
            for (int i = offset; i < offset + count; i++) {
                long r = refs[i];
                if (r == org.medes.core.registry.PageRef.NONE) {
                    continue;
                }
                int c = 0;
                for (int j = offset; j < offset + count; j++) {
                    c += refs[j] == r ? 1 : 0;
                }
                if (c > bestCount || (c == bestCount && better(r, best, ctx))) {
                    best = r;
                    bestCount = c;
                }
            }
            return best;
        };
    }

    private static boolean better(long a, long b, SelectionContext ctx) {
        if (b == org.medes.core.registry.PageRef.NONE) {
            return true;
        }
        boolean aLocal = org.medes.core.registry.PageRef.node(a) == ctx.localNode();
        boolean bLocal = org.medes.core.registry.PageRef.node(b) == ctx.localNode();
        if (aLocal != bLocal) {
            return aLocal;
        }
        int ra = ctx.referenceCount(org.medes.core.registry.PageRef.base(a));
        int rb = ctx.referenceCount(org.medes.core.registry.PageRef.base(b));
        if (ra != rb) {
            return ra < rb;
        }
        return Long.compareUnsigned(a, b) < 0;
    }
}
