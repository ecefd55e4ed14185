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
 * Re-pairs anonymous mappings by what they hold rather than where they sit.
 *
 * <p>Some runtimes place their heap chunks at random addresses (V8 maps each 256 KiB heap page
 * at its own random place), so anonymous mappings of the same size come in a different order
 * in two instances and pairing by order pairs the wrong ones. Each anonymous mapping gets a
 * sketch: the distinct 8-byte values of a sample of its pages that are not small numbers
 * (&ge; 2^16) and whose mixed value falls in one eighth of the space. Target and base mappings
 * whose sketches share the most values are paired greedily, most shared first; a target mapping
 * that shares too little keeps its pair by order, if that base mapping is still free.
 *
 * <p>Deterministic: ties go to the lower mapping indices. Thread-safety: stateless.
 */
final class ContentPairing {
    /** Pages sampled per mapping. */
    static final int SAMPLE_PAGES = 32;
    /** Fewer shared values than this is no evidence. */
    static final int MIN_SHARED = 16;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ContentPairing() {
    }

    /**
     * {@code byOrder} with the anonymous mappings re-paired by content; sketches and their scores
     * are computed through {@code parallel}, the result is the same however it runs them.
     */
    static MappingAlignment refine(MappingAlignment byOrder, SandboxImage target, PageLayout base, int baseId,
                                   BasePageSource source, ParallelLoop parallel) throws BasePageUnavailableException {
        List<Mapping> tm = target.mappings();
        List<Mapping> bm = base.mappings();
        List<Integer> ta = anonymous(tm);
        List<Integer> ba = anonymous(bm);
        if (ta.size() < 2 || ba.size() < 2) {
            return byOrder;
        }
        long[][] ts = new long[tm.size()][];
        long[][] bs = new long[bm.size()][];
        parallel.run(ta.size() + ba.size(), k -> {
            byte[] page = new byte[PageSize.BYTES];
            if (k < ta.size()) {
                int t = ta.get(k);
                ts[t] = sketch(target, t, page, (p, dst) -> target.copyPage(p, dst, 0));
            } else {
                int b = ba.get(k - ta.size());
                bs[b] = sketch(base, b, page, (p, dst) -> source.readPage(baseId, p, dst, 0));
            }
        });
        List<List<int[]>> rows = new ArrayList<>(java.util.Collections.nCopies(ta.size(), null)); // {shared, t, b}
        parallel.run(ta.size(), k -> {
            int t = ta.get(k);
            List<int[]> row = new ArrayList<>();
            for (int b : ba) {
                if (protection(tm.get(t)) != protection(bm.get(b))) {
                    continue;
                }
                int shared = shared(ts[t], bs[b]);
                if (shared >= MIN_SHARED) {
                    row.add(new int[] {shared, t, b});
                }
            }
            rows.set(k, row);
        });
        List<int[]> scored = new ArrayList<>();
        for (List<int[]> row : rows) {
            scored.addAll(row);
        }
        scored.sort((x, y) -> x[0] != y[0] ? Integer.compare(y[0], x[0]) : x[1] != y[1] ? Integer.compare(x[1], y[1])
                : Integer.compare(x[2], y[2]));
        int[] map = byOrder.pairsByTarget();
        boolean[] anonTarget = new boolean[tm.size()];
        ta.forEach(t -> anonTarget[t] = true);
        int[] byContent = new int[tm.size()];
        Arrays.fill(byContent, -1);
        boolean[] taken = new boolean[bm.size()];
        for (int[] s : scored) {
            if (byContent[s[1]] < 0 && !taken[s[2]]) {
                byContent[s[1]] = s[2];
                taken[s[2]] = true;
            }
        }
        // non-anonymous pairs by order keep their base mapping; content pairs come next; order pairs fill in
        for (int t = 0; t < map.length; t++) {
            if (!anonTarget[t] && map[t] >= 0) {
                taken[map[t]] = true;
            }
        }
        for (int t : ta) {
            if (byContent[t] >= 0) {
                map[t] = byContent[t];
            } else if (map[t] >= 0 && taken[map[t]]) {
                map[t] = -1;
            } else if (map[t] >= 0) {
                taken[map[t]] = true;
            }
        }
        return MappingAlignment.of(tm, bm, map);
    }

    private static int protection(Mapping m) {
        return m.protection() & ~Mapping.SHARED;
    }

    private static List<Integer> anonymous(List<Mapping> ms) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            if (ms.get(i).name().isEmpty()) {
                out.add(i);
            }
        }
        return out;
    }

    @FunctionalInterface
    private interface PageReader {
        void read(int page, byte[] dst) throws BasePageUnavailableException;
    }

    /** Sorted distinct sampled values of up to {@value #SAMPLE_PAGES} pages of mapping {@code m}. */
    private static long[] sketch(PageLayout layout, int m, byte[] page, PageReader reader) throws BasePageUnavailableException {
        Mapping mapping = layout.mappings().get(m);
        int first = firstPageAtOrAfter(layout, mapping.start());
        int last = first;
        while (last < layout.pageCount() && layout.pageMapping(last) == m) {
            last++;
        }
        int count = last - first;
        if (count <= 0) {
            return new long[0];
        }
        int samples = Math.min(SAMPLE_PAGES, count);
        long[] values = new long[samples * PageSize.WORDS / 4];
        int n = 0;
        for (int s = 0; s < samples; s++) {
            reader.read(first + (int) ((long) s * count / samples), page);
            for (int o = 0; o < PageSize.BYTES; o += 8) {
                long v = (long) LONGS.get(page, o);
                if ((v >>> 16) != 0 && ((v * 0x9E3779B97F4A7C15L) >>> 61) == 0) {
                    if (n == values.length) {
                        values = Arrays.copyOf(values, n * 2);
                    }
                    values[n++] = v;
                }
            }
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        int d = 0;
        for (int i = 0; i < n; i++) {
            if (d == 0 || sorted[i] != sorted[d - 1]) {
                sorted[d++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, d);
    }

    private static int firstPageAtOrAfter(PageLayout layout, long address) {
        int lo = 0;
        int hi = layout.pageCount();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(layout.pageVaddr(mid), address) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int shared(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                n++;
                i++;
                j++;
            }
        }
        return n;
    }
}
