package org.medes.core.patch;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.medes.core.page.PageSize;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Damaged raw patches reach the stream parser directly and must fail cleanly or decode to some page. */
class SplitStreamPatchFuzzTest {
    /** Without the LZ4 stage, so that the parser (not LZ4) sees the damage. */
    private final SplitStreamPatchCodec raw = new SplitStreamPatchCodec(false);
    private final PatchDecoder decoder = raw.newDecoder();
    private final byte[] out = new byte[2 * PageSize.BYTES];

    @Property(tries = 300)
    void mutatedRawPatchesFailCleanly(@ForAll("cases") PageCases.Case c, @ForAll long seed) throws PatchFormatException {
        int n = raw.newEncoder().encode(c.target(), 0, c.base(), 0, c.relocation(), out, 0, out.length);
        byte[] dst = new byte[PageSize.BYTES + 16];
        decoder.decode(out, 0, n, c.base(), 0, c.relocation(), dst, 8);
        assertThat(Arrays.copyOfRange(dst, 8, 8 + PageSize.BYTES)).isEqualTo(c.target());
        Random r = new Random(seed);
        for (int trial = 0; trial < 30; trial++) {
            byte[] patch = Arrays.copyOf(out, n + 8);
            int len = n;
            for (int f = r.nextInt(4); f >= 0; f--) {
                int at = r.nextInt(4) == 0 ? r.nextInt(Math.min(n, 4)) : r.nextInt(n);
                patch[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : patch[at] ^ (1 << r.nextInt(8)));
            }
            if (r.nextInt(3) == 0) {
                len = r.nextInt(n + 8);
            }
            Arrays.fill(dst, (byte) 0x33);
            try {
                decoder.decode(patch, 0, len, c.base(), 0, c.relocation(), dst, 8);
            } catch (PatchFormatException expected) {
                assertThat(expected.getMessage()).startsWith("split-stream");
            }
            PageCases.assertGuardsIntact(dst, (byte) 0x33);
        }
    }

    @Provide
    Arbitrary<PageCases.Case> cases() {
        return PageCases.all();
    }
}
