package org.medes.rdma.disni;

import org.medes.core.page.PageSize;
import org.medes.rdma.RegionPages;

import java.util.ArrayList;
import java.util.List;

/**
 * A region as a DiSNI client reads it: its id, access key and page count, and the memory
 * registrations (segments) that cover its pages, each a run of pages contiguous in the server's
 * memory with the remote address and rkey of its first page.
 *
 * <p>Thread-safety: immutable.
 */
record RemoteRegion(long id, long key, int pageCount, List<Segment> segments) {
    /** Largest segment: one memory registration is at most 1 GiB. */
    static final long MAX_SEGMENT_BYTES = 1L << 30;

    /** Pages {@code [firstPage, firstPage + pages)} at {@code address} under remote key {@code rkey}. */
    record Segment(int firstPage, int pages, long address, int rkey) {
        long bytes() {
            return (long) pages << PageSize.SHIFT;
        }
    }

    /**
     * Checks that the segments cover pages {@code 0..pageCount-1} in order, without gap or
     * overlap, each at most {@link #MAX_SEGMENT_BYTES}; a malformed description is refused.
     */
    RemoteRegion {
        segments = List.copyOf(segments);
        if (pageCount < 0) {
            throw new IllegalArgumentException("region " + id + ": negative page count " + pageCount);
        }
        int next = 0;
        for (Segment s : segments) {
            if (s.firstPage() != next || s.pages() <= 0 || s.bytes() > MAX_SEGMENT_BYTES) {
                throw new IllegalArgumentException("region " + id + ": segment " + s + " does not continue at page "
                        + next + " with 1.." + (MAX_SEGMENT_BYTES >> PageSize.SHIFT) + " pages");
            }
            next += s.pages();
        }
        if (next != pageCount) {
            throw new IllegalArgumentException("region " + id + ": segments cover " + next + " of " + pageCount + " pages");
        }
    }

    /** Index in {@link #segments()} of the segment holding {@code page}, which must be in range. */
    int segmentOf(int page) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segments.get(mid).firstPage() <= page) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Remote address of {@code page}, which must be in range. */
    long address(int page) {
        Segment s = segments.get(segmentOf(page));
        return s.address() + ((long) (page - s.firstPage()) << PageSize.SHIFT);
    }

    /**
     * Splits {@code pages} into runs of pages that sit back to back in memory, each at most
     * {@code maxBytes}: the memory registrations a server makes for a region. {@code rkey} is 0
     * until registered.
     */
    static List<Segment> runs(RegionPages pages, long maxBytes) {
        int max = (int) Math.max(1, maxBytes >> PageSize.SHIFT);
        List<Segment> out = new ArrayList<>();
        int n = pages.pageCount();
        int first = 0;
        long start = n == 0 ? 0 : pages.pageAddress(0);
        for (int p = 1; p <= n; p++) {
            boolean cut = p == n || p - first == max
                    || pages.pageAddress(p) != start + ((long) (p - first) << PageSize.SHIFT);
            if (cut) {
                out.add(new Segment(first, p - first, start, 0));
                if (p < n) {
                    first = p;
                    start = pages.pageAddress(p);
                }
            }
        }
        return out;
    }
}
