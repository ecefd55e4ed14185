package org.medes.core.registry;

/**
 * A page of a base sandbox, packed into one {@code long} so registries and lookups allocate
 * nothing.
 *
 * <pre>
 *  63            44 43        32 31                               0
 * +----------------+------------+----------------------------------+
 * | base id (20 b) | node (12 b)|        page index (32 b)         |
 * +----------------+------------+----------------------------------+
 * </pre>
 * {@link #NONE} (all bits set) means "no page"; base id 0xFFFFF is therefore reserved.
 *
 * @param base base sandbox id, 0..{@value #MAX_BASE}
 * @param node node holding the base, 0..{@value #MAX_NODE}
 * @param page page index in the base image, non-negative
 */
public record PageRef(int base, int node, int page) {
    /** Packed value meaning "no page". */
    public static final long NONE = -1L;
    public static final int MAX_BASE = (1 << 20) - 2;
    public static final int MAX_NODE = (1 << 12) - 1;

    public PageRef {
        if (base < 0 || base > MAX_BASE) {
            throw new IllegalArgumentException("base id " + base + " outside 0.." + MAX_BASE);
        }
        if (node < 0 || node > MAX_NODE) {
            throw new IllegalArgumentException("node " + node + " outside 0.." + MAX_NODE);
        }
        if (page < 0) {
            throw new IllegalArgumentException("negative page index " + page);
        }
    }

    /** Returns {@code node} when it is a valid node id, else throws naming it. */
    public static int checkNode(int node) {
        if (node < 0 || node > MAX_NODE) {
            throw new IllegalArgumentException("node " + node + " outside 0.." + MAX_NODE);
        }
        return node;
    }

    /** Packs without allocating; arguments are checked as in the constructor. */
    public static long pack(int base, int node, int page) {
        if (base < 0 || base > MAX_BASE || node < 0 || node > MAX_NODE || page < 0) {
            new PageRef(base, node, page); // throws with the precise reason
        }
        return ((long) base << 44) | ((long) node << 32) | (page & 0xFFFF_FFFFL);
    }

    public static int base(long packed) {
        return (int) (packed >>> 44);
    }

    public static int node(long packed) {
        return (int) (packed >>> 32) & 0xFFF;
    }

    public static int page(long packed) {
        return (int) packed;
    }

    public static PageRef unpack(long packed) {
        if (packed == NONE) {
            throw new IllegalArgumentException("NONE is not a page reference");
        }
        return new PageRef(base(packed), node(packed), page(packed));
    }

    public long packed() {
        return pack(base, node, page);
    }
}
