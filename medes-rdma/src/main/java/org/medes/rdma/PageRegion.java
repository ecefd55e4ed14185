package org.medes.rdma;

import org.medes.core.page.PageSize;

/**
 * A registered region as a client sees it: its id, its size in pages and the access key a
 * reader must present.
 *
 * @param id       region id, unique within its server
 * @param pageCount pages in the region (page indexes 0..pageCount-1)
 * @param key      access key; reads with any other key are refused
 */
public record PageRegion(long id, int pageCount, long key) {

    /** Bytes of the region: {@code pageCount * 4096}. */
    public long length() {
        return (long) pageCount << PageSize.SHIFT;
    }
}
