package org.medes.core.patch;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.medes.core.page.Mapping;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PointerMarksTest {
    private static final long SIZE = 0x10000;
    private static final long HEAP = 0x5555_0000_0000L;
    private static final long A = 0x7f00_0000_0000L;
    /** After a 256 KiB gap: joined with A. */
    private static final long B = A + SIZE + 0x40000;
    /** After a 64 MiB gap: not joined. */
    private static final long C = B + SIZE + 0x400_0000;
    private static final long STACK = 0x7ffc_0000_0000L;
    private static final long VSYSCALL = 0xffff_ffff_ff60_0000L;

    /** One page holding {@code words} (the rest zero) in each of the five mappings and the vsyscall page. */
    private static SandboxImage base(long... words) {
        SandboxImage.Builder b = SandboxImage.builder("base");
        byte[] page = new byte[PageSize.BYTES];
        ByteBuffer bb = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < words.length; i++) {
            bb.putLong(i * 8, words[i]);
        }
        for (long start : new long[] {HEAP, A, B, C, STACK}) {
            b.addMapping(Mapping.anonymous(start, SIZE));
        }
        // last in address order, first if addresses were compared signed
        b.addMapping(new Mapping(VSYSCALL, PageSize.BYTES, Mapping.READ, "[vsyscall]", 0));
        for (long start : new long[] {HEAP, A, B, C, STACK}) {
            b.addPage(start, page, 0);
        }
        return b.build();
    }

    @Test
    void marksTheWordsInsideTheMappingsAndTheGapsNarrowerThanTheSpannedGap() {
        long[] words = {
            A + 8, A + SIZE + 0x100, B + SIZE + 0x100, C, C + SIZE, HEAP - 8, VSYSCALL + 16, 42, 0, -1,
            STACK + SIZE - 8, HEAP,
        };
        boolean[] inside = {true, true, false, true, false, false, true, false, false, false, true, true};
        try (SandboxImage base = base(words)) {
            PointerMarks marks = PointerMarks.of(base);

            assertThat(marks.pageCount()).isEqualTo(base.pageCount());
            for (int p = 0; p < base.pageCount(); p++) {
                for (int j = 0; j < words.length; j++) {
                    boolean marked = (marks.words()[p * PointerMarks.LONGS_PER_PAGE + (j >>> 6)] & (1L << j)) != 0;
                    assertThat(marked).as("page %d word %d (0x%x)", p, j, words[j]).isEqualTo(inside[j]);
                }
                assertThat(marks.markedWords(p)).isEqualTo(6);
            }
        }
    }

    @Test
    void coversTheRelocationsMadeFromItsMappingsAndNoWiderOne() {
        long mmap = 0x1234_5000L;
        try (SandboxImage base = base()) {
            PointerMarks marks = PointerMarks.of(base);
            PointerRelocation own = PointerRelocation.of(new long[] {HEAP, A, B, C, STACK},
                    new long[] {HEAP + SIZE, A + SIZE, B + SIZE, C + SIZE, STACK + SIZE},
                    new long[] {0x3000, mmap, mmap, mmap, -0x5000}).spanningGaps();
            // A and B are joined over their 256 KiB gap, B and C are not
            assertThat(own.size()).isEqualTo(4);

            assertThat(marks.covers(own)).isTrue();
            assertThat(marks.covers(PointerRelocation.none())).isTrue();
            // as a dedup image from before the spanned gap was bounded could hold
            assertThat(marks.covers(PointerRelocation.of(new long[] {A}, new long[] {C + SIZE}, new long[] {mmap})))
                    .isFalse();
            assertThat(marks.covers(PointerRelocation.of(new long[] {STACK - 8}, new long[] {STACK + SIZE},
                    new long[] {1}))).isFalse();
        }
    }

    @Test
    void bytesRoundTripAndEveryDamageIsRefusedWithItsOffset() {
        try (SandboxImage base = base(A + 8, VSYSCALL, C + 16)) {
            PointerMarks marks = PointerMarks.of(base);
            byte[] bytes = marks.toBytes();
            PointerMarks back = PointerMarks.fromBytes(bytes);

            assertThat(back.words()).isEqualTo(marks.words());
            assertThat(back.toBytes()).isEqualTo(bytes);
            PointerRelocation own = PointerRelocation.of(new long[] {A, B}, new long[] {A + SIZE, B + SIZE},
                    new long[] {0x1000, 0x1000}).spanningGaps();
            assertThat(back.covers(own)).isTrue();
            assertThat(back.covers(PointerRelocation.of(new long[] {A}, new long[] {C + SIZE}, new long[] {1}))).isFalse();

            for (int i = 0; i < bytes.length; i++) {
                byte[] bad = bytes.clone();
                bad[i] ^= 0x10;
                assertThatThrownBy(() -> PointerMarks.fromBytes(bad)).as("byte %d flipped", i)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pointer marks, offset ");
            }
            for (int n = 0; n < bytes.length; n += 7) {
                byte[] cut = Arrays.copyOf(bytes, n);
                assertThatThrownBy(() -> PointerMarks.fromBytes(cut)).as("cut to %d bytes", n)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pointer marks, offset ");
            }
            byte[] foreign = bytes.clone();
            foreign[0] = 'X';
            assertThatThrownBy(() -> PointerMarks.fromBytes(foreign)).hasMessageContaining("not pointer marks");
        }
    }

    /**
     * Random layouts (runs of mappings that move together, gaps from one page to a gigabyte) and
     * pages of pointers into mappings and gaps: the marked relocation equals the full one on every
     * page, and the codec writes the same patch and decodes the same page with the marks as without.
     */
    @Property(tries = 60)
    void markedRelocationAndCodingEqualTheFullOnes(@ForAll long seed) throws PatchFormatException {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 2 + r.nextInt(30);
        long[] st = new long[n];
        long[] en = new long[n];
        long[] de = new long[n];
        long at = 0x5500_0000_0000L + ((long) r.nextInt(1 << 20) << PageSize.SHIFT);
        long delta = 0;
        for (int i = 0; i < n; i++) {
            int gap = r.nextInt(4);
            at += gap == 0 ? PageSize.BYTES : gap == 1 ? 0x10_0000L * r.nextInt(1, 3) - PageSize.BYTES * r.nextInt(2)
                    : gap == 2 ? ((long) r.nextInt(1, 200) << PageSize.SHIFT) : (1L << 30) * r.nextInt(1, 4);
            st[i] = at;
            at += (long) r.nextInt(1, 4) << PageSize.SHIFT;
            en[i] = at;
            if (i == 0 || r.nextInt(3) == 0) {
                delta = ((long) r.nextInt(-(1 << 20), 1 << 20)) << PageSize.SHIFT;
            }
            de[i] = r.nextInt(8) == 0 ? 0 : delta;
        }
        PointerRelocation relocation = PointerRelocation.of(st, en, de).spanningGaps();
        SandboxImage.Builder b = SandboxImage.builder("base");
        List<byte[]> pages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.addMapping(Mapping.anonymous(st[i], en[i] - st[i]));
        }
        for (int i = 0; i < n; i++) {
            for (long v = st[i]; v < en[i]; v += PageSize.BYTES) {
                byte[] page = new byte[PageSize.BYTES];
                ByteBuffer bb = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
                for (int w = 0; w < PageSize.WORDS; w++) {
                    int k = r.nextInt(10);
                    int m = r.nextInt(n);
                    long word = switch (k) {
                        case 0, 1, 2 -> st[m] + r.nextLong(en[m] - st[m]); // into a mapping
                        case 3 -> en[m] + r.nextLong(1 << 22); // just after one: a gap or the next
                        case 4 -> st[m] - 1 - r.nextLong(1 << 22); // just before one
                        case 5 -> r.nextInt(1000);
                        case 6 -> r.nextLong();
                        default -> 0;
                    };
                    bb.putLong(w * 8, word);
                }
                b.addPage(v, page, 0);
                pages.add(page);
            }
        }
        try (SandboxImage base = b.build()) {
            PointerMarks marks = PointerMarks.of(base);
            assertThat(marks.covers(relocation)).as("covers %s", relocation).isTrue();
            RelocationIndex ix = new RelocationIndex(relocation);
            PointerAwarePatchCodec codec = new PointerAwarePatchCodec();
            PatchEncoder encoder = codec.newEncoder();
            PatchDecoder decoder = codec.newDecoder();
            long[] full = new long[PageSize.WORDS];
            long[] marked = new long[PageSize.WORDS];
            byte[] target = new byte[PageSize.BYTES];
            byte[] plain = new byte[2 * PageSize.BYTES];
            byte[] withMarks = new byte[2 * PageSize.BYTES];
            byte[] decoded = new byte[PageSize.BYTES];
            for (int p = 0; p < pages.size(); p++) {
                byte[] page = pages.get(p);
                int mo = p * PointerMarks.LONGS_PER_PAGE;
                ix.relocateWords(page, 0, full, 0, PageSize.WORDS);
                ix.relocateMarked(page, 0, marked, 0, marks.words(), mo);
                assertThat(marked).as("page %d", p).isEqualTo(full);

                // the target: the relocated page with some words changed
                ByteBuffer tb = ByteBuffer.wrap(target).order(ByteOrder.LITTLE_ENDIAN);
                for (int w = 0; w < PageSize.WORDS; w++) {
                    tb.putLong(w * 8, r.nextInt(20) == 0 ? r.nextLong() : full[w]);
                }
                int a = encoder.encode(target, 0, page, 0, relocation, plain, 0, plain.length);
                int c = encoder.encode(target, 0, page, 0, relocation, marks.words(), mo, withMarks, 0, withMarks.length);
                assertThat(Arrays.copyOf(withMarks, c)).as("page %d", p).isEqualTo(Arrays.copyOf(plain, a));
                decoder.decode(withMarks, 0, c, page, 0, relocation, marks.words(), mo, decoded, 0);
                assertThat(decoded).as("page %d", p).isEqualTo(target);
            }
        }
    }
}
