package org.medes.rdma.disni;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.rdma.PageBatch;
import org.medes.rdma.PageFetchException;
import org.medes.rdma.RegionPages;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Segments of a region's memory, and the planning of batches into RDMA READ work requests. */
class ReadPlanTest {
    static final long KEY = 0x1234;

    /** Pages at the given addresses. */
    static RegionPages at(long... addresses) {
        return new RegionPages() {
            @Override
            public int pageCount() {
                return addresses.length;
            }

            @Override
            public long pageAddress(int page) {
                return addresses[page];
            }
        };
    }

    static long a(int slot) {
        return 0x10_0000L + (long) slot * PageSize.BYTES;
    }

    @Test
    void runsFollowContiguousMemoryAndTheSizeCap() {
        // pages 0-2 back to back, 3 elsewhere, 4-5 back to back after it
        RegionPages pages = at(a(0), a(1), a(2), a(10), a(11), a(12));
        assertThat(RemoteRegion.runs(pages, 1L << 30)).containsExactly(
                new RemoteRegion.Segment(0, 3, a(0), 0), new RemoteRegion.Segment(3, 3, a(10), 0));
        assertThat(RemoteRegion.runs(pages, 2L * PageSize.BYTES)).containsExactly(
                new RemoteRegion.Segment(0, 2, a(0), 0), new RemoteRegion.Segment(2, 1, a(2), 0),
                new RemoteRegion.Segment(3, 2, a(10), 0), new RemoteRegion.Segment(5, 1, a(12), 0));
        assertThat(RemoteRegion.runs(at(), 1L << 30)).isEmpty();
        // a page before its predecessor breaks the run too
        assertThat(RemoteRegion.runs(at(a(5), a(4)), 1L << 30)).hasSize(2);
    }

    @Test
    void malformedSegmentListsAreRefused() {
        var s = new RemoteRegion.Segment(0, 2, a(0), 7);
        assertThatThrownBy(() -> new RemoteRegion(1, KEY, 3, List.of(s))).hasMessageContaining("cover 2 of 3 pages");
        assertThatThrownBy(() -> new RemoteRegion(1, KEY, 4, List.of(s, new RemoteRegion.Segment(3, 1, a(9), 7))))
                .hasMessageContaining("does not continue at page 2");
        assertThatThrownBy(() -> new RemoteRegion(1, KEY, 1 << 19, List.of(new RemoteRegion.Segment(0, 1 << 19, a(0), 7))))
                .hasMessageContaining("1..262144 pages");
    }

