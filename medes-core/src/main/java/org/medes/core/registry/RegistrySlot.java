package org.medes.core.registry;

/**
 * Binary layout of the two off-heap arrays of {@link OffHeapFingerprintRegistry}: the slot table
 * (open addressing, linear probing) and the side table of page references.
 *
 * <p>Every chunk hash is first multiplied by {@link #MIX} (a bijection on 64-bit values that
 * spreads all input bits into the high bits), giving the <em>mixed hash</em> {@code k}.
 *
 * <pre>
 * slot (8 bytes, native long, one per table position)
 *  63                                   28 27                        0
 * +---------------------------------------+--------------------------+
 * |   key: k &gt;&gt;&gt; 28 (36 bits)            | side index (28 bits)     |
 * +---------------------------------------+--------------------------+
 *   EMPTY     = 0                      (never a live slot: side index 0 is reserved)
 *   TOMBSTONE = key all ones, index 0  (a retired chunk; side entry 0 is never valid)
 *   home position = ((k &gt;&gt;&gt; 32) * capacity) &gt;&gt;&gt; 32, computable from the slot alone
 *
 * side entry (8 bytes, native long, one per registered page, shared by its indexed chunks)
 *  63                                                                0
 * +------------------------------------------------------------------+
 * |            packed PageRef + 1   (0 = invalid: unused or retired)  |
 * +------------------------------------------------------------------+
 *   side index i lives in segment i &gt;&gt;&gt; SEGMENT_SHIFT at entry i &amp; SEGMENT_MASK;
 *   segments are fixed-size native blocks that never move while their table lives.
 * </pre>
 *
 * <p>Version 1. Only the 36 key bits of a hash are kept, so two chunk hashes that agree on them
 * are one key: see {@link OffHeapFingerprintRegistry} for the resulting false-positive rate.
 */
final class RegistrySlot {
    /** Odd multiplier (2^64 / golden ratio) applied to every hash before use. */
    static final long MIX = 0x9E37_79B9_7F4A_7C15L;
    static final int INDEX_BITS = 28;
    static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    static final long KEY_MASK = ~INDEX_MASK;
    static final int KEY_BITS = 64 - INDEX_BITS;
    static final long EMPTY = 0L;
    static final long TOMBSTONE = KEY_MASK;
    /** Largest usable side index (index 0 is reserved). */
    static final long MAX_SIDE_INDEX = INDEX_MASK;

    static final int SEGMENT_SHIFT = 13;
    static final int SEGMENT_ENTRIES = 1 << SEGMENT_SHIFT;
    static final long SEGMENT_MASK = SEGMENT_ENTRIES - 1;
    static final long SEGMENT_BYTES = (long) SEGMENT_ENTRIES * Long.BYTES;

    private RegistrySlot() {
    }

    /** Mixed hash of a chunk hash. */
    static long mix(long hash) {
        return hash * MIX;
    }

    /** Home position of mixed hash (or slot) {@code k} in a table of {@code capacity} slots. */
    static long home(long k, long capacity) {
        return ((k >>> 32) * capacity) >>> 32;
    }

    static long slot(long mixed, long sideIndex) {
        return (mixed & KEY_MASK) | sideIndex;
    }

    static long sideIndex(long slot) {
        return slot & INDEX_MASK;
    }

    static boolean isLive(long slot) {
        return (slot & INDEX_MASK) != 0;
    }
}
