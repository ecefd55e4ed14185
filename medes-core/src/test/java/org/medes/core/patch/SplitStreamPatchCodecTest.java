package org.medes.core.patch;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Known-answer vectors of the split-stream format. */
class SplitStreamPatchCodecTest {
    private final SplitStreamPatchCodec codec = new SplitStreamPatchCodec();
    private final PatchDecoder decoder = codec.newDecoder();
    private final byte[] out = new byte[2 * PageSize.BYTES];

    private byte[] decode(byte[] patch, byte[] base, PointerRelocation rel) throws PatchFormatException {
        return PageCases.decode(decoder, patch, base, rel);
    }

    @Test
    void identicalPageIsThreeBytes() throws PatchFormatException {
        byte[] base = PageCases.bytes(new Random(1));
        int n = codec.newEncoder().encode(base.clone(), 0, base, 0, PointerRelocation.none(), out, 0, out.length);
        assertThat(Arrays.copyOf(out, n)).containsExactly(0, 0, 0);
        assertThat(decode(Arrays.copyOf(out, n), base, PointerRelocation.none())).isEqualTo(base);
    }

    @Test
    void knownAnswerRawPatch() throws PatchFormatException {
        byte[] base = PageCases.words(0x1000, 0x2000, 0x3000, 7);
        PointerRelocation rel = PointerRelocation.of(new long[] {0x1000}, new long[] {0x3000}, new long[] {0x500});
        byte[] patch = {
                0x06, 0x01, 0x02,  // 3 control bytes, raw; 1 displacement; 2 literal words
                0x02,              // SAME 2: t0..1 = 0x1500, 0x2500 (relocated)
                0x19,              // MATCH 1: t2 = w[512 + 2 - 514] = p0 = 0x1500
                0x40,              // 2 literals, then nothing
                0x02, 0x02,        // displacement 514
                0x01,              // t3: XOR against p3 (7), 1 byte
                0x31,              // t4: difference against t3, 1 byte
                0x05,              // t3 = 7 ^ 5 = 2
                0x04,              // t4 = 2 + unzigzag(4) = 4; the rest is SAME (zero)
        };
        assertThat(decode(patch, base, rel)).isEqualTo(PageCases.words(0x1500, 0x2500, 0x1500, 2, 4));
    }

    @Test
    void displacementBeforeTheWindowIsRejected() {
        byte[] base = PageCases.words(1, 2, 3);
        // MATCH 1 at word 0 with displacement 513: window word -1
        byte[] patch = {0x02, 0x01, 0x00, 0x19, 0x01, 0x02};
        assertThatThrownBy(() -> decode(patch, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("displacement 513");
    }

    @Test
    void leftOverLiteralBytesAreRejected() {
        byte[] base = PageCases.words(1, 2, 3);
        byte[] patch = {0x02, 0x00, 0x01, 0x20, 0x01, 0x05, 0x06};
        assertThatThrownBy(() -> decode(patch, base, PointerRelocation.none()))
                .isInstanceOf(PatchFormatException.class).hasMessageContaining("not used up");
    }
}
