package org.medes.core.patch;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.medes.core.page.PageSize;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Damaged op streams reach the op parser directly and must fail cleanly or decode to some page. */
class PointerAwarePatchFuzzTest {
    private final PointerAwarePatchCodec codec = new PointerAwarePatchCodec();
    private final PatchDecoder decoder = codec.newDecoder();
    private final byte[] out = new byte[2 * PointerAwarePatchFormat.MAX_OPS_BYTES];

    /** Mutated op streams, sent raw so that the op parser (not LZ4) sees the damage. */
    @Property(tries = 300)
    void mutatedRawOpStreamsFailCleanly(@ForAll("cases") PageCases.Case c, @ForAll long seed) {
        PointerAwarePatchCodec.Encoder enc = (PointerAwarePatchCodec.Encoder) codec.newEncoder();
        enc.encode(c.target(), 0, c.base(), 0, c.relocation(), out, 0, out.length);
        int n = enc.lastOpsLength();
        Random r = new Random(seed);
        byte[] dst = new byte[PageSize.BYTES + 16];
        for (int trial = 0; trial < 30; trial++) {
            byte[] patch = new byte[1 + n + 8];
            System.arraycopy(enc.lastOps(), 0, patch, 1, n);
            int len = 1 + n;
            for (int f = r.nextInt(4); f >= 0; f--) {
                patch[1 + r.nextInt(n)] = (byte) r.nextInt(256);
            }
            if (r.nextInt(3) == 0) {
                len = 1 + r.nextInt(n + 8);
            }
            Arrays.fill(dst, (byte) 0x33);
            try {
                decoder.decode(patch, 0, len, c.base(), 0, c.relocation(), dst, 8);
            } catch (PatchFormatException expected) {
                // fine: the other outcome is a (possibly wrong) page
            }
            PageCases.assertGuardsIntact(dst, (byte) 0x33);
        }
    }

    @Provide
    Arbitrary<PageCases.Case> cases() {
        return PageCases.all();
    }

}
