package org.medes.core.patch;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RelocationIndexTest {
    @Property(tries = 300)
    void agreesWithPointerRelocation(@ForAll long seed, @ForAll @IntRange(min = 0, max = 200) int ranges) {
        agrees(seed, ranges, 0L);
    }

    /**
     * Ranges near and above 2^62 and 2^63, where a signed compare goes wrong: every process has one
     * there, the kernel's [vsyscall] page, and a base's pointer-mark cover includes it.
     */
    @Property(tries = 100)
    void agreesWithPointerRelocationOnRangesHighInTheAddressSpace(@ForAll long seed,
                                                                 @ForAll @IntRange(min = 1, max = 60) int ranges,
                                                                 @ForAll @IntRange(min = 0, max = 3) int where) {
        long[] bases = {(1L << 62) - (1L << 40), 1L << 62, Long.MIN_VALUE - (1L << 40), -(1L << 44)};
        agrees(seed, ranges, bases[where]);
    }

    private static void agrees(long seed, int ranges, long firstAt) {
        Random r = new Random(seed);
        long[] s = new long[ranges];
        long[] e = new long[ranges];
        long[] d = new long[ranges];
        long at = firstAt + 0x1000L * (1 + r.nextInt(1 << 20));
        for (int i = 0; i < ranges; i++) {
            at += 0x1000L * r.nextInt(r.nextBoolean() ? 4 : 1 << 22);
            s[i] = at;
            long len = 0x1000L * (1 + (r.nextInt(8) == 0 ? r.nextInt(1 << 20) : r.nextInt(64)));
            at += len;
            e[i] = at;
            int kind = r.nextInt(6);
            // some ranges do not move, some touch the previous one and move with it (merged in the index)
            d[i] = kind == 0 ? 0 : kind == 1 && i > 0 ? d[i - 1] : 0x1000L * (r.nextInt(1 << 24) - (1 << 23));
            if (kind == 1 && i > 0) {
                s[i] = e[i - 1];
            }
        }
        PointerRelocation rel = PointerRelocation.of(s, e, d);
        RelocationIndex ix = new RelocationIndex(rel);
        long[] words = new long[2000];
        for (int k = 0; k < words.length; k++) {
            long w;
            if (ranges > 0 && r.nextInt(4) != 0) {
                int i = r.nextInt(ranges);
                int edge = r.nextInt(5);
                w = edge == 0 ? s[i] : edge == 1 ? e[i] - 1 : edge == 2 ? e[i] : edge == 3 ? s[i] - 1
                        : s[i] + (long) (r.nextDouble() * (e[i] - s[i]));
            } else {
                w = r.nextLong();
            }
            assertThat(ix.relocate(w)).as("word 0x%x", w).isEqualTo(rel.relocate(w));
            words[k] = w;
        }
        ByteBuffer page = ByteBuffer.allocate(8 + 8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < words.length; k++) {
            page.putLong(8 + 8 * k, words[k]);
        }
        long[] bulk = new long[words.length + 2];
        ix.relocateWords(page.array(), 8, bulk, 1, words.length);
        for (int k = 0; k < words.length; k++) {
            assertThat(bulk[1 + k]).as("word %d: 0x%x", k, words[k]).isEqualTo(rel.relocate(words[k]));
        }
        assertThat(bulk[0]).isZero();
        assertThat(bulk[bulk.length - 1]).isZero();
        byte[] bytes = new byte[8 + 8 * words.length + 8];
        byte[] copy = new byte[16 + 8 * words.length];
        ix.relocateWords(page.array(), 8, bytes, 8, copy, 0, words.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer c = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < words.length; k++) {
            assertThat(b.getLong(8 + 8 * k)).as("word %d: 0x%x", k, words[k]).isEqualTo(rel.relocate(words[k]));
            assertThat(c.getLong(8 * k)).as("copy of word %d", k).isEqualTo(rel.relocate(words[k]));
        }
        assertThat(b.getLong(0)).isZero();
        assertThat(b.getLong(bytes.length - 8)).isZero();
        assertThat(c.getLong(copy.length - 8)).isZero();
    }

    @Property(tries = 300)
    void clustersCoverEveryRangeAndSplitAtTheWidestGaps(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int ranges,
                                                       @ForAll @IntRange(min = 1, max = 6) int k) {
        Random r = new Random(seed);
        long[] s = new long[ranges];
        long[] e = new long[ranges];
        long at = 0x1000L * r.nextInt(1 << 20);
        for (int i = 0; i < ranges; i++) {
            at += 0x1000L * (1 + r.nextInt(r.nextBoolean() ? 16 : 1 << 24));
            s[i] = at;
            at += 0x1000L * (1 + r.nextInt(64));
            e[i] = at;
        }
        long[][] c = RelocationIndex.clusters(s, e, k);
        assertThat(c[0]).hasSize(k);
        assertThat(c[1]).hasSize(k);
        int used = 0;
        for (int j = 0; j < k; j++) {
            used += c[1][j] > 0 ? 1 : 0;
        }
        assertThat(used).isEqualTo(Math.min(k, ranges));
        for (int i = 0; i < ranges; i++) {
            int holders = 0;
            for (int j = 0; j < k; j++) {
                holders += s[i] - c[0][j] >= 0 && e[i] - c[0][j] <= c[1][j] ? 1 : 0;
            }
            assertThat(holders).as("range %d in exactly one cluster", i).isEqualTo(1);
        }
        // every gap left inside a cluster is no wider than any gap between clusters
        long narrowestCut = Long.MAX_VALUE;
        long widestInside = 0;
        for (int i = 1; i < ranges; i++) {
            long gap = s[i] - e[i - 1];
            boolean cut = false;
            for (int j = 1; j < k; j++) {
                cut |= c[1][j] > 0 && c[0][j] == s[i];
            }
            if (cut) {
                narrowestCut = Math.min(narrowestCut, gap);
            } else {
                widestInside = Math.max(widestInside, gap);
            }
        }
        assertThat(widestInside).isLessThanOrEqualTo(narrowestCut);
    }
}