    private static RemoteRegion region(long id, int rkeyBase, RegionPages pages) {
        List<RemoteRegion.Segment> runs = RemoteRegion.runs(pages, 1L << 30);
        List<RemoteRegion.Segment> keyed = new java.util.ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            var s = runs.get(i);
            keyed.add(new RemoteRegion.Segment(s.firstPage(), s.pages(), s.address(), rkeyBase + i));
        }
        return new RemoteRegion(id, KEY, pages.pageCount(), keyed);
    }

    @Test
    void consecutivePagesOfOneSegmentBecomeOneWorkRequest() throws Exception {
        RemoteRegion r = region(5, 100, at(a(0), a(1), a(2), a(3), a(20), a(21)));
        PageBatch b = PageBatch.builder().add(5, KEY, 0).add(5, KEY, 1).add(5, KEY, 2)   // one run
                .add(5, KEY, 3).add(5, KEY, 4)                                               // segment boundary: 3 | 4
                .add(5, KEY, 5).add(5, KEY, 5)                                               // same page twice: not contiguous
                .add(5, KEY, 1).build();
        ReadPlan p = ReadPlan.of(b, Map.of(5L, r), 1 << 20, 1 << 18);
        assertThat(p.size()).isEqualTo(4);
        assertThat(new int[] {p.from(0), p.to(0), p.from(1), p.to(1), p.from(2), p.to(2), p.from(3), p.to(3)})
                .containsExactly(0, 4, 4, 6, 6, 7, 7, 8);
    }

    @Test
    void workRequestsCarryAddressKeyLengthAndOffset() throws Exception {
        RemoteRegion r = region(5, 100, at(a(0), a(1), a(2), a(3), a(20), a(21)));
        PageBatch b = PageBatch.builder().add(5, KEY, 2).add(5, KEY, 3).add(5, KEY, 4).add(5, KEY, 5).add(5, KEY, 0).build();
        ReadPlan p = ReadPlan.of(b, Map.of(5L, r), 1 << 20, 1 << 18);
        assertThat(p.size()).isEqualTo(3);
        assertThat(List.of(p.remote(0), p.remote(1), p.remote(2))).containsExactly(a(2), a(20), a(0));
        assertThat(List.of(p.rkey(0), p.rkey(1), p.rkey(2))).containsExactly(100, 101, 100);
        assertThat(List.of(p.bytes(0), p.bytes(1), p.bytes(2))).containsExactly(2 * 4096, 2 * 4096, 4096);
        assertThat(List.of(p.localOffset(0), p.localOffset(1), p.localOffset(2))).containsExactly(0L, 2L * 4096, 4L * 4096);
    }

    @Test
    void workRequestsAreCutAtTheSizeCapAndAtLocalRegistrations() throws Exception {
        long[] addrs = new long[64];
        for (int i = 0; i < 64; i++) {
            addrs[i] = a(i);
        }
        RemoteRegion r = region(5, 100, at(addrs));
        PageBatch.Builder bb = PageBatch.builder();
        for (int i = 0; i < 64; i++) {
            bb.add(5, KEY, i);
        }
        PageBatch b = bb.build();
        assertThat(ReadPlan.of(b, Map.of(5L, r), 16L * 4096, 1 << 18).size()).isEqualTo(4);
        ReadPlan byChunk = ReadPlan.of(b, Map.of(5L, r), 1 << 20, 10);
        assertThat(byChunk.size()).isEqualTo(7);
        for (int w = 0; w < byChunk.size(); w++) {
            assertThat(byChunk.from(w) / 10).as("work request %d stays in one registration", w).isEqualTo((byChunk.to(w) - 1) / 10);
        }
    }

    @Test
    void pagesOfTwoRegionsAreNeverMerged() throws Exception {
        // region 6's memory happens to follow region 5's: still two work requests (different rkeys)
        RemoteRegion r5 = region(5, 100, at(a(0), a(1)));
        RemoteRegion r6 = region(6, 200, at(a(2), a(3)));
        PageBatch b = PageBatch.builder().add(5, KEY, 0).add(5, KEY, 1).add(6, KEY, 0).add(6, KEY, 1).build();
        assertThat(ReadPlan.of(b, Map.of(5L, r5, 6L, r6), 1 << 20, 1 << 18).size()).isEqualTo(2);
    }

    @Test
    void outOfRangeUnknownAndWrongKeyAreRefusedClientSide() {
        RemoteRegion r = region(5, 100, at(a(0), a(1), a(2)));
        Map<Long, RemoteRegion> d = Map.of(5L, r);
        record Case(PageBatch batch, PageFetchException.Reason reason, long region, int page) {
        }
        for (Case c : List.of(
                new Case(PageBatch.builder().add(5, KEY, 0).add(5, KEY, 3).build(), PageFetchException.Reason.OUT_OF_RANGE, 5, 3),
                new Case(PageBatch.builder().add(5, KEY, -1).build(), PageFetchException.Reason.OUT_OF_RANGE, 5, -1),
                new Case(PageBatch.builder().add(5, KEY, 0).add(9, KEY, 1).build(), PageFetchException.Reason.UNKNOWN_REGION, 9, 1),
                new Case(PageBatch.builder().add(5, KEY ^ 1, 2).build(), PageFetchException.Reason.WRONG_KEY, 5, 2))) {
            assertThatThrownBy(() -> ReadPlan.of(c.batch(), d, 1 << 20, 1 << 18))
                    .isInstanceOfSatisfying(PageFetchException.class, e -> {
                        assertThat(e.reason()).isEqualTo(c.reason());
                        assertThat(e.region()).isEqualTo(c.region());
                        assertThat(e.pages()).containsExactly(c.page());
                    });
        }
    }
}
