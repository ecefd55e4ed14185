package org.medes.core.engine;

import org.medes.core.page.Mapping;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test fixture: pairs of sandbox images that look like two instances of one function. Both
 * share "logical" page content (words, strings, zero runs, pointers between mappings); each
 * instance places every mapping at its own ASLR offset and writes its pointers accordingly; the
 * second instance also edits some words, shifts some pages' content and has extra pages.
 */
public final class SyntheticSandboxes {
    record Spec(String name, int prot, int pages) {
    }

    static final List<Spec> LAYOUT = List.of(
            new Spec("/usr/lib/libpython3.11.so", Mapping.READ | Mapping.WRITE, 24),
            new Spec("[heap]", Mapping.READ | Mapping.WRITE, 96),
            new Spec("", Mapping.READ | Mapping.WRITE, 64),
            new Spec("", Mapping.READ | Mapping.WRITE, 32),
            new Spec("[stack]", Mapping.READ | Mapping.WRITE, 8));

    private SyntheticSandboxes() {
    }

    /**
     * A sandbox no base matches, {@code pages} pages in one mapping: every third page an array of
     * small whole doubles (stored regrouped by byte place: {@code PageKind.SHUFFLED}), the others
     * random bytes (stored raw) or zero.
     */
    public static SandboxImage numbers(String id, int pages, long seed) {
        long start = 0x7f00_0000_0000L;
        SandboxImage.Builder b = SandboxImage.builder(id);
        b.addMapping(Mapping.anonymous(start, (long) pages * PageSize.BYTES));
        SplittableRandom r = new SplittableRandom(seed);
        byte[] page = new byte[PageSize.BYTES];
        java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(page).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < pages; p++) {
            if (p % 3 == 0) {
                for (int w = 0; w < PageSize.WORDS; w++) {
                    words.putDouble(w * 8, r.nextInt(1000));
                }
            } else if (p % 3 == 1) {
                r.nextBytes(page);
            } else {
                java.util.Arrays.fill(page, (byte) 0);
            }
            b.addPage(start + (long) p * PageSize.BYTES, page, 0);
        }
        return b.build();
    }

    /** Mapping starts of one instance: every mapping at its own random, page-aligned place. */
    public static long[] placement(long seed) {
        return placement(seed, LAYOUT);
    }

    static long[] placement(long seed, List<Spec> LAYOUT) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] starts = new long[LAYOUT.size()];
        long at = 0x5500_0000_0000L + (r.nextLong(1 << 20) << PageSize.SHIFT);
        for (int i = 0; i < starts.length; i++) {
            at += (r.nextLong(1, 1 << 16) << PageSize.SHIFT);
            starts[i] = at;
            at += (long) LAYOUT.get(i).pages() << PageSize.SHIFT;
        }
        return starts;
    }

    /**
     * One instance: the shared logical content of {@code contentSeed}, placed at
     * {@code placementSeed}, with {@code editRate} of words changed, a fraction of pages whose
     * content slid by some bytes, and page 5 of the heap absent unless {@code extraPage}.
     */
    public static SandboxImage instance(String id, long contentSeed, long placementSeed, double editRate, boolean extraPage) {
        return instance(id, contentSeed, placementSeed, editRate, extraPage, 1);
    }

    /** As above with every mapping {@code scale} times larger (scale 1: 224 pages). */
    public static SandboxImage instance(String id, long contentSeed, long placementSeed, double editRate, boolean extraPage,
                                        int scale) {
        List<Spec> layout = LAYOUT.stream().map(s -> new Spec(s.name(), s.prot(), s.pages() * scale)).toList();
        return build(id, contentSeed, placementSeed, editRate, extraPage, layout);
    }

    private static SandboxImage build(String id, long contentSeed, long placementSeed, double editRate, boolean extraPage,
                                      List<Spec> LAYOUT) {
        long[] starts = placement(placementSeed, LAYOUT);
        SandboxImage.Builder b = SandboxImage.builder(id);
        for (int m = 0; m < LAYOUT.size(); m++) {
            Spec s = LAYOUT.get(m);
            b.addMapping(new Mapping(starts[m], (long) s.pages() << PageSize.SHIFT, s.prot(), s.name(), 0));
        }
        SplittableRandom edits = new SplittableRandom(placementSeed * 31 + 7);
        byte[] page = new byte[PageSize.BYTES];
        ByteBuffer bb = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        for (int m = 0; m < LAYOUT.size(); m++) {
            for (int p = 0; p < LAYOUT.get(m).pages(); p++) {
                if (m == 1 && p == 5 && !extraPage) {
                    continue;
                }
                logicalPage(contentSeed, m, p, starts, bb, LAYOUT);
                if (editRate > 0) {
                    for (int w = 0; w < PageSize.WORDS; w++) {
                        if (edits.nextDouble() < editRate) {
                            bb.putLong(w * 8, edits.nextLong());
                        }
                    }
                    if (m == 1 && edits.nextInt(8) == 0) { // heap content that moved inside the page
                        int shift = 8 * edits.nextInt(1, 64);
                        byte[] copy = page.clone();
                        System.arraycopy(copy, 0, page, shift, PageSize.BYTES - shift);
                    }
                }
                b.addPage(starts[m] + ((long) p << PageSize.SHIFT), page, 0);
            }
        }
        return b.build();
    }

    private static void logicalPage(long seed, int m, int p, long[] starts, ByteBuffer bb, List<Spec> LAYOUT) {
        SplittableRandom r = new SplittableRandom(seed ^ (m * 1_000_003L + p) * 0x9E3779B97F4A7C15L);
        int style = r.nextInt(10);
        for (int w = 0; w < PageSize.WORDS; w++) {
            long v;
            if (style == 0) {
                v = 0; // zero page
            } else if (style <= 3 && r.nextInt(4) == 0) {
                v = 0;
            } else {
                int k = r.nextInt(10);
                if (k < 4) { // pointer into some mapping
                    int target = r.nextInt(LAYOUT.size());
                    v = starts[target] + 8L * r.nextInt(LAYOUT.get(target).pages() * PageSize.WORDS);
                } else if (k < 6) {
                    v = r.nextInt(1000); // small integer
                } else if (k < 8) {
                    v = 0x6f6c6c6568206120L + r.nextInt(26); // text-like
                } else {
                    v = r.nextLong();
                }
            }
            bb.putLong(w * 8, v);
        }
    }

    static List<SandboxImage> all(SandboxImage... images) {
        return new ArrayList<>(List.of(images));
    }
}
