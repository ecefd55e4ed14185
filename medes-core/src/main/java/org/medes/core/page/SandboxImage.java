package org.medes.core.page;

import net.openhft.chronicle.bytes.BytesStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The memory of one sandbox: its mappings and the pages present in them, page data off-heap.
 *
 * <p>Pages are numbered 0..{@link #pageCount()}-1 in ascending virtual address order; each lies in
 * exactly one mapping. Page data lives in native slabs of {@value #SLAB_PAGES} pages (Chronicle
 * Bytes stores), so a 100 MB image costs no heap and pages are never copied to be stored.
 *
 * <p>Thread-safety: immutable once built; any number of threads may read pages concurrently.
 * {@link #close()} frees the native memory and must not race with readers.
 */
public final class SandboxImage implements PageLayout, AutoCloseable {
    static final int SLAB_SHIFT = 12;
    static final int SLAB_PAGES = 1 << SLAB_SHIFT;

    private final String id;
    private final List<Mapping> mappings;
    private final long[] vaddrs;
    private final int[] pageMapping;
    private final int pageCount;
    private final BytesStore<?, Void>[] slabs;
    private final long[] slabAddress;
    private volatile boolean closed;

    private SandboxImage(Builder b) {
        this.id = b.id;
        this.mappings = Collections.unmodifiableList(new ArrayList<>(b.mappings));
        this.pageCount = b.pageCount;
        this.vaddrs = Arrays.copyOf(b.vaddrs, b.pageCount);
        this.pageMapping = Arrays.copyOf(b.pageMapping, b.pageCount);
        this.slabs = b.slabs.toArray(new BytesStore[0]);
        this.slabAddress = b.slabAddress.stream().mapToLong(Long::longValue).toArray();
    }

    /** Starts an image with the given id (a sandbox or checkpoint name). */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    public String id() {
        return id;
    }

    /** Mappings in ascending address order. */
    @Override
    public List<Mapping> mappings() {
        return mappings;
    }

    @Override
    public int pageCount() {
        return pageCount;
    }

    /** Bytes of page data: {@code pageCount() * 4096}. */
    public long pageBytes() {
        return (long) pageCount << PageSize.SHIFT;
    }

    /** Virtual address of page {@code page}. */
    @Override
    public long pageVaddr(int page) {
        return vaddrs[Objects.checkIndex(page, pageCount)];
    }

    /** Index in {@link #mappings()} of the mapping holding page {@code page}. */
    @Override
    public int pageMapping(int page) {
        return pageMapping[Objects.checkIndex(page, pageCount)];
    }

    /** Native address of the 4096 bytes of page {@code page}; valid until {@link #close()}. */
    public long pageAddress(int page) {
        Objects.checkIndex(page, pageCount);
        if (closed) {
            throw new IllegalStateException("image " + id + " is closed");
        }
        return slabAddress[page >>> SLAB_SHIFT] + ((long) (page & (SLAB_PAGES - 1)) << PageSize.SHIFT);
    }

    /** Copies page {@code page} into {@code dst[off..off+4096)}. */
    public void copyPage(int page, byte[] dst, int off) {
        OffHeap.copyToArray(pageAddress(page), dst, off, PageSize.BYTES);
    }

    /** Returns a copy of page {@code page}. */
    public byte[] page(int page) {
        byte[] b = new byte[PageSize.BYTES];
        copyPage(page, b, 0);
        return b;
    }

    /** Index of the page at virtual address {@code vaddr}, or -1 when that page is not present. */
    @Override
    public int findPage(long vaddr) {
        int i = Arrays.binarySearch(vaddrs, vaddr & ~(long) (PageSize.BYTES - 1));
        return i >= 0 ? i : -1;
    }

    /** True when both images have the same mappings, page addresses and page bytes. */
    public boolean contentEquals(SandboxImage other) {
        if (pageCount != other.pageCount || !mappings.equals(other.mappings) || !Arrays.equals(vaddrs, other.vaddrs)) {
            return false;
        }
        return firstDifferentPage(other) < 0;
    }

    /** Index of the first page whose bytes differ from {@code other}'s, or -1; both must have equal page counts. */
    public int firstDifferentPage(SandboxImage other) {
        if (pageCount != other.pageCount) {
            throw new IllegalArgumentException("page counts differ: " + pageCount + " vs " + other.pageCount);
        }
        for (int p = 0; p < pageCount; p++) {
            long a = pageAddress(p);
            long b = other.pageAddress(p);
            for (int o = 0; o < PageSize.BYTES; o += 8) {
                if (OffHeap.getLong(a + o) != OffHeap.getLong(b + o)) {
                    return p;
                }
            }
        }
        return -1;
    }

    /** Frees the native page memory; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (BytesStore<?, Void> s : slabs) {
                s.releaseLast();
            }
        }
    }

    @Override
    public String toString() {
        return "SandboxImage[" + id + ", " + mappings.size() + " mappings, " + pageCount + " pages]";
    }

    /**
     * Builds an image: add mappings in ascending address order, then pages in ascending address
     * order, each inside an added mapping. Not thread-safe; {@link #reservePage} addresses may be
     * filled by many threads before {@link #build()}.
     */
    public static final class Builder {
        private final String id;
        private final List<Mapping> mappings = new ArrayList<>();
        private long[] vaddrs = new long[64];
        private int[] pageMapping = new int[64];
        private int pageCount;
        private final List<BytesStore<?, Void>> slabs = new ArrayList<>();
        private final List<Long> slabAddress = new ArrayList<>();
        private int currentMapping = -1;
        private boolean built;

        private Builder(String id) {
            this.id = Objects.requireNonNull(id, "id");
        }

        /** Adds a mapping after all previously added ones; returns its index. */
        public int addMapping(Mapping m) {
            checkOpen();
            if (!mappings.isEmpty()) {
                Mapping last = mappings.get(mappings.size() - 1);
                if (Long.compareUnsigned(m.start(), last.end()) < 0) {
                    throw new IllegalArgumentException("mapping " + m + " overlaps or precedes " + last);
                }
            }
            mappings.add(m);
            return mappings.size() - 1;
        }

        /** Adds a page at {@code vaddr} with bytes {@code src[off..off+4096)}; returns its index. */
        public int addPage(long vaddr, byte[] src, int off) {
            long address = reservePage(vaddr);
            OffHeap.copyFromArray(src, off, address, PageSize.BYTES);
            return pageCount - 1;
        }

        /** Adds a page at {@code vaddr} copied from native {@code srcAddress}; returns its index. */
        public int addPageFrom(long vaddr, long srcAddress) {
            long address = reservePage(vaddr);
            OffHeap.copy(srcAddress, address, PageSize.BYTES);
            return pageCount - 1;
        }

        /**
         * Adds a zero-filled page at {@code vaddr} and returns the native address of its 4096
         * bytes, for the caller to fill before {@link #build()}.
         */
        public long reservePage(long vaddr) {
            checkOpen();
            if ((vaddr & (PageSize.BYTES - 1)) != 0) {
                throw new IllegalArgumentException("page address 0x" + Long.toHexString(vaddr) + " is not page aligned");
            }
            if (pageCount > 0 && Long.compareUnsigned(vaddr, vaddrs[pageCount - 1]) <= 0) {
                throw new IllegalArgumentException("page 0x" + Long.toHexString(vaddr)
                        + " is not above the previous page 0x" + Long.toHexString(vaddrs[pageCount - 1]));
            }
            int m = Math.max(currentMapping, 0);
            while (m < mappings.size() && Long.compareUnsigned(mappings.get(m).end(), vaddr) <= 0) {
                m++;
            }
            if (m >= mappings.size() || !mappings.get(m).contains(vaddr)) {
                throw new IllegalArgumentException("page 0x" + Long.toHexString(vaddr) + " lies in no mapping of image " + id);
            }
            currentMapping = m;
            if (pageCount == vaddrs.length) {
                vaddrs = Arrays.copyOf(vaddrs, pageCount * 2);
                pageMapping = Arrays.copyOf(pageMapping, pageCount * 2);
            }
            int slab = pageCount >>> SLAB_SHIFT;
            if (slab == slabs.size()) {
                BytesStore<?, Void> s = BytesStore.nativeStoreWithFixedCapacity((long) SLAB_PAGES << PageSize.SHIFT);
                slabs.add(s);
                slabAddress.add(s.addressForRead(0));
            }
            vaddrs[pageCount] = vaddr;
            pageMapping[pageCount] = m;
            long address = slabAddress.get(slab) + ((long) (pageCount & (SLAB_PAGES - 1)) << PageSize.SHIFT);
            pageCount++;
            OffHeap.zero(address, PageSize.BYTES);
            return address;
        }

        /** Number of pages added so far. */
        public int pageCount() {
            return pageCount;
        }

        public SandboxImage build() {
            checkOpen();
            built = true;
            return new SandboxImage(this);
        }

        /** Frees what was reserved when the builder is abandoned without {@link #build()}. */
        public void discard() {
            if (!built) {
                built = true;
                slabs.forEach(BytesStore::releaseLast);
            }
        }

        private void checkOpen() {
            if (built) {
                throw new IllegalStateException("builder of image " + id + " already built or discarded");
            }
        }
    }
}
