package org.medes.core.engine;

import org.medes.core.base.BasePageSource;
import org.medes.core.base.BasePageUnavailableException;
import org.medes.core.page.Mapping;
import org.medes.core.page.PageLayout;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds, for each target page, the pages of the primary base worth trying as its base page:
 * the page at the same offset of the paired mapping, then pages a few whole pages away.
 *
 * <p>Paired mappings often hold the same content at different page offsets: allocators place
 * their arenas by separate mmaps, and adjacent mmaps merge into one mapping, so part of a heap
 * may sit a few pages further in one instance than in the other. Per paired mapping, a sample
 * of target pages is compared with the base pages within {@value #MAX_SHIFT} pages of the
 * same offset (and the end-aligned offset); the shifts that win most often become the
 * mapping's candidates after the unshifted one. The engine tries the unshifted page first and,
 * when its patch is not good enough, the slid page sharing most words with the target page
 * ({@link #rawScore}); it keeps the smaller patch, so a page whose content did not slide loses
 * nothing.
 *
 * <p>Thread-safety: immutable after {@link #prepare}.
 */
final class PageAlignment {
    static final int MAX_SHIFT = 16;
    static final int SAMPLES = 16;
    static final int MAX_CANDIDATES = 4;
    /** Fewer equal words (of value 2^16 or more) than this is no evidence of a pairing. */
    static final int MIN_SCORE = 4;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final SandboxImage target;
    private final PageLayout base;
    private final int baseId;
    private final MappingAlignment mappings;
    /** Candidate page shifts per target mapping. */
    private final int[][] shifts;

    private PageAlignment(SandboxImage target, PageLayout base, int baseId, MappingAlignment mappings, int[][] shifts) {
        this.target = target;
        this.base = base;
        this.baseId = baseId;
        this.mappings = mappings;
        this.shifts = shifts;
    }

    /**
     * Finds each paired mapping's candidate shifts from a sample of its pages, the mappings
     * through {@code parallel} (the result is the same however it runs them).
     */
    static PageAlignment prepare(SandboxImage target, PageLayout base, int baseId, MappingAlignment mappings,
                                 BasePageSource source, ParallelLoop parallel) throws BasePageUnavailableException {
        List<Mapping> tm = target.mappings();
        int[][] shifts = new int[tm.size()][];
        PageAlignment scorer = new PageAlignment(target, base, baseId, mappings, shifts);
        int[] firstPage = new int[tm.size() + 1];
        int p = 0;
        for (int m = 0; m < tm.size(); m++) {
            firstPage[m] = p;
            while (p < target.pageCount() && target.pageMapping(p) == m) {
                p++;
            }
        }
        firstPage[tm.size()] = p;
        parallel.run(tm.size(), m -> shifts[m] = shifts(target, base, baseId, mappings, source, m, firstPage[m],
                firstPage[m + 1] - firstPage[m]));
        return scorer;
    }

    /** The candidate shifts of target mapping {@code m}, whose pages are {@code start .. start + count - 1}. */
    private static int[] shifts(SandboxImage target, PageLayout base, int baseId, MappingAlignment mappings,
                                BasePageSource source, int m, int start, int count) throws BasePageUnavailableException {
        int bm = mappings.baseMapping(m);
        if (bm < 0 || count == 0) {
            return new int[0];
        }
        if (count < 4) {
            return new int[] {0};
        }
        List<Mapping> tm = target.mappings();
        byte[] t = new byte[PageSize.BYTES];
        byte[] b = new byte[PageSize.BYTES];
        long endShift = Math.max(-(1 << 20), Math.min(1 << 20,
                (base.mappings().get(bm).length() - tm.get(m).length()) >> PageSize.SHIFT));
        int[] votes = new int[2 * MAX_SHIFT + 1];
        int endVotes = 0;
        int samples = Math.min(SAMPLES, count);
        for (int s = 0; s < samples; s++) {
            int tp = start + (int) ((long) s * count / samples);
            target.copyPage(tp, t, 0);
            boolean found = false;
            boolean bestIsEnd = false;
            int best = 0;
            int bestScore = MIN_SCORE - 1;
            for (int d = 0; d <= 2 * MAX_SHIFT + 1; d++) {
                // shifts in the order 0, -1, 1, -2, 2, ..., then the end-aligned shift if it is farther
                boolean isEnd = d == 2 * MAX_SHIFT + 1;
                if (isEnd && Math.abs(endShift) <= MAX_SHIFT) {
                    continue;
                }
                int shift = isEnd ? (int) endShift : (d & 1) == 0 ? -(d >> 1) : (d + 1) >> 1;
                int q = pageAt(target, base, mappings, tp, shift);
                if (q < 0) {
                    continue;
                }
                source.readPage(baseId, q, b, 0);
                int score = rawScore(t, b);
                if (score > bestScore) {
                    found = true;
                    bestScore = score;
                    best = shift;
                    bestIsEnd = isEnd;
                }
            }
            if (found && bestIsEnd) {
                endVotes++;
            } else if (found) {
                votes[best + MAX_SHIFT]++;
            }
        }
        return ranked(votes, endVotes, (int) endShift);
    }

    private static int[] ranked(int[] votes, int endVotes, int endShift) {
        List<int[]> c = new ArrayList<>(); // {shift, votes}
        for (int i = 0; i < votes.length; i++) {
            if (votes[i] > 0) {
                c.add(new int[] {i - MAX_SHIFT, votes[i]});
            }
        }
        if (endVotes > 0) {
            c.add(new int[] {endShift, endVotes});
        }
        c.sort((x, y) -> x[1] != y[1] ? Integer.compare(y[1], x[1])
                : Math.abs(x[0]) != Math.abs(y[0]) ? Integer.compare(Math.abs(x[0]), Math.abs(y[0])) : Integer.compare(x[0], y[0]));
        // the unshifted page always comes first: it is right for most pages and cheapest to find
        int[] out = new int[Math.min(MAX_CANDIDATES, c.size()) + 1];
        int n = 1;
        for (int i = 0; i < c.size() && n < out.length; i++) {
            if (c.get(i)[0] != 0) {
                out[n++] = c.get(i)[0];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Writes into {@code out} the base pages to try for target page {@code p}, most likely
     * first (the page at the same offset, then the mapping's other shifts); returns how many.
     */
    int candidates(int p, int[] out) {
        int[] cand = shifts[target.pageMapping(p)];
        int n = 0;
        for (int shift : cand) {
            int q = pageAt(target, base, mappings, p, shift);
            if (q >= 0 && n < out.length) {
                out[n++] = q;
            }
        }
        return n;
    }

    /** The most candidates {@link #candidates} gives. */
    static int maxCandidates() {
        return MAX_CANDIDATES + 1;
    }

    /** The base page {@code shift} pages from the one at the same offset of the paired mapping, or -1. */
    private static int pageAt(SandboxImage target, PageLayout base, MappingAlignment mappings, int p, int shift) {
        int m = target.pageMapping(p);
        int bm = mappings.baseMapping(m);
        if (bm < 0) {
            return -1;
        }
        Mapping b = base.mappings().get(bm);
        long offset = target.pageVaddr(p) - target.mappings().get(m).start() + ((long) shift << PageSize.SHIFT);
        if (offset < 0 || offset >= b.length()) {
            return -1;
        }
        return base.findPage(b.start() + offset);
    }

    /** 8-byte words equal at the same offset, not counting values below 2^16; cheap, no relocation. */
    static int rawScore(byte[] t, byte[] b) {
        int n = 0;
        for (int o = 0; o < PageSize.BYTES; o += 8) {
            long x = (long) LONGS.get(t, o);
            if ((x & ~0xFFFFL) != 0 && x == (long) LONGS.get(b, o)) {
                n++;
            }
        }
        return n;
    }
}
