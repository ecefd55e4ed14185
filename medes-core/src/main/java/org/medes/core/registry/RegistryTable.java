package org.medes.core.registry;

import static org.medes.core.registry.RegistrySlot.EMPTY;
import static org.medes.core.registry.RegistrySlot.INDEX_MASK;
import static org.medes.core.registry.RegistrySlot.KEY_MASK;
import static org.medes.core.registry.RegistrySlot.SEGMENT_BYTES;
import static org.medes.core.registry.RegistrySlot.SEGMENT_MASK;
import static org.medes.core.registry.RegistrySlot.SEGMENT_SHIFT;
import static org.medes.core.registry.RegistrySlot.TOMBSTONE;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.UnsafeMemory;
import net.openhft.chronicle.core.io.SingleThreadedChecked;
import sun.misc.Unsafe;

/**
 * One generation of the registry: a slot table and its side segments in native memory (layout in
 * {@link RegistrySlot}), freed when the last holder releases it.
 *
 * <p>Thread-safety: {@link #lookup} may run in any number of threads that hold a reference
 * ({@link #tryRetain}); every other method belongs to the single writer of the registry.
 */
final class RegistryTable {
    private static final Unsafe U = UnsafeMemory.UNSAFE;
    private static final VarHandle REFS;
    private static final VarHandle DIR = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(RegistryTable.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long capacity;
    private final BytesStore<?, Void> slotsStore;
    private final long slots;
    private final List<BytesStore<?, Void>> segments = new ArrayList<>();
    /** Segment addresses by segment number; replaced (never mutated below its old length) when full. */
    private volatile long[] dir = new long[4];
    /** Holders: 1 for the registry while current, plus one per lookup batch in flight. */
    @SuppressWarnings("unused")
    private volatile int refs = 1;

    // writer-only state
    /** Next side index to hand out; 0 is reserved. */
    long sideNext = 1;
    long live;
    long tombstones;

    RegistryTable(long capacity) {
        if (capacity < 2 || capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("table capacity " + capacity + " outside 2.." + Integer.MAX_VALUE);
        }
        this.capacity = capacity;
        this.slotsStore = allocate(capacity * Long.BYTES);
        this.slots = slotsStore.addressForRead(0);
    }

    private static BytesStore<?, Void> allocate(long bytes) {
        BytesStore<?, Void> store = BytesStore.nativeStoreWithFixedCapacity(bytes);
        if (store instanceof SingleThreadedChecked checked) {
            checked.singleThreadedCheckDisabled(true); // freed by whichever thread releases last
        }
        U.setMemory(store.addressForRead(0), bytes, (byte) 0);
        return store;
    }

    // ---------------------------------------------------------------- readers

    boolean tryRetain() {
        int c = (int) REFS.getVolatile(this);
        while (c > 0) {
            int seen = (int) REFS.compareAndExchange(this, c, c + 1);
            if (seen == c) {
                return true;
            }
            c = seen;
        }
        return false;
    }

    void release() {
        int before = (int) REFS.getAndAdd(this, -1);
        if (before == 1) {
            free();
        } else if (before <= 0) {
            throw new IllegalStateException("registry table released more often than retained");
        }
    }

    /** Batched lookup; allocation-free. The caller holds a reference. */
    void lookup(long[] hashes, int count, long[] refsOut) {
        final long base = slots;
        final long cap = capacity;
        long[] d = dir;
        for (int i = 0; i < count; i++) {
            long k = hashes[i] * RegistrySlot.MIX;
            long key = k & KEY_MASK;
            long pos = ((k >>> 32) * cap) >>> 32;
            long ref = PageRef.NONE;
            for (;;) {
                long s = U.getLong(base + (pos << 3));
                if (s == EMPTY) {
                    break;
                }
                if ((s & KEY_MASK) == key) {
                    ref = sideRef(s & INDEX_MASK, d);
                    if (ref != PageRef.NONE) {
                        break;
                    }
                }
                if (++pos == cap) {
                    pos = 0;
                }
            }
            refsOut[i] = ref;
        }
    }

    /** The packed ref of side entry {@code index}, or NONE when unused, retired or not yet visible. */
    private long sideRef(long index, long[] d) {
        int seg = (int) (index >>> SEGMENT_SHIFT);
        if (seg >= d.length) {
            d = dir;
            if (seg >= d.length) {
                return PageRef.NONE;
            }
        }
        long address = (long) DIR.getAcquire(d, seg);
        if (address == 0) {
            return PageRef.NONE;
        }
        return U.getLongVolatile(null, address + ((index & SEGMENT_MASK) << 3)) - 1;
    }

    // ---------------------------------------------------------------- writer

    /** Side entry as the writer sees it: the packed ref or NONE. */
    long sideRefPlain(long index) {
        return U.getLong(segments.get((int) (index >>> SEGMENT_SHIFT)).addressForRead(0)
                + ((index & SEGMENT_MASK) << 3)) - 1;
    }

    /** True when no more side entries can be handed out in this table. */
    boolean sideFull() {
        return sideNext > RegistrySlot.MAX_SIDE_INDEX;
    }

    /** Appends side entry {@code packedRef}, published with release ordering; returns its index. */
    long appendSide(long packedRef) {
        long index = sideNext++;
        int seg = (int) (index >>> SEGMENT_SHIFT);
        if (seg == segments.size()) {
            BytesStore<?, Void> store = allocate(SEGMENT_BYTES);
            segments.add(store);
            long[] d = dir;
            if (seg >= d.length) {
                d = Arrays.copyOf(d, d.length * 2);
                d[seg] = store.addressForRead(0);
                dir = d;
            } else {
                DIR.setRelease(d, seg, store.addressForRead(0));
            }
        }
        U.putOrderedLong(null, segmentAddress(index), packedRef + 1);
        return index;
    }

    private long segmentAddress(long index) {
        return segments.get((int) (index >>> SEGMENT_SHIFT)).addressForRead(0) + ((index & SEGMENT_MASK) << 3);
    }

    /**
     * Finds where mixed hash {@code k} goes: -1 when a live entry with its key exists, else the
     * position to write (the first tombstone of its probe run, or the empty slot ending it).
     */
    long probeForInsert(long k) {
        final long key = k & KEY_MASK;
        long pos = RegistrySlot.home(k, capacity);
        long firstFree = -1;
        for (;;) {
            long s = U.getLong(slots + (pos << 3));
            if (s == EMPTY) {
                return firstFree >= 0 ? firstFree : pos;
            }
            if (s == TOMBSTONE) {
                if (firstFree < 0) {
                    firstFree = pos;
                }
            } else if ((s & KEY_MASK) == key && sideRefPlain(s & INDEX_MASK) != PageRef.NONE) {
                return -1;
            }
            if (++pos == capacity) {
                pos = 0;
            }
        }
    }

    /** Writes a live slot at {@code pos} (from {@link #probeForInsert}) with release ordering. */
    void putSlot(long pos, long slot) {
        long address = slots + (pos << 3);
        if (U.getLong(address) == TOMBSTONE) {
            tombstones--;
        }
        U.putOrderedLong(null, address, slot);
        live++;
    }

    /** Inserts into a table no reader can see yet (rebuilds); no duplicate check. */
    void putFresh(long slot) {
        long pos = RegistrySlot.home(slot, capacity);
        while (U.getLong(slots + (pos << 3)) != EMPTY) {
            if (++pos == capacity) {
                pos = 0;
            }
        }
        U.putLong(slots + (pos << 3), slot);
        live++;
    }

    /** Reads slot {@code pos} (writer). */
    long slotAt(long pos) {
        return U.getLong(slots + (pos << 3));
    }

    /**
     * Retires side entries {@code [from, to)}: invalidates them (so no lookup starting later can
     * return them), then tombstones their slots. Returns the number of slots tombstoned.
     */
    long retire(long from, long to) {
        for (long i = from; i < to; i++) {
            U.putLongVolatile(null, segmentAddress(i), 0L);
        }
        long removed = 0;
        for (long pos = 0; pos < capacity; pos++) {
            long address = slots + (pos << 3);
            long s = U.getLong(address);
            long index = s & INDEX_MASK;
            if (index >= from && index < to) {
                U.putOrderedLong(null, address, TOMBSTONE);
                removed++;
            }
        }
        live -= removed;
        tombstones += removed;
        U.fullFence();
        return removed;
    }

    /** Native bytes held: slots, side segments and the segment directory. */
    long memoryBytes() {
        return capacity * Long.BYTES + segments.size() * SEGMENT_BYTES + (long) dir.length * Long.BYTES;
    }

    private void free() {
        for (BytesStore<?, Void> segment : segments) {
            segment.releaseLast();
        }
        slotsStore.releaseLast();
    }
}
