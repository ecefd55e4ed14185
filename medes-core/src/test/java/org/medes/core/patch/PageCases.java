package org.medes.core.patch;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.medes.core.page.PageSize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Generators of (target, base, relocation) page pairs for codec properties. */
final class PageCases {
    record Case(String kind, byte[] target, byte[] base, PointerRelocation relocation) {
        @Override
        public String toString() {
            return kind;
        }
    }

    private PageCases() {
    }

    static Arbitrary<Case> all() {
        return Arbitraries.oneOf(random(), zero(), identical(), shifted(), pointerShifted(), sparseEdits(),
                movedObjects());
    }

    static Arbitrary<Case> random() {
        return Arbitraries.randomValue(r -> new Case("random", bytes(r), bytes(r), PointerRelocation.none()));
    }

    static Arbitrary<Case> zero() {
        return Arbitraries.randomValue(r -> {
            byte[] base = r.nextBoolean() ? new byte[PageSize.BYTES] : bytes(r);
            return new Case("zero", new byte[PageSize.BYTES], base, PointerRelocation.none());
        });
    }

    static Arbitrary<Case> identical() {
        return Arbitraries.randomValue(r -> {
            byte[] base = r.nextBoolean() ? bytes(r) : pointers(r, 0x7f00_0000_0000L, 1 << 20);
            return new Case("identical", base.clone(), base, PointerRelocation.none());
        });
    }

    /** Target = base content moved by k bytes (either way), the gap filled with random bytes. */
    static Arbitrary<Case> shifted() {
        return Arbitraries.randomValue(r -> {
            byte[] base = r.nextBoolean() ? bytes(r) : pointers(r, 0x5555_0000_0000L, 1 << 16);
            int k = r.nextInt(2 * PageSize.BYTES - 1) - (PageSize.BYTES - 1);
            if (r.nextInt(3) == 0) {
                k = (k / 8) * 8;
            }
            byte[] target = bytes(r);
            for (int j = 0; j < PageSize.BYTES; j++) {
                int s = j - k;
                if (s >= 0 && s < PageSize.BYTES) {
                    target[j] = base[s];
                }
            }
            return new Case("shifted " + k, target, base, PointerRelocation.none());
        });
    }

    /** Base full of pointers into two ranges; target = same pointers relocated, plus a few edits. */
    static Arbitrary<Case> pointerShifted() {
        return Arbitraries.randomValue(r -> {
            long s1 = 0x5555_5555_0000L;
            long s2 = 0x7f12_3456_0000L;
            long len = 1 << 20;
            long d1 = (r.nextInt(1 << 20) - (1 << 19)) * 4096L;
            long d2 = (r.nextInt(1 << 20) - (1 << 19)) * 4096L;
            PointerRelocation rel = PointerRelocation.of(new long[] {s1, s2}, new long[] {s1 + len, s2 + len},
                    new long[] {d1, d2});
            ByteBuffer base = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < PageSize.WORDS; j++) {
                int c = r.nextInt(4);
                long w = c == 0 ? s1 + r.nextInt((int) len) : c == 1 ? s2 + (r.nextInt((int) len) & ~7) : c == 2 ? 0
                        : r.nextInt(1000);
                base.putLong(j * 8, w);
            }
            byte[] b = base.array();
            byte[] t = new byte[PageSize.BYTES];
            ByteBuffer tb = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < PageSize.WORDS; j++) {
                tb.putLong(j * 8, rel.relocate(base.getLong(j * 8)));
            }
            edit(r, t, r.nextInt(6));
            return new Case("pointer-shifted", t, b, rel);
        });
    }

    static Arbitrary<Case> sparseEdits() {
        return Arbitraries.randomValue(r -> {
            byte[] base = r.nextBoolean() ? bytes(r) : pointers(r, 0x5555_0000_0000L, 1 << 16);
            byte[] target = base.clone();
            edit(r, target, 1 + r.nextInt(r.nextBoolean() ? 8 : 200));
            return new Case("sparse edits", target, base, PointerRelocation.none());
        });
    }

    /** Word-aligned blocks of the base copied to other places of the target, with edits and zeros. */
    static Arbitrary<Case> movedObjects() {
        return Arbitraries.randomValue(r -> {
            byte[] base = pointers(r, 0x5555_0000_0000L, 1 << 16);
            byte[] target = new byte[PageSize.BYTES];
            int j = 0;
            while (j < PageSize.BYTES) {
                int n = Math.min(PageSize.BYTES - j, 8 * (1 + r.nextInt(24)));
                int c = r.nextInt(4);
                if (c < 2) {
                    int from = 8 * r.nextInt(PageSize.WORDS - n / 8 + 1);
                    System.arraycopy(base, from, target, j, n);
                } else if (c == 2) {
                    System.arraycopy(target, r.nextInt(j + 1) & ~7, target, j, Math.min(n, j - (r.nextInt(j + 1) & ~7)));
                } else {
                    byte[] rnd = bytes(r);
                    System.arraycopy(rnd, 0, target, j, n);
                }
                j += n;
            }
            edit(r, target, r.nextInt(10));
            return new Case("moved objects", target, base, PointerRelocation.none());
        });
    }

    static byte[] bytes(Random r) {
        byte[] b = new byte[PageSize.BYTES];
        r.nextBytes(b);
        return b;
    }

    static byte[] pointers(Random r, long start, int len) {
        ByteBuffer b = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < PageSize.WORDS; j++) {
            b.putLong(j * 8, r.nextInt(3) == 0 ? 0 : start + (r.nextInt(len) & ~7));
        }
        return b.array();
    }

    static void edit(Random r, byte[] page, int edits) {
        for (int e = 0; e < edits; e++) {
            page[r.nextInt(PageSize.BYTES)] = (byte) r.nextInt(256);
        }
    }

    /** A page whose first words are {@code w}, little-endian, the rest zero. */
    static byte[] words(long... w) {
        ByteBuffer b = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < w.length; i++) {
            b.putLong(i * 8, w[i]);
        }
        return b.array();
    }

    /** Decodes a whole patch into a new page. */
    static byte[] decode(PatchDecoder decoder, byte[] patch, byte[] base, PointerRelocation rel) throws PatchFormatException {
        byte[] dst = new byte[PageSize.BYTES];
        decoder.decode(patch, 0, patch.length, base, 0, rel, dst, 0);
        return dst;
    }

    /** The 8 bytes before and after the page in {@code dst} still hold {@code guard}: the decoder wrote only its page. */
    static void assertGuardsIntact(byte[] dst, byte guard) {
        for (int j = 0; j < 8; j++) {
            org.assertj.core.api.Assertions.assertThat(dst[j]).as("guard byte %d before the page", j).isEqualTo(guard);
            org.assertj.core.api.Assertions.assertThat(dst[dst.length - 1 - j]).as("guard byte %d after the page", j)
                    .isEqualTo(guard);
        }
    }
}
