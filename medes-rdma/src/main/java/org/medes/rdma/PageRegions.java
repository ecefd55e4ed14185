package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The regions one node exports: the page server every transport serves from, and the one that
 * {@link LocalPageFetcher} reads in the same JVM.
 *
 * <p>Region 0 is the probe region: one page of a fixed pattern, key 0, used by fetcher
 * self-tests; it reveals nothing. Every other region gets a random 64-bit key.
 *
 * <p>Transports that hand region memory to a NIC (DiSNI) follow the regions through a
 * {@link Listener}: told of each region registered, and of each region withdrawn before
 * {@link #unregister} or {@link #close} returns, so before the caller may free its memory.
 *
 * <p>Thread-safety: thread-safe. Reads take a region's read lock per page; unregistering takes
 * its write lock, so it waits for reads in progress and later reads are refused.
 */
public final class PageRegions implements PageServer {
    /** Id of the probe region. */
    public static final long PROBE_REGION = 0;
    /** Key of the probe region. */
    public static final long PROBE_KEY = 0;

    private static final class Region {
        final PageRegion descriptor;
        final RegionPages pages;
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        volatile boolean dead;

        Region(PageRegion descriptor, RegionPages pages) {
            this.descriptor = descriptor;
            this.pages = pages;
        }
    }

    /** Follows regions as they are registered and withdrawn. */
    public interface Listener {
        /** {@code region} now serves {@code pages}; called before {@code register} returns. */
        void registered(PageRegion region, RegionPages pages);

        /** {@code region} is withdrawn; called before its memory may be freed. */
        void unregistered(PageRegion region);
    }

    /** A region's pages as {@link #open} hands them out, or the status that refused them. */
    record Opened(byte status, PageRegion region, RegionPages pages) {
    }

    private final Map<Long, Region> regions = new ConcurrentHashMap<>();
    private final java.util.List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final SecureRandom random = new SecureRandom();
    private final BytesStore<?, Void> probe;
    private volatile boolean closed;

    public PageRegions() {
        probe = BytesStore.nativeStoreWithFixedCapacity(PageSize.BYTES);
        long a = probe.addressForRead(0);
        for (int i = 0; i < PageSize.BYTES; i++) {
            OffHeap.putByte(a + i, probeByte(i));
        }
        RegionPages probePages = new RegionPages() {
            @Override
            public int pageCount() {
                return 1;
            }

            @Override
            public long pageAddress(int page) {
                return a;
            }
        };
        regions.put(PROBE_REGION, new Region(new PageRegion(PROBE_REGION, 1, PROBE_KEY), probePages));
    }

    /** Byte {@code i} of the probe page. */
    static byte probeByte(int i) {
        return (byte) (i * 31 + 7);
    }

    /** The probe region's descriptor. */
    public static PageRegion probeRegion() {
        return new PageRegion(PROBE_REGION, 1, PROBE_KEY);
    }

    @Override
    public PageRegion register(RegionPages pages) {
        if (closed) {
            throw new IllegalStateException("page server is closed");
        }
        long key;
        do {
            key = random.nextLong();
        } while (key == PROBE_KEY);
        PageRegion d = new PageRegion(nextId.getAndIncrement(), pages.pageCount(), key);
        synchronized (listeners) {
            regions.put(d.id(), new Region(d, pages));
            listeners.forEach(l -> l.registered(d, pages));
        }
        return d;
    }

    /** Adds {@code listener} and tells it of every region registered so far, the probe included. */
    public void addListener(Listener listener) {
        synchronized (listeners) {
            listeners.add(java.util.Objects.requireNonNull(listener));
            regions.values().forEach(r -> listener.registered(r.descriptor, r.pages));
        }
    }

    /** Stops telling {@code listener}; it is not told of the regions still registered. */
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    @Override
    public boolean unregister(long regionId) {
        if (regionId == PROBE_REGION) {
            return false;
        }
        Region r = remove(regionId);
        if (r == null) {
            return false;
        }
        kill(r);
        return true;
    }

    private Region remove(long regionId) {
        synchronized (listeners) {
            return regions.remove(regionId);
        }
    }

    private void kill(Region r) {
        r.dead = true;
        r.lock.writeLock().lock();
        r.lock.writeLock().unlock();
        listeners.forEach(l -> l.unregistered(r.descriptor));
    }

    /**
     * The pages of region {@code regionId} if {@code key} opens it, for transports that read the
     * region's memory without {@link #copyPage} (the pages stay valid until the region is
     * withdrawn; see {@link Listener#unregistered}); otherwise only a {@link Status} code.
     */
    Opened open(long regionId, long key) {
        Region r = regions.get(regionId);
        if (r == null || r.dead) {
            return new Opened(closed ? Status.CLOSED : Status.UNKNOWN_REGION, null, null);
        }
        if (r.descriptor.key() != key) {
            return new Opened(Status.WRONG_KEY, null, null);
        }
        return new Opened(Status.OK, r.descriptor, r.pages);
    }

    /** Number of registered regions, the probe region included. */
    public int size() {
        return regions.size();
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Copies page {@code page} of region {@code regionId} to native {@code destination} if
     * {@code key} opens it; returns a {@link Status} code and copies nothing unless OK.
     */
    byte copyPage(long regionId, long key, int page, long destination) {
        Region r = regions.get(regionId);
        if (r == null) {
            return closed ? Status.CLOSED : Status.UNKNOWN_REGION;
        }
        if (r.descriptor.key() != key) {
            return Status.WRONG_KEY;
        }
        if (page < 0 || page >= r.descriptor.pageCount()) {
            return Status.OUT_OF_RANGE;
        }
        ReentrantReadWriteLock.ReadLock lock = r.lock.readLock();
        lock.lock();
        try {
            if (r.dead) {
                return closed ? Status.CLOSED : Status.UNKNOWN_REGION;
            }
            OffHeap.copy(r.pages.pageAddress(page), destination, PageSize.BYTES);
            return Status.OK;
        } finally {
            lock.unlock();
        }
    }

    /** Checks a read without copying; returns a {@link Status} code. */
    byte check(long regionId, long key, int page) {
        Region r = regions.get(regionId);
        if (r == null || r.dead) {
            return closed ? Status.CLOSED : Status.UNKNOWN_REGION;
        }
        if (r.descriptor.key() != key) {
            return Status.WRONG_KEY;
        }
        if (page < 0 || page >= r.descriptor.pageCount()) {
            return Status.OUT_OF_RANGE;
        }
        return Status.OK;
    }

    /** Refuses all reads from now on and waits for those in progress; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Region r : regions.values()) {
            r.dead = true;
        }
        for (Long id : regions.keySet().toArray(new Long[0])) {
            Region r = remove(id);
            if (r != null) {
                kill(r);
            }
        }
        probe.releaseLast();
    }
}
