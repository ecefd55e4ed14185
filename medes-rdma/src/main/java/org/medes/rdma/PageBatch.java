package org.medes.rdma;

import org.medes.core.page.PageSize;

import java.util.Arrays;
import java.util.Objects;

/**
 * An ordered list of (region, page) reads; the i-th page of a batch lands at
 * {@code destination + i * 4096}.
 *
 * <p>Thread-safety: immutable once built.
 */
public final class PageBatch {
    /** Largest batch: 1 Mi pages (4 GiB). */
    public static final int MAX_PAGES = 1 << 20;

    private final long[] regions;
    private final long[] keys;
    private final int[] pages;
    private final int size;

    private PageBatch(long[] regions, long[] keys, int[] pages, int size) {
        this.regions = regions;
        this.keys = keys;
        this.pages = pages;
        this.size = size;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A batch reading {@code pages} of {@code region}, in that order. */
    public static PageBatch of(PageRegion region, int... pages) {
        Builder b = builder();
        for (int p : pages) {
            b.add(region, p);
        }
        return b.build();
    }

    public int size() {
        return size;
    }

    /** Bytes the destination must hold: {@code size * 4096}. */
    public long bytes() {
        return (long) size << PageSize.SHIFT;
    }

    public long region(int i) {
        return regions[Objects.checkIndex(i, size)];
    }

    public long key(int i) {
        return keys[Objects.checkIndex(i, size)];
    }

    public int page(int i) {
        return pages[Objects.checkIndex(i, size)];
    }

    /** Pages of the batch in {@code [from, to)} that belong to {@code region}, in batch order. */
    public int[] pagesOf(long region, int from, int to) {
        int[] out = new int[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (regions[i] == region) {
                out[n++] = pages[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** An exception naming the first region of entries {@code [from, to)} and its pages there. */
    /**
     * The outcome of reading this batch into {@code capacity} bytes when no transport is needed:
     * failed with BAD_REQUEST when they do not hold it, done when the batch is empty; otherwise
     * null (the fetcher reads it).
     */
    public java.util.concurrent.CompletableFuture<Void> settledWithoutReading(long capacity) {
        if (capacity < bytes()) {
            return java.util.concurrent.CompletableFuture.failedFuture(failure(PageFetchException.Reason.BAD_REQUEST, 0,
                    size, "destination holds " + capacity + " bytes, the batch needs " + bytes(), null));
        }
        return size == 0 ? java.util.concurrent.CompletableFuture.completedFuture(null) : null;
    }

    PageFetchException failure(PageFetchException.Reason reason, int from, int to, String detail, Throwable cause) {
        long region = size == 0 ? -1 : regions[Math.min(from, size - 1)];
        return new PageFetchException(reason, region, pagesOf(region, from, Math.max(to, from)), detail, cause);
    }

    /** Collects reads; not thread-safe. */
    public static final class Builder {
        private long[] regions = new long[16];
        private long[] keys = new long[16];
        private int[] pages = new int[16];
        private int size;

        /** Appends a read of page {@code page} of {@code region} (range checked by the server). */
        public Builder add(PageRegion region, int page) {
            return add(region.id(), region.key(), page);
        }

        /** Appends a read of page {@code page} of region {@code regionId} with access key {@code key}. */
        public Builder add(long regionId, long key, int page) {
            if (size == MAX_PAGES) {
                throw new IllegalStateException("a batch holds at most " + MAX_PAGES + " pages");
            }
            if (size == pages.length) {
                int n = size * 2;
                regions = Arrays.copyOf(regions, n);
                keys = Arrays.copyOf(keys, n);
                pages = Arrays.copyOf(pages, n);
            }
            regions[size] = regionId;
            keys[size] = key;
            pages[size] = page;
            size++;
            return this;
        }

        public PageBatch build() {
            return new PageBatch(Arrays.copyOf(regions, size), Arrays.copyOf(keys, size), Arrays.copyOf(pages, size), size);
        }
    }
}
