package org.medes.core.engine;

import org.medes.core.page.Mapping;
import org.medes.core.page.PageLayout;
import org.medes.core.patch.PointerRelocation;

import java.util.ArrayList;
import java.util.List;

/**
 * Pairs the mappings of a target image with those of a base image, so a target page can use
 * the base page at the same offset of the paired mapping, and base pointers can be relocated.
 *
 * <p>Two instances of one function load the same files and allocate the same kinds of memory,
 * in the same order, but ASLR moves each mapping and a few mappings exist in only one of them.
 * The pairing is a longest common subsequence over (name, protection) keys, so an extra or a
 * missing mapping shifts nothing else. Libraries loaded in another order (a Python extension's
 * dependencies, for example) fall out of that subsequence: a file mapping it leaves unpaired is
 * then paired with the base's unpaired mapping of the same file, offset and protection, and the
 * anonymous mapping right after it (the library's zero-filled data) with the one right after
 * that. Each pair contributes a relocation range: the base
 * mapping's addresses move by {@code targetStart - baseStart}; neighbouring ranges that move by
 * the same delta are joined across the gaps between them ({@link PointerRelocation#spanningGaps}).
 *
 * <p>Thread-safety: immutable.
 */
public final class MappingAlignment {
    private final int[] targetToBase;
    private final List<Mapping> base;
    private final List<Mapping> target;
    private final PointerRelocation relocation;

    private MappingAlignment(List<Mapping> target, List<Mapping> base, int[] targetToBase) {
        this.target = target;
        this.base = base;
        this.targetToBase = targetToBase;
        List<long[]> ranges = new ArrayList<>();
        for (int t = 0; t < targetToBase.length; t++) {
            int b = targetToBase[t];
            if (b >= 0) {
                Mapping bm = base.get(b);
                ranges.add(new long[] {bm.start(), bm.end(), target.get(t).start() - bm.start()});
            }
        }
        long[] s = new long[ranges.size()];
        long[] e = new long[ranges.size()];
        long[] d = new long[ranges.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = ranges.get(i)[0];
            e[i] = ranges.get(i)[1];
            d[i] = ranges.get(i)[2];
        }
        this.relocation = PointerRelocation.of(s, e, d).spanningGaps();
    }

    /** An alignment with the given pairs: {@code targetToBase[t]} is target mapping t's base mapping, or -1. */
    static MappingAlignment of(List<Mapping> target, List<Mapping> base, int[] targetToBase) {
        return new MappingAlignment(target, base, targetToBase.clone());
    }

    /** The pairs: entry t is target mapping t's base mapping, or -1. */
    int[] pairsByTarget() {
        return targetToBase.clone();
    }

    /** Aligns {@code target}'s mappings with {@code base}'s. */
    public static MappingAlignment align(List<Mapping> target, List<Mapping> base) {
        int n = target.size();
        int m = base.size();
        // lcs[i][j] = LCS length of target[i..] and base[j..]
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = sameKind(target.get(i), base.get(j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int[] map = new int[n];
        java.util.Arrays.fill(map, -1);
        int i = 0;
        int j = 0;
        while (i < n && j < m) {
            if (sameKind(target.get(i), base.get(j)) && lcs[i][j] == lcs[i + 1][j + 1] + 1) {
                map[i++] = j++;
            } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                i++;
            } else {
                j++;
            }
        }
        pairFilesOutOfOrder(target, base, map);
        return new MappingAlignment(target, base, map);
    }

    /** Pairs the file mappings the ordered pairing left out by file, offset and protection. */
    private static void pairFilesOutOfOrder(List<Mapping> target, List<Mapping> base, int[] map) {
        boolean[] taken = new boolean[base.size()];
        for (int b : map) {
            if (b >= 0) {
                taken[b] = true;
            }
        }
        for (int t = 0; t < map.length; t++) {
            Mapping tm = target.get(t);
            if (map[t] >= 0 || !isFile(tm)) {
                continue;
            }
            int found = -1;
            for (int b = 0; b < base.size(); b++) {
                Mapping bm = base.get(b);
                if (!taken[b] && sameKind(tm, bm) && bm.fileOffset() == tm.fileOffset()
                        && (found < 0 || (bm.length() == tm.length() && base.get(found).length() != tm.length()))) {
                    found = b;
                }
            }
            if (found < 0) {
                continue;
            }
            map[t] = found;
            taken[found] = true;
            int tn = t + 1;
            int bn = found + 1;
            if (tn < map.length && bn < base.size() && map[tn] < 0 && !taken[bn]
                    && target.get(tn).name().isEmpty() && base.get(bn).name().isEmpty()
                    && target.get(tn).start() == tm.end() && base.get(bn).start() == base.get(found).end()
                    && sameKind(target.get(tn), base.get(bn))) {
                map[tn] = bn;
                taken[bn] = true;
            }
        }
    }

    /** A mapping of a file (named by path or file id), not anonymous memory or a kernel area such as {@code [heap]}. */
    private static boolean isFile(Mapping m) {
        return !m.name().isEmpty() && !m.name().startsWith("[");
    }

    private static boolean sameKind(Mapping a, Mapping b) {
        return a.name().equals(b.name()) && (a.protection() & ~Mapping.SHARED) == (b.protection() & ~Mapping.SHARED);
    }

    /** Index of the base mapping paired with target mapping {@code t}, or -1. */
    public int baseMapping(int t) {
        return targetToBase[t];
    }

    /** Number of paired mappings. */
    public int pairs() {
        int n = 0;
        for (int b : targetToBase) {
            n += b >= 0 ? 1 : 0;
        }
        return n;
    }

    /** Base pointers relocated into the target's address space. */
    public PointerRelocation relocation() {
        return relocation;
    }

    /**
     * The base page at the same offset, in the paired mapping, as the target page at
     * {@code vaddr} in target mapping {@code t}; -1 when there is none.
     */
    public int alignedPage(int t, long vaddr, PageLayout baseLayout) {
        int b = targetToBase[t];
        if (b < 0) {
            return -1;
        }
        long offset = vaddr - target.get(t).start();
        Mapping bm = base.get(b);
        if (offset < 0 || offset >= bm.length()) {
            return -1;
        }
        return baseLayout.findPage(bm.start() + offset);
    }
}
