package org.medes.rdma;

import org.medes.core.page.SandboxImage;

/**
 * The off-heap pages behind a region: page {@code p} is 4096 bytes at {@link #pageAddress}.
 *
 * <p>Thread-safety: implementations must allow concurrent reads.
 */
public interface RegionPages {

    int pageCount();

    /** Native address of page {@code page}, valid while the region is registered. */
    long pageAddress(int page);

    /** The pages of a sandbox image (a base sandbox); the image stays owned by the caller. */
    static RegionPages of(SandboxImage image) {
        return new RegionPages() {
            @Override
            public int pageCount() {
                return image.pageCount();
            }

            @Override
            public long pageAddress(int page) {
                return image.pageAddress(page);
            }
        };
    }
}
