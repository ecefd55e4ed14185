package org.medes.rdma.disni;

import org.medes.core.page.PageSize;
import org.medes.rdma.PageBatch;
import org.medes.rdma.PageFetchException;

import java.util.Arrays;
import java.util.Map;

/**
 * The RDMA READ work requests that read one batch: every entry checked client-side first (region
 * described, key as described, page in range), then consecutive entries that sit back to back in
 * one remote segment merged into one work request, cut at {@code maxBytes} and at the boundaries
 * of the destination's memory registrations ({@code localChunkPages}). Work request {@code w}
 * reads batch entries {@code [from(w), to(w))}: {@link #bytes(w)} bytes from {@link #remote(w)}
 * under {@link #rkey(w)} into {@code destination + from(w) * 4096}.
 *
 * <p>Thread-safety: immutable once built.
 */
final class ReadPlan {
    private final int[] from;
    private final int[] to;
    private final long[] remote;
    private final int[] rkey;
    private final int size;

    private ReadPlan(int[] from, int[] to, long[] remote, int[] rkey, int size) {
        this.from = from;
        this.to = to;
        this.remote = remote;
        this.rkey = rkey;
        this.size = size;
    }

    /**
     * Plans {@code batch} against the described {@code regions} (by id).
     *
     * @throws PageFetchException naming the first entry refused: UNKNOWN_REGION (not described),
     *                            WRONG_KEY, OUT_OF_RANGE; nothing is read then
     */
    static ReadPlan of(PageBatch batch, Map<Long, RemoteRegion> regions, long maxBytes, int localChunkPages)
            throws PageFetchException {
        int n = batch.size();
        int maxPages = (int) Math.max(1, maxBytes >> PageSize.SHIFT);
        int[] from = new int[Math.max(1, n)];
        int[] to = new int[from.length];
        long[] remote = new long[from.length];
        int[] rkey = new int[from.length];
        int w = -1;
        long prevEnd = 0;
        int prevKey = 0;
        for (int i = 0; i < n; i++) {
            RemoteRegion r = check(batch, i, regions);
            int page = batch.page(i);
            RemoteRegion.Segment s = r.segments().get(r.segmentOf(page));
            long addr = s.address() + ((long) (page - s.firstPage()) << PageSize.SHIFT);
            boolean merge = w >= 0 && addr == prevEnd && s.rkey() == prevKey
                    && i - from[w] < maxPages && i % localChunkPages != 0;
            if (merge) {
                to[w] = i + 1;
            } else {
                w++;
                from[w] = i;
                to[w] = i + 1;
                remote[w] = addr;
                rkey[w] = s.rkey();
            }
            prevEnd = addr + PageSize.BYTES;
            prevKey = s.rkey();
        }
        int size = w + 1;
        return new ReadPlan(Arrays.copyOf(from, size), Arrays.copyOf(to, size), Arrays.copyOf(remote, size),
                Arrays.copyOf(rkey, size), size);
    }

    private static RemoteRegion check(PageBatch batch, int i, Map<Long, RemoteRegion> regions) throws PageFetchException {
        long id = batch.region(i);
        int page = batch.page(i);
        RemoteRegion r = regions.get(id);
        PageFetchException.Reason refused = null;
        String why = null;
        if (r == null) {
            refused = PageFetchException.Reason.UNKNOWN_REGION;
            why = "region not described by the page server";
        } else if (r.key() != batch.key(i)) {
            refused = PageFetchException.Reason.WRONG_KEY;
            why = "access key does not match the region's";
        } else if (page < 0 || page >= r.pageCount()) {
            refused = PageFetchException.Reason.OUT_OF_RANGE;
            why = "page outside the region's " + r.pageCount() + " pages, refused before any read";
        }
        if (refused != null) {
            throw new PageFetchException(refused, id, new int[] {page}, why, null);
        }
        return r;
    }

    /** Number of work requests. */
    int size() {
        return size;
    }

    int from(int w) {
        return from[w];
    }

    int to(int w) {
        return to[w];
    }

    long remote(int w) {
        return remote[w];
    }

    int rkey(int w) {
        return rkey[w];
    }

    /** Bytes read by work request {@code w}. */
    int bytes(int w) {
        return (to[w] - from[w]) << PageSize.SHIFT;
    }

    /** Offset in the destination where work request {@code w} writes. */
    long localOffset(int w) {
        return (long) from[w] << PageSize.SHIFT;
    }
}
