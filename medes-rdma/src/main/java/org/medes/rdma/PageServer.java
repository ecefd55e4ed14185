package org.medes.rdma;

import org.medes.core.base.BaseInUseException;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.page.SandboxImage;

import java.util.List;

/**
 * Exports pages of base sandboxes as registered regions that page fetchers read.
 *
 * <p>Thread-safety: implementations are thread-safe.
 */
public interface PageServer extends AutoCloseable {

    /** Registers {@code pages} under a new region id and a fresh random access key. */
    PageRegion register(RegionPages pages);

    /** Registers the pages of a base sandbox image; the image stays owned by the caller. */
    default PageRegion register(SandboxImage image) {
        return register(RegionPages.of(image));
    }

    /**
     * Stops serving region {@code regionId}; waits for reads in progress on it, so the caller may
     * free its memory on return. Later reads of it are refused.
     *
     * @return false when no such region is registered
     */
    boolean unregister(long regionId);

    /**
     * Unregisters the region of base {@code base} only when no dedup image of {@code bases} holds
     * that base any more.
     *
     * @throws BaseInUseException naming the dedup images that still hold it
     */
    default boolean unregisterBase(long regionId, BaseSandboxes bases, int base) {
        List<String> holders = bases.holders(base);
        if (!holders.isEmpty()) {
            throw new BaseInUseException(base, holders);
        }
        return unregister(regionId);
    }

    /** Stops serving every region; idempotent. */
    @Override
    void close();
}
