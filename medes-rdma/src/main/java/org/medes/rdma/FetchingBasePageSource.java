package org.medes.rdma;

import net.openhft.chronicle.bytes.BytesStore;
import org.medes.core.base.BasePageSource;
import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageLayout;
import org.medes.core.page.PageSize;
import org.medes.core.patch.PointerMarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Serves a restore's base pages from bases held by a page server, through any
 * {@link PageFetcher}: the engine's {@link #prefetch} hint fetches all the base pages a dedup
 * image needs in batches (all batches in flight at once) into a bounded off-heap cache, and
 * {@link #readPage} copies from it; a page not cached (the cache was full, or another restore
 * took its slot) is fetched alone. Any failure becomes a {@link BasePageUnavailableException}
 * naming the base, the page and the fetcher's reason, and a page that failed in a prefetch fails
 * at once when read. Only pages are served: {@link #layout} is refused, so dedup against a
 * remote base is not supported.
 *
 * <p>Thread-safety: thread-safe; prefetches are serialized, reads run concurrently with them.
 */
public final class FetchingBasePageSource implements BasePageSource, AutoCloseable {
    /** Default cache size: 8192 pages (32 MiB). */
    public static final int DEFAULT_CACHE_PAGES = 8192;
    /** Default pages per fetched batch. */
    public static final int DEFAULT_BATCH_PAGES = 1024;

    private record Remote(PageRegion region, int node, PointerMarks marks) {
    }

    private final PageFetcher fetcher;
    private final Map<Integer, Remote> bases;
    private final int capacity;
    private final int batchPages;
    private final Duration timeout;
    private final BytesStore<?, Void> cache;
    private final long cacheAddress;
    /** (base, page) -> slot of a complete cached page. */
    private final Map<Long, Integer> index = new ConcurrentHashMap<>();
    /** slot -> (base, page) it holds, or -1; changed only under the write lock. */
    private final long[] slotKey;
    /** Pages whose prefetch failed, with why. */
    private final Map<Long, PageFetchException> failed = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Object prefetching = new Object();
    private int hand;
    private boolean closed;

    private FetchingBasePageSource(Builder b) {
        this.fetcher = Objects.requireNonNull(b.fetcher, "a fetcher is required");
        this.bases = Map.copyOf(b.bases);
        this.capacity = b.cachePages;
        this.batchPages = b.batchPages;
        this.timeout = b.timeout;
        this.cache = BytesStore.nativeStoreWithFixedCapacity((long) capacity << PageSize.SHIFT);
        this.cacheAddress = cache.addressForRead(0);
        this.slotKey = new long[capacity];
        java.util.Arrays.fill(slotKey, -1);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static long key(int base, int page) {
        return ((long) base << 32) | (page & 0xFFFF_FFFFL);
    }

    private Remote remote(int base) throws BasePageUnavailableException {
        Remote r = bases.get(base);
        if (r == null) {
            throw new BasePageUnavailableException(base, "no page server region is known for this base");
        }
        return r;
    }

    @Override
    public PageLayout layout(int base) throws BasePageUnavailableException {
        remote(base);
        throw new BasePageUnavailableException(base, "its layout is not known here: a remote base serves pages to"
                + " restores; dedup against it needs the base locally");
    }

    @Override
    public int node(int base) throws BasePageUnavailableException {
        return remote(base).node();
    }

    /** The marks given with the base ({@link Builder#base(int, int, PageRegion, PointerMarks)}), or null. */
    @Override
    public PointerMarks pointerMarks(int base) throws BasePageUnavailableException {
        return remote(base).marks();
    }

    @Override
    public void prefetch(int base, int[] pages) {
        Remote r = bases.get(base);
        if (r == null) {
            return; // readPage names the base
        }
        synchronized (prefetching) {
            List<Integer> want = new ArrayList<>();
            for (int p : pages) {
                long k = key(base, p);
                failed.remove(k);
                if (p >= 0 && p < r.region().pageCount() && !index.containsKey(k) && want.size() < capacity) {
                    want.add(p);
                }
            }
            if (want.isEmpty()) {
                return;
            }
            // one run of slots for the whole prefetch, so its batches never overlap one another
            int first = claim(want.size());
            if (first < 0) {
                return; // closed
            }
            List<Prefetch> inFlight = new ArrayList<>();
            for (int from = 0; from < want.size(); from += batchPages) {
                int[] chunk = want.subList(from, Math.min(want.size(), from + batchPages)).stream().mapToInt(Integer::intValue).toArray();
                int slot = first + from;
                PageBatch batch = PageBatch.of(r.region(), chunk);
                inFlight.add(new Prefetch(fetcher.fetch(batch, cacheAddress + ((long) slot << PageSize.SHIFT),
                        (long) chunk.length << PageSize.SHIFT, timeout), batch, chunk, slot));
            }
            for (Prefetch pf : inFlight) {
                int[] chunk = pf.pages();
                PageFetchException why = await(pf.future(), pf.batch());
                if (why != null) {
                    for (int p : chunk) {
                        failed.put(key(base, p), why);
                    }
                    continue;
                }
                int slot = pf.slot();
                lock.writeLock().lock();
                try {
                    for (int i = 0; i < chunk.length; i++) {
                        long k = key(base, chunk[i]);
                        slotKey[slot + i] = k;
                        index.put(k, slot + i);
                    }
                } finally {
                    lock.writeLock().unlock();
                }
            }
        }
    }

    /** Frees {@code n} consecutive slots (evicting what they hold) and returns the first, or -1 when closed. */
    private int claim(int n) {
        lock.writeLock().lock();
        try {
            if (closed) {
                return -1;
            }
            if (hand + n > capacity) {
                hand = 0;
            }
            int first = hand;
            for (int s = first; s < first + n; s++) {
                if (slotKey[s] != -1) {
                    index.remove(slotKey[s], s);
                    slotKey[s] = -1;
                }
            }
            hand = first + n;
            return first;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A prefetch batch in flight: its future, the batch, its pages and the first cache slot they go to. */
    private record Prefetch(CompletableFuture<Void> future, PageBatch batch, int[] pages, int slot) {
    }

    /** Waits for a prefetch batch; its failure, or null when it was read. */
    private PageFetchException await(CompletableFuture<Void> f, PageBatch batch) {
        try {
            PageFetcher.await(f, batch, timeout, Duration.ZERO, fetcher.name());
            return null;
        } catch (PageFetchException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return batch.failure(PageFetchException.Reason.CLOSED, 0, batch.size(), "interrupted", e);
        }
    }

    @Override
    public void readPage(int base, int page, byte[] dst, int off) throws BasePageUnavailableException {
        Remote r = remote(base);
        if (page < 0 || page >= r.region().pageCount()) {
            throw new BasePageUnavailableException(base, page, "no such page (region " + r.region().id() + " has "
                    + r.region().pageCount() + " pages)", null);
        }
        long k = key(base, page);
        lock.readLock().lock();
        try {
            if (closed) {
                throw new BasePageUnavailableException(base, page, "the base page source is closed", null);
            }
            Integer slot = index.get(k);
            if (slot != null) {
                OffHeap.copyToArray(cacheAddress + ((long) slot << PageSize.SHIFT), dst, off, PageSize.BYTES);
                return;
            }
        } finally {
            lock.readLock().unlock();
        }
        PageFetchException before = failed.get(k);
        if (before != null) {
            throw unavailable(base, page, before);
        }
        BytesStore<?, Void> one = BytesStore.nativeStoreWithFixedCapacity(PageSize.BYTES);
        try {
            long a = one.addressForRead(0);
            try {
                // a page the restore needs now: poll for it rather than park (PageFetcher.read)
                fetcher.read(PageBatch.of(r.region(), page), a, PageSize.BYTES, timeout);
            } catch (PageFetchException why) {
                throw unavailable(base, page, why);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable(base, page, new PageFetchException(PageFetchException.Reason.CLOSED, r.region().id(),
                        new int[] {page}, "interrupted", e));
            }
            OffHeap.copyToArray(a, dst, off, PageSize.BYTES);
        } finally {
            one.releaseLast();
        }
    }

    private BasePageUnavailableException unavailable(int base, int page, PageFetchException why) {
        return new BasePageUnavailableException(base, page, "reading it through the " + fetcher.name() + " fetcher failed: "
                + why.getMessage(), why);
    }

    /** Pages currently cached (for tests and monitoring). */
    public int cachedPages() {
        return index.size();
    }

    /** Frees the cache; the fetcher stays open (the caller owns it); idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            index.clear();
        } finally {
            lock.writeLock().unlock();
        }
        synchronized (prefetching) {
            cache.releaseLast();
        }
    }

    /** Configures a {@link FetchingBasePageSource}; every setter but {@code base} may be called once. */
    public static final class Builder {
        private PageFetcher fetcher;
        private final Map<Integer, Remote> bases = new HashMap<>();
        private int cachePages = DEFAULT_CACHE_PAGES;
        private int batchPages = DEFAULT_BATCH_PAGES;
        private Duration timeout = Duration.ofSeconds(5);
        private final java.util.Set<String> set = new java.util.HashSet<>();

        private void once(String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /** The fetcher that reaches the page server (required; stays owned by the caller). */
        public Builder fetcher(PageFetcher fetcher) {
            once("fetcher");
            this.fetcher = Objects.requireNonNull(fetcher);
            return this;
        }

        /** Base {@code base}, held on node {@code node}, is served as {@code region}. */
        public Builder base(int base, int node, PageRegion region) {
            return base(base, node, region, null);
        }

        /**
         * As {@link #base(int, int, PageRegion)}, with the base's pointer marks (made where the
         * base is held, {@link PointerMarks#toBytes} there and {@link PointerMarks#fromBytes} here;
         * null for none): restores then relocate only the marked words of each fetched page, as
         * with a local base.
         *
         * @throws IllegalArgumentException when the marks are not of {@code region.pageCount()} pages
         */
        public Builder base(int base, int node, PageRegion region, PointerMarks marks) {
            Objects.requireNonNull(region, "region");
            if (marks != null && marks.pageCount() != region.pageCount()) {
                throw new IllegalArgumentException("pointer marks of base " + base + " are of " + marks.pageCount()
                        + " pages, its region has " + region.pageCount());
            }
            if (bases.putIfAbsent(base, new Remote(region, node, marks)) != null) {
                throw new IllegalStateException("base " + base + " was already given");
            }
            return this;
        }

        /** Cache size in pages (default {@value #DEFAULT_CACHE_PAGES}). */
        public Builder cachePages(int pages) {
            once("cachePages");
            if (pages < 1) {
                throw new IllegalArgumentException("cache of " + pages + " pages");
            }
            this.cachePages = pages;
            return this;
        }

        /** Pages per fetched batch (default {@value #DEFAULT_BATCH_PAGES}). */
        public Builder batchPages(int pages) {
            once("batchPages");
            if (pages < 1 || pages > PageBatch.MAX_PAGES) {
                throw new IllegalArgumentException("batches of " + pages + " pages");
            }
            this.batchPages = pages;
            return this;
        }

        /** Deadline of each fetched batch (default 5 s). */
        public Builder timeout(Duration timeout) {
            once("timeout");
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        public FetchingBasePageSource build() {
            if (batchPages > cachePages) {
                batchPages = cachePages;
            }
            return new FetchingBasePageSource(this);
        }
    }
}
