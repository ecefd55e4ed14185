package org.medes.core.patch;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Known-answer vectors of the patch format, and the cases the codec must code compactly. */
class PointerAwarePatchCodecTest {
    private final PointerAwarePatchCodec codec = new PointerAwarePatchCodec();
    private final PatchEncoder encoder = codec.newEncoder();
    private final PatchDecoder decoder = codec.newDecoder();
    private final byte[] out = new byte[2 * PageSize.BYTES];

    private byte[] decode(byte[] patch, byte[] base, PointerRelocation rel) throws PatchFormatException {
        return PageCases.decode(decoder, patch, base, rel);
    }

    private int encode(byte[] target, byte[] base, PointerRelocation rel) {
        return encoder.encode(target, 0, base, 0, rel, out, 0, out.length);
    }

    @Test
    void identicalPageIsFourBytes() throws PatchFormatException {
        byte[] base = PageCases.bytes(new Random(1));
        assertThat(encode(base.clone(), base, PointerRelocation.none())).isEqualTo(4);
        // flags 0, SAME with extended length 512 = 32 + varint 480
        assertThat(Arrays.copyOf(out, 4)).containsExactly(0x00, 0x1F, (byte) (0x80 | (480 & 0x7F)), (byte) (480 >>> 7));
        assertThat(decode(Arrays.copyOf(out, 4), base, PointerRelocation.none())).isEqualTo(base);
    }

    @Test
    void knownAnswerRawOpStream() throws PatchFormatException {
        byte[] base = PageCases.words(0x1000, 0x2000, 0x3000, 7);
        PointerRelocation rel = PointerRelocation.of(new long[] {0x1000}, new long[] {0x3000}, new long[] {0x500});
        byte[] patch = {
                0x00,                     // flags: raw op stream
                0x01,                     // SAME 2: t0..1 = 0x1500, 0x2500 (relocated)
                0x40, 0x03,               // MATCH 1, zigzag(-2) = 3: t2 = w[0] = 0x1500
                (byte) 0x80, 0x01, 0x05,  // LIT 1: ref 0 = p (7), XOR, 1 byte 0x05: t3 = 7 ^ 5 = 2
                0x3F, (byte) (0x80 | (476 & 0x7F)), (byte) (476 >>> 7), // ZERO 508
        };
        byte[] expected = PageCases.words(0x1500, 0x2500, 0x1500, 2);
        assertThat(decode(patch, base, rel)).isEqualTo(expected);
    }

    @Test
    void literalDeltaAndSameDeltaReferences() throws PatchFormatException {
        byte[] base = new byte[PageSize.BYTES];
        byte[] patch = {
                0x00,
                (byte) 0x82,                   // LIT 3
                (byte) 0xFA, 0x10, 0x27,       // ref 15 = zero, delta, 2 bytes: zigzag 10000 -> +5000
                (byte) 0x28,                   // ref 2 = t-1, same delta: 5000 + 5000
                (byte) 0x20,                   // ref 2 = t-1, XOR, 0 bytes: copy 10000
                0x3F, (byte) (0x80 | (477 & 0x7F)), (byte) (477 >>> 7), // ZERO 509
        };
        assertThat(decode(patch, base, PointerRelocation.none())).isEqualTo(PageCases.words(5000, 10000, 10000));
    }

    @Test
    void pointerShiftedPageIsAllSame() {
        Random r = new Random(3);
        long start = 0x7f00_0000_0000L;
        byte[] base = PageCases.pointers(r, start, 1 << 20);
        PointerRelocation rel = PointerRelocation.of(new long[] {start}, new long[] {start + (1 << 20)},
                new long[] {0x1234_5000L});
        ByteBuffer b = ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer t = ByteBuffer.allocate(PageSize.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < PageSize.WORDS; i++) {
            t.putLong(i * 8, rel.relocate(b.getLong(i * 8)));
        }
        assertThat(encode(t.array(), base, rel)).isEqualTo(4);
        assertThat(encode(t.array(), base, PointerRelocation.none())).isGreaterThan(100);
    }

    @Test
    void contentMovedByWholeWordsIsAMatch() {
        byte[] base = PageCases.bytes(new Random(4));
        byte[] target = new byte[PageSize.BYTES];
        System.arraycopy(base, 0, target, 64, PageSize.BYTES - 64);
        System.arraycopy(base, PageSize.BYTES - 64, target, 0, 64);
        assertThat(encode(target, base, PointerRelocation.none())).isLessThan(12);
    }

    @Test
    void shortRunsInsideLiteralsStayLiterals() throws PatchFormatException {
        Random r = new Random(7);
        byte[] base = PageCases.bytes(r);
        byte[] target = base.clone();
        ByteBuffer t = ByteBuffer.wrap(target).order(ByteOrder.LITTLE_ENDIAN);
        // literal, lone zero word, literal, two predicted words, literal, then the base page
        t.putLong(0, r.nextLong() | Long.MIN_VALUE);
        t.putLong(8, 0);
        t.putLong(16, r.nextLong() | Long.MIN_VALUE);
        t.putLong(40, r.nextLong() | Long.MIN_VALUE);
        int n = encode(target, base, PointerRelocation.none());
        // one LIT op of 6 words (the zero word and the predicted pair are one-byte literals), then SAME 506
        assertThat(out[0]).isEqualTo((byte) 0x00);
        assertThat(out[1]).isEqualTo((byte) (0x80 | 5));
        assertThat(Arrays.copyOfRange(out, n - 3, n))
                .containsExactly(0x1F, (byte) (0x80 | (474 & 0x7F)), (byte) (474 >>> 7));
        assertThat(decode(Arrays.copyOf(out, n), base, PointerRelocation.none())).isEqualTo(target);
    }

    @Test
    void randomPagesStayBoundedAndFallBackToRawOps() {
        byte[] base = PageCases.bytes(new Random(5));
        byte[] target = PageCases.bytes(new Random(6));
        int n = encode(target, base, PointerRelocation.none());
        assertThat(n).isLessThanOrEqualTo(1 + PointerAwarePatchFormat.MAX_OPS_BYTES);
        assertThat(encoder.encode(target, 0, base, 0, PointerRelocation.none(), out, 0, PageSize.BYTES)).isEqualTo(-1);
    }

    @Test
    void malformedPatchesSayWhatIsWrong() {
        byte[] base = new byte[PageSize.BYTES];
        assertThatThrownBy(() -> decode(new byte[] {0x07}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("flags");
        assertThatThrownBy(() -> decode(new byte[] {0x00, (byte) 0xC0}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("kind 6");
        assertThatThrownBy(() -> decode(new byte[] {0x00, 0x40, 0x01}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("out of the window");
        assertThatThrownBy(() -> decode(new byte[] {0x00, 0x1F, (byte) 0xFF, 0x03}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("overruns");
        assertThatThrownBy(() -> decode(new byte[] {0x00, 0x1F, (byte) 0xE0, 0x03, 0x00}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("after the last op");
        assertThatThrownBy(() -> decode(new byte[] {0x00, (byte) 0x80, 0x07, 1, 2, 3}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("truncated literal");
        assertThatThrownBy(() -> decode(new byte[] {0x00, 0x00}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("ends at word 1");
        assertThatThrownBy(() -> decode(new byte[] {0x01, 0x05, 0x00}, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("LZ4");
    }
}
