package org.medes.core.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Embedded {@link FingerprintRegistry}: an open-addressing hash table in native memory (Chronicle
 * Bytes stores) with one 8-byte slot per position and one 8-byte side entry per registered page,
 * shared by that page's indexed chunks; the layout is drawn in {@code RegistrySlot}.
 *
 * <p><b>Candidates, not proof.</b> A slot keeps 36 bits of the (mixed) chunk hash. Two hashes
 * agreeing on those bits are one key: a lookup may answer the page of another chunk, and a
 * registration of such a hash counts as already present. Estimates for uniformly distributed
 * 64-bit hashes (XXH3): a lookup of an absent hash compares its key with the live slots of its
 * probe run, about {@code (1 + 1/(1-a)^2) / 2} of them at load {@code a} (3.6 at the post-resize
 * load 0.6, 13 at the maximum 0.8), each matching with probability 2^-36, so a false positive has
 * probability 0.5e-10 to 1.9e-10 per lookup; a new chunk collides with one of {@code n} indexed
 * chunks with probability {@code n / 2^36} (1.5e-5 at a million chunks). The engine verifies
 * every candidate page against the content, so both only cost a wasted comparison or a missed
 * base chunk.
 *
 * <p><b>Memory.</b> The table is rebuilt at load 0.6 whenever live and deleted slots would exceed
 * 0.8, and after a retirement that leaves it below load 0.5 or with more deleted than live slots.
 * Once past the initial capacity, slots therefore cost at most 8 / 0.6 = 13.3 bytes per indexed
 * chunk while bases are only added, and at most 8 / 0.5 = 16 bytes after retirements. Side
 * entries cost 8 bytes per page with at least one indexed chunk (1.6 bytes per chunk at five
 * chunks per page, 8 at one), allocated in 64 KiB segments; a retired base's entries are
 * reclaimed by the next rebuild.
 * Limits: 2^28 - 1 side entries per table generation, 2^31 - 1 slots.
 *
 * <p><b>Concurrency.</b> Registrations and retirements are serialized by a lock. Lookups take no
 * lock: each batch retains the current table generation (a reference count), so a resize, which
 * builds a new generation and swaps it in, frees the old native memory only when the last batch
 * reading it releases it. Slots and side entries are published with release stores; retiring a
 * base first invalidates its side entries (volatile stores, read back with volatile loads), so no
 * lookup that starts after {@link #retireBase} returns answers a page of that base.
 *
 * <p>Thread-safety: safe for any number of threads; writers serialize, lookups run concurrently.
 */
public final class OffHeapFingerprintRegistry implements FingerprintRegistry {
    static final double MAX_LOAD = 0.8;
    static final double TARGET_LOAD = 0.6;
    private static final double MIN_LOAD = 0.5;
    private static final long MIN_CAPACITY = 64;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final long minCapacity;
    private final Map<Integer, BaseEntry> bases = new ConcurrentHashMap<>();
    /** Current generation; null once closed. */
    private volatile RegistryTable current;
    private volatile long chunks;
    /** Native bytes of the current generation as of the last completed write operation. */
    private volatile long memory;
    private long liveSideEntries;
    private volatile int resizes;

    private OffHeapFingerprintRegistry(long expectedChunks) {
        this.minCapacity = capacityFor(expectedChunks, MIN_CAPACITY);
        this.current = new RegistryTable(minCapacity);
        this.memory = current.memoryBytes();
    }

    /** A registry with the default sizing: a small table that grows as bases are registered. */
    public OffHeapFingerprintRegistry() {
        this(0);
    }

    /** A builder with defaults (a small table that grows as bases are registered). */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public void lookup(long[] hashes, int count, long[] refsOut) {
        Objects.checkFromIndexSize(0, count, hashes.length);
        Objects.checkFromIndexSize(0, count, refsOut.length);
        RegistryTable table = acquire();
        try {
            table.lookup(hashes, count, refsOut);
        } finally {
            table.release();
        }
    }

    private RegistryTable acquire() {
        for (;;) {
            RegistryTable table = current;
            if (table == null) {
                throw new IllegalStateException("fingerprint registry is closed");
            }
            if (table.tryRetain()) {
                return table;
            }
            // freed by a resize or close between the read and the retain: read again
        }
    }

    @Override
    public boolean isRegistered(int base) {
        return bases.containsKey(base);
    }

    @Override
    public long chunkCount() {
        return chunks;
    }

    /** {@inheritDoc} As of the last completed registration, retirement or close. */
    @Override
    public long memoryBytes() {
        return memory;
    }

    /** Resizes (rebuilds) done so far; for tests and reports. */
    public int resizeCount() {
        return resizes;
    }

    // ---------------------------------------------------------------- writers

    @Override
    public int registerBase(int base, int node, long[] hashes, int[] pages, int count) {
        Objects.checkFromIndexSize(0, count, hashes.length);
        Objects.checkFromIndexSize(0, count, pages.length);
        long packedBase = PageRef.pack(base, node, 0);
        for (int i = 0; i < count; i++) {
            if (pages[i] < 0) {
                throw new IllegalArgumentException("negative page index " + pages[i] + " at position " + i
                        + " of base " + base);
            }
        }
        writeLock.lock();
        try {
            ensureOpen();
            if (bases.containsKey(base)) {
                throw new IllegalStateException("base " + base + " is already registered");
            }
            BaseEntry entry = new BaseEntry(current.sideNext);
            bases.put(base, entry);
            PageOffsets offsets = new PageOffsets(count);
            int added = 0;
            for (int i = 0; i < count; i++) {
                long k = RegistrySlot.mix(hashes[i]);
                RegistryTable table = current;
                if (table.live + table.tombstones + 1 > MAX_LOAD * table.capacity || table.sideFull()) {
                    table = rebuild(table.live + 1);
                    if (table.sideFull()) {
                        throw new IllegalStateException("registry full: " + RegistrySlot.MAX_SIDE_INDEX
                                + " pages indexed; base " + base + " registered up to chunk " + i);
                    }
                }
                long pos = table.probeForInsert(k);
                if (pos < 0) {
                    continue;
                }
                int page = pages[i];
                int offset = offsets.get(page);
                long sideIndex;
                if (offset < 0) {
                    sideIndex = table.appendSide(packedBase | page);
                    offsets.put(page, (int) (sideIndex - entry.sideFrom));
                    entry.sideTo = sideIndex + 1;
                    liveSideEntries++;
                } else {
                    sideIndex = entry.sideFrom + offset;
                }
                table.putSlot(pos, RegistrySlot.slot(k, sideIndex));
                added++;
            }
            chunks += added;
            memory = current.memoryBytes();
            return added;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public int retireBase(int base) {
        writeLock.lock();
        try {
            ensureOpen();
            BaseEntry entry = bases.get(base);
            if (entry == null) {
                return 0;
            }
            RegistryTable table = current;
            long removed = table.retire(entry.sideFrom, entry.sideTo);
            bases.remove(base);
            liveSideEntries -= entry.sideTo - entry.sideFrom;
            chunks -= removed;
            long deadSide = table.sideNext - 1 - liveSideEntries;
            boolean sparse = table.capacity > minCapacity && table.live < MIN_LOAD * table.capacity;
            boolean manyTombstones = table.tombstones > table.live;
            boolean manyDeadPages = deadSide > RegistrySlot.SEGMENT_ENTRIES && deadSide > liveSideEntries;
            if (sparse || manyTombstones || manyDeadPages) {
                rebuild(table.live);
            }
            memory = current.memoryBytes();
            return (int) removed;
        } finally {
            writeLock.unlock();
        }
    }

    /** Frees the native memory once no lookup batch reads it any more; idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            RegistryTable table = current;
            if (table == null) {
                return;
            }
            current = null;
            bases.clear();
            chunks = 0;
            memory = 0;
            table.release();
        } finally {
            writeLock.unlock();
        }
    }

    private void ensureOpen() {
        if (current == null) {
            throw new IllegalStateException("fingerprint registry is closed");
        }
    }

    /**
     * Builds a generation sized for {@code liveChunks} at the target load, copies the live slots
     * and the live bases' side entries (compacted, each base's range kept contiguous and in
     * order), publishes it and releases the old one.
     */
    private RegistryTable rebuild(long liveChunks) {
        RegistryTable old = current;
        RegistryTable fresh = new RegistryTable(Math.max(minCapacity, capacityFor(liveChunks, 2)));
        try {
            int[] remap = new int[(int) old.sideNext];
            List<BaseEntry> ordered = new ArrayList<>(bases.values());
            ordered.sort(Comparator.comparingLong(e -> e.sideFrom));
            for (BaseEntry entry : ordered) {
                long from = fresh.sideNext;
                for (long i = entry.sideFrom; i < entry.sideTo; i++) {
                    remap[(int) i] = (int) fresh.appendSide(old.sideRefPlain(i));
                }
                entry.sideFrom = from;
                entry.sideTo = fresh.sideNext;
            }
            for (long pos = 0; pos < old.capacity; pos++) {
                long s = old.slotAt(pos);
                if (RegistrySlot.isLive(s)) {
                    int moved = remap[(int) RegistrySlot.sideIndex(s)];
                    if (moved != 0) {
                        fresh.putFresh(RegistrySlot.slot(s, moved));
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            fresh.release();
            throw e;
        }
        current = fresh;
        resizes++;
        old.release();
        return fresh;
    }

    private static long capacityFor(long chunks, long floor) {
        if (chunks < 0) {
            throw new IllegalArgumentException("negative chunk count " + chunks);
        }
        long capacity = Math.max(floor, (long) Math.ceil(chunks / TARGET_LOAD));
        if (capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(chunks + " chunks need " + capacity + " slots, more than "
                    + Integer.MAX_VALUE);
        }
        return capacity;
    }

    /** A registered base: its contiguous side-entry range in the current generation. */
    private static final class BaseEntry {
        long sideFrom;
        long sideTo;

        BaseEntry(long sideNext) {
            this.sideFrom = sideNext;
            this.sideTo = sideNext;
        }
    }

    /** Page index to side-entry offset within one registration (open addressing, on heap). */
    private static final class PageOffsets {
        private final int[] keys;
        private final int[] values;
        private final int mask;

        PageOffsets(int expected) {
            int size = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            keys = new int[size];
            values = new int[size];
            mask = size - 1;
            Arrays.fill(keys, -1);
        }

        int get(int page) {
            int i = (page * 0x9E3779B9) & mask;
            while (keys[i] != -1) {
                if (keys[i] == page) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            return -1;
        }

        void put(int page, int offset) {
            int i = (page * 0x9E3779B9) & mask;
            while (keys[i] != -1 && keys[i] != page) {
                i = (i + 1) & mask;
            }
            keys[i] = page;
            values[i] = offset;
        }
    }

    /**
     * Configures an {@link OffHeapFingerprintRegistry}.
     *
     * <p>Thread-safety: not thread-safe; build on one thread.
     */
    public static final class Builder {
        private long expectedChunks = -1;

        private Builder() {
        }

        /**
         * Chunks the table holds before its first resize (default 0: a 64-slot table). It never
         * shrinks below this size.
         */
        public Builder expectedChunks(long expectedChunks) {
            if (this.expectedChunks != -1) {
                throw new IllegalStateException("expectedChunks was already set to " + this.expectedChunks);
            }
            if (expectedChunks < 0) {
                throw new IllegalArgumentException("negative expectedChunks " + expectedChunks);
            }
            this.expectedChunks = expectedChunks;
            return this;
        }

        public OffHeapFingerprintRegistry build() {
            return new OffHeapFingerprintRegistry(Math.max(0, expectedChunks));
        }
    }
}
