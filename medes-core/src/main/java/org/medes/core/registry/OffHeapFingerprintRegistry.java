package org.medes.core.registry;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.UnsafeMemory;
import sun.misc.Unsafe;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded registry: an off-heap open-addressing hash table from chunk hash to base page.
 *
 * <h2>Layout</h2>
 * Two off-heap arrays per table generation:
 * <pre>
 * slots (capacity x 8 bytes, linear probing, home = (hash >>> 32) * capacity >>> 32)
 *  63                          28 27                     0
 * +------------------------------+-----------------------+
 * | top 36 bits of the hash      | page entry index + 1  |     0 = empty, -1 = deleted
 * +------------------------------+-----------------------+
 *
 * page entries (8 bytes each, segments of 16384): the packed {@link PageRef}
 * </pre>
 * One page entry is shared by all chunks of that page registered in one call, so a page with
 * five sampled chunks costs 5 slots + 1 entry. The table grows by a quarter when live plus
 * deleted slots pass 80 % of the capacity, so a chunk costs 8 / 0.64..0.8 bytes of slots plus its
 * share of the page entry: 10–15 B per chunk ({@link #memoryBytes()} / {@link #chunkCount()}).
 *
 * A slot keeps the top 36 bits of the hash, which also give its home, so a resize can rehash
 * without the full hash; up to 2^28 - 2 page entries.
 *
 * <h2>False positives</h2>
 * Two hashes are taken as equal when their top 36 bits are. Slots probed by a lookup have homes
 * near its own, so they share the top log2(capacity) bits with it: an absent hash returns a page
 * with probability about (probe length) x capacity / 2^36 — about 1 in 10,000 lookups at a
 * million chunks. A registration that collides that way is treated as already present.
 * Results are candidates: the engine compares page content, so a false positive costs a worse
 * patch, never a wrong page.
 *
 * <h2>Concurrency</h2>
 * Registrations and retirements take a lock; lookups take none. Slots and entries are written
 * with ordered stores (entry before slot), and read plainly as 8-byte atomic loads. A resize
 * builds a new generation and publishes it through a volatile field; each lookup batch pins the
 * generation it reads with a reference count, and a generation's native memory is freed only when
 * the writer and every pinned reader have released it.
 *
 * <p>Thread-safety: thread-safe as described.
 */
public final class OffHeapFingerprintRegistry implements FingerprintRegistry {
    static final long EMPTY = 0;
    static final long DELETED = -1;
    static final int KEY_SHIFT = 28;
    static final long INDEX_MASK = (1L << KEY_SHIFT) - 1;
    static final long KEY_MASK = ~INDEX_MASK;
    static final long MAX_ENTRIES = INDEX_MASK - 1;
    static final int SEGMENT_SHIFT = 14;
    static final int SEGMENT_ENTRIES = 1 << SEGMENT_SHIFT;
    static final double MAX_LOAD = 0.8;
    static final double GROWTH = 1.25;

    private static final Unsafe U = UnsafeMemory.UNSAFE;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final Set<Integer> bases = ConcurrentHashMap.newKeySet();
    private volatile Generation current;
    private volatile boolean closed;

    /** A registry sized for about 64 Ki chunks; it grows as needed. */
    public OffHeapFingerprintRegistry() {
        this(1 << 16);
    }

    /** A registry sized for about {@code expectedChunks} chunks before its first resize. */
    public OffHeapFingerprintRegistry(long expectedChunks) {
        if (expectedChunks < 1) {
            throw new IllegalArgumentException("expected chunks must be positive, was " + expectedChunks);
        }
        current = new Generation(capacityFor(expectedChunks));
    }

    private static long capacityFor(long chunks) {
        return Math.max(64, (long) Math.ceil(chunks / MAX_LOAD) + 1);
    }

    @Override
    public int registerBase(int base, int node, long[] hashes, int[] pages, int count) {
        PageRef.pack(base, node, 0); // validates base and node
        if (count < 0 || count > hashes.length || count > pages.length) {
            throw new IndexOutOfBoundsException("count " + count + " exceeds hashes (" + hashes.length + ") or pages ("
                    + pages.length + ")");
        }
        writeLock.lock();
        try {
            checkOpen();
            if (!bases.add(base)) {
                throw new IllegalStateException("base " + base + " is already registered");
            }
            Generation g = current;
            int added = 0;
            long entry = -1;
            int entryPage = -1;
            for (int i = 0; i < count; i++) {
                if (pages[i] < 0) {
                    throw new IllegalArgumentException("negative page index " + pages[i] + " at " + i);
                }
                if ((g.live + g.deleted + 1) > g.capacity * MAX_LOAD) {
                    g = resize(g, g.live + (count - i));
                    entryPage = -1;
                }
                long key = hashes[i] & KEY_MASK;
                long pos = g.home(key);
                long free = -1;
                boolean present = false;
                while (true) {
                    long s = g.slot(pos);
                    if (s == EMPTY) {
                        break;
                    }
                    if (s == DELETED) {
                        free = free < 0 ? pos : free;
                    } else if ((s & KEY_MASK) == key) {
                        present = true;
                        break;
                    }
                    pos = pos + 1 == g.capacity ? 0 : pos + 1;
                }
                if (present) {
                    continue;
                }
                if (entryPage != pages[i]) {
                    entry = g.addEntry(PageRef.pack(base, node, pages[i]));
                    entryPage = pages[i];
                }
                if (free >= 0) {
                    pos = free;
                    g.deleted--;
                }
                g.publishSlot(pos, key | (entry + 1));
                g.live++;
                added++;
            }
            return added;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void lookup(long[] hashes, int count, long[] refsOut) {
        if (count < 0 || count > hashes.length || count > refsOut.length) {
            throw new IndexOutOfBoundsException("count " + count + " exceeds hashes (" + hashes.length + ") or output ("
                    + refsOut.length + ")");
        }
        Generation g = pin();
        try {
            long cap = g.capacity;
            long slots = g.slots;
            for (int i = 0; i < count; i++) {
                long key = hashes[i] & KEY_MASK;
                long pos = g.home(key);
                long ref = PageRef.NONE;
                while (true) {
                    long s = U.getLongVolatile(null, slots + (pos << 3));
                    if (s == EMPTY) {
                        break;
                    }
                    if ((s & KEY_MASK) == key && s != DELETED) {
                        ref = g.entry((s & INDEX_MASK) - 1);
                        break;
                    }
                    pos = pos + 1 == cap ? 0 : pos + 1;
                }
                refsOut[i] = ref;
            }
        } finally {
            g.release();
        }
    }

    @Override
    public int retireBase(int base) {
        writeLock.lock();
        try {
            checkOpen();
            if (!bases.remove(base)) {
                return 0;
            }
            Generation g = current;
            int removed = 0;
            for (long pos = 0; pos < g.capacity; pos++) {
                long s = g.slot(pos);
                if (s != EMPTY && s != DELETED) {
                    long index = (s & INDEX_MASK) - 1;
                    long ref = g.entry(index);
                    if (ref != PageRef.NONE && PageRef.base(ref) == base) {
                        g.publishSlot(pos, DELETED);
                        g.live--;
                        g.deleted++;
                        removed++;
                    }
                }
            }
            g.clearEntriesOf(base);
            return removed;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean isRegistered(int base) {
        return bases.contains(base);
    }

    @Override
    public long chunkCount() {
        return current.live;
    }

    @Override
    public long memoryBytes() {
        return current.memoryBytes();
    }

    /** Slots in the current table, for tests and reports. */
    long capacity() {
        return current.capacity;
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            current.release(); // the writer's hold; pinned readers free it when they finish
        } finally {
            writeLock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("fingerprint registry is closed");
        }
    }

    private Generation pin() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("fingerprint registry is closed");
            }
            Generation g = current;
            if (g.tryAcquire()) {
                return g;
            }
            // g was replaced and freed between the read and the pin: read the new one
        }
    }

    /** Rebuilds the table for {@code expectedLive} chunks, dropping deleted slots and retired entries. */
    private Generation resize(Generation old, long expectedLive) {
        long capacity = Math.max(capacityFor(expectedLive), (long) (old.capacity * GROWTH));
        if (old.live < old.capacity * MAX_LOAD * 0.5) {
            capacity = Math.max(capacityFor(expectedLive), old.capacity); // mostly deleted slots: rebuild in place size
        }
        Generation g = new Generation(capacity);
        // copy entries that are still referenced, then the live slots pointing at them
        long[] moved = new long[Math.toIntExact(old.entries)];
        java.util.Arrays.fill(moved, -1);
        for (long pos = 0; pos < old.capacity; pos++) {
            long s = old.slot(pos);
            if (s == EMPTY || s == DELETED) {
                continue;
            }
            long oldIndex = (s & INDEX_MASK) - 1;
            long ni = moved[(int) oldIndex];
            if (ni < 0) {
                ni = g.addEntry(old.entry(oldIndex));
                moved[(int) oldIndex] = ni;
            }
            long key = s & KEY_MASK;
            long p = g.home(key);
            while (g.slot(p) != EMPTY) {
                p = p + 1 == g.capacity ? 0 : p + 1;
            }
            g.publishSlot(p, key | (ni + 1));
            g.live++;
        }
        current = g;
        old.release();
        return g;
    }

    /** One generation of the table: slots, page entries and the readers pinning them. */
    private static final class Generation {
        final long capacity;
        final BytesStore<?, Void> slotStore;
        final long slots;
        final List<BytesStore<?, Void>> segmentStores = new ArrayList<>();
        volatile long[] segments = new long[0];
        long entries;
        long live;
        long deleted;
        final AtomicInteger pins = new AtomicInteger(1); // the writer's hold

        Generation(long capacity) {
            if (capacity >= 1L << 32) {
                throw new IllegalStateException("registry table of " + capacity + " slots exceeds 2^32");
            }
            this.capacity = capacity;
            this.slotStore = BytesStore.nativeStoreWithFixedCapacity(capacity * 8);
            this.slots = slotStore.addressForRead(0);
            U.setMemory(slots, capacity * 8, (byte) 0);
        }

        /** Home slot of a hash (or key): its top 32 bits scaled to the capacity. */
        long home(long hash) {
            return ((hash >>> 32) * capacity) >>> 32; // exact: both factors are below 2^32
        }

        long slot(long pos) {
            return U.getLong(slots + (pos << 3));
        }

        void publishSlot(long pos, long value) {
            U.putLongVolatile(null, slots + (pos << 3), value);
        }

        long entry(long index) {
            long[] seg = segments;
            return U.getLongVolatile(null, seg[(int) (index >>> SEGMENT_SHIFT)] + ((index & (SEGMENT_ENTRIES - 1)) << 3));
        }

        long addEntry(long ref) {
            long index = entries;
            if (index >= MAX_ENTRIES) {
                throw new IllegalStateException("registry is full: " + MAX_ENTRIES + " page entries");
            }
            int seg = (int) (index >>> SEGMENT_SHIFT);
            if (seg == segments.length) {
                BytesStore<?, Void> s = BytesStore.nativeStoreWithFixedCapacity((long) SEGMENT_ENTRIES * 8);
                segmentStores.add(s);
                long[] grown = java.util.Arrays.copyOf(segments, seg + 1);
                grown[seg] = s.addressForRead(0);
                segments = grown;
            }
            U.putLongVolatile(null, segments[seg] + ((index & (SEGMENT_ENTRIES - 1)) << 3), ref);
            entries++;
            return index;
        }

        void clearEntriesOf(int base) {
            for (long i = 0; i < entries; i++) {
                long ref = entry(i);
                if (ref != PageRef.NONE && PageRef.base(ref) == base) {
                    U.putLongVolatile(null, segments[(int) (i >>> SEGMENT_SHIFT)] + ((i & (SEGMENT_ENTRIES - 1)) << 3),
                            PageRef.NONE);
                }
            }
        }

        long memoryBytes() {
            return capacity * 8 + (long) segments.length * SEGMENT_ENTRIES * 8;
        }

        boolean tryAcquire() {
            while (true) {
                int n = pins.get();
                if (n == 0) {
                    return false;
                }
                if (pins.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (pins.decrementAndGet() == 0) {
                slotStore.releaseLast();
                segmentStores.forEach(BytesStore::releaseLast);
            }
        }
    }
}
