package org.medes.core.base;

import org.medes.core.page.PageLayout;

/**
 * Where the dedup engine reads base pages from: locally ({@link BaseSandboxes}) or, in
 * medes-rdma, from other nodes.
 *
 * <p>Thread-safety: implementations must allow concurrent calls from the engine's workers.
 */
public interface BasePageSource {

    /** The mappings and page addresses of base {@code base}. */
    PageLayout layout(int base) throws BasePageUnavailableException;

    /** Node that holds base {@code base}. */
    int node(int base) throws BasePageUnavailableException;

    /**
     * Copies page {@code page} of base {@code base} into {@code dst[off..off+4096)}.
     *
     * @throws BasePageUnavailableException when the base or the page cannot be read
     */
    void readPage(int base, int page, byte[] dst, int off) throws BasePageUnavailableException;

    /**
     * As {@link #readPage}, into the 4096 bytes of native memory at {@code address}; {@code scratch}
     * (4096 bytes) may be used in between. The default reads into {@code scratch} and copies.
     */
    default void readPageTo(int base, int page, long address, byte[] scratch) throws BasePageUnavailableException {
        readPage(base, page, scratch, 0);
        org.medes.core.page.OffHeap.copyFromArray(scratch, 0, address, org.medes.core.page.PageSize.BYTES);
    }

    /**
     * The {@link org.medes.core.patch.PointerMarks} of base {@code base}'s pages, or null when this
     * source keeps none (then codecs test every word against the relocation, with the same
     * result). The default keeps none.
     */
    default org.medes.core.patch.PointerMarks pointerMarks(int base) throws BasePageUnavailableException {
        return null;
    }

    /**
     * Hint that {@link #readPage} is about to be called for {@code pages} (sorted, distinct) of
     * base {@code base}, so a remote source can fetch them in batches beforehand. Errors are left
     * to {@code readPage}, which names the page; the default does nothing.
     */
    default void prefetch(int base, int[] pages) {
    }

    /** How many dedup images currently hold base {@code base}; used to break ties. */
    default int referenceCount(int base) {
        return 0;
    }

    /**
     * Called by the engine once a dedup image that needs pages of {@code bases} exists; sources
     * that track references record it. {@code bases[0]} is the image's primary base.
     */
    default void retain(String dedupImageId, int[] bases) {
    }
}
