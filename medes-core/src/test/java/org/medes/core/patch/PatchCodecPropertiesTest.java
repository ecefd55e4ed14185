package org.medes.core.patch;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.medes.core.page.PageSize;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round-trip, size-limit and corruption properties, run against every registered codec. */
class PatchCodecPropertiesTest {
    private static final int OUT_OFF = 7;
    private static final int DST_OFF = 13;

    @Provide
    Arbitrary<PatchCodec> codecs() {
        return Arbitraries.of(PatchCodecs.all());
    }

    @Provide
    Arbitrary<PageCases.Case> pages() {
        return PageCases.all();
    }

    @Property(tries = 600)
    void decodeOfEncodeIsTheTarget(@ForAll("codecs") PatchCodec codec, @ForAll("pages") PageCases.Case c)
            throws PatchFormatException {
        byte[] out = new byte[OUT_OFF + 3 * PageSize.BYTES];
        int n = codec.newEncoder().encode(c.target(), 0, c.base(), 0, c.relocation(), out, OUT_OFF, out.length - OUT_OFF);
        assertThat(n).isPositive();
        byte[] dst = new byte[DST_OFF + PageSize.BYTES + 5];
        codec.newDecoder().decode(out, OUT_OFF, n, c.base(), 0, c.relocation(), dst, DST_OFF);
        assertThat(Arrays.copyOfRange(dst, DST_OFF, DST_OFF + PageSize.BYTES)).isEqualTo(c.target());
    }

    /** Every encoder trade-off writes patches the default pointer-aware decoder reads. */
    @Property(tries = 600)
    void pointerAwareTradeOffsDecodeWithTheDefaultDecoder(@ForAll("tradeOffs") PatchCodec codec,
                                                          @ForAll("pages") PageCases.Case c) throws PatchFormatException {
        byte[] out = new byte[OUT_OFF + 3 * PageSize.BYTES];
        int n = codec.newEncoder().encode(c.target(), 0, c.base(), 0, c.relocation(), out, OUT_OFF, out.length - OUT_OFF);
        assertThat(n).isPositive();
        byte[] dst = new byte[DST_OFF + PageSize.BYTES + 5];
        PatchCodecs.defaultCodec().newDecoder().decode(out, OUT_OFF, n, c.base(), 0, c.relocation(), dst, DST_OFF);
        assertThat(Arrays.copyOfRange(dst, DST_OFF, DST_OFF + PageSize.BYTES)).isEqualTo(c.target());
    }

    @Provide
    Arbitrary<PatchCodec> tradeOffs() {
        return Arbitraries.of(PatchCodecSurvey.SURVEYED.stream().filter(x -> x instanceof PointerAwarePatchCodec).toList());
    }

    @Property(tries = 200)
    void encodersAndDecodersAreReusableAcrossPages(@ForAll("codecs") PatchCodec codec,
                                                   @ForAll("pages") PageCases.Case a, @ForAll("pages") PageCases.Case b)
            throws PatchFormatException {
        PatchEncoder enc = codec.newEncoder();
        PatchDecoder dec = codec.newDecoder();
        byte[] out = new byte[3 * PageSize.BYTES];
        byte[] dst = new byte[PageSize.BYTES];
        for (PageCases.Case c : new PageCases.Case[] {a, b, a}) {
            int n = enc.encode(c.target(), 0, c.base(), 0, c.relocation(), out, 0, out.length);
            dec.decode(out, 0, n, c.base(), 0, c.relocation(), dst, 0);
            assertThat(dst).isEqualTo(c.target());
        }
    }

    @Property(tries = 300)
    void maxLengthIsRespected(@ForAll("codecs") PatchCodec codec, @ForAll("pages") PageCases.Case c,
                              @ForAll @IntRange(min = 0, max = 4200) int maxLength) throws PatchFormatException {
        PatchEncoder enc = codec.newEncoder();
        byte[] out = new byte[3 * PageSize.BYTES];
        int full = enc.encode(c.target(), 0, c.base(), 0, c.relocation(), out, 0, out.length);
        byte[] limited = new byte[3 * PageSize.BYTES];
        Arrays.fill(limited, (byte) 0x5A);
        int n = enc.encode(c.target(), 0, c.base(), 0, c.relocation(), limited, 0, maxLength);
        if (full <= maxLength) {
            assertThat(n).isEqualTo(full);
            assertThat(Arrays.copyOf(limited, n)).isEqualTo(Arrays.copyOf(out, full));
        } else {
            assertThat(n).isEqualTo(-1);
        }
        for (int j = Math.max(maxLength, 0); j < limited.length; j++) {
            assertThat(limited[j]).as("byte %d past maxLength", j).isEqualTo((byte) 0x5A);
        }
    }

    @Property(tries = 400)
    void corruptOrTruncatedPatchesFailCleanly(@ForAll("codecs") PatchCodec codec, @ForAll("pages") PageCases.Case c,
                                             @ForAll long seed) {
        Random r = new Random(seed);
        byte[] patch = new byte[3 * PageSize.BYTES];
        int n = codec.newEncoder().encode(c.target(), 0, c.base(), 0, c.relocation(), patch, 0, patch.length);
        PatchDecoder dec = codec.newDecoder();
        for (int trial = 0; trial < 20; trial++) {
            byte[] bad = Arrays.copyOf(patch, n + 16);
            int len = n;
            switch (r.nextInt(3)) {
                case 0 -> len = r.nextInt(n);
                case 1 -> {
                    for (int f = 1 + r.nextInt(3); f > 0; f--) {
                        bad[r.nextInt(n)] ^= (byte) (1 + r.nextInt(255));
                    }
                }
                default -> {
                    bad[r.nextInt(n)] = (byte) r.nextInt(256);
                    len = Math.max(0, n - r.nextInt(Math.min(n, 8) + 1)) + (r.nextBoolean() ? r.nextInt(16) : 0);
                }
            }
            byte[] dst = new byte[DST_OFF + PageSize.BYTES + 5];
            Arrays.fill(dst, (byte) 0x77);
            try {
                dec.decode(bad, 0, len, c.base(), 0, c.relocation(), dst, DST_OFF);
            } catch (PatchFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
            for (int j = 0; j < DST_OFF; j++) {
                assertThat(dst[j]).isEqualTo((byte) 0x77);
            }
            for (int j = DST_OFF + PageSize.BYTES; j < dst.length; j++) {
                assertThat(dst[j]).isEqualTo((byte) 0x77);
            }
            // the decoder stays usable after a bad patch
            byte[] ok = new byte[PageSize.BYTES];
            try {
                dec.decode(patch, 0, n, c.base(), 0, c.relocation(), ok, 0);
            } catch (PatchFormatException e) {
                throw new AssertionError(e);
            }
            assertThat(ok).isEqualTo(c.target());
        }
    }

    @Property(tries = 50)
    void emptyPatchIsRejected(@ForAll("codecs") PatchCodec codec) {
        byte[] base = new byte[PageSize.BYTES];
        assertThatThrownBy(() -> codec.newDecoder().decode(new byte[0], 0, 0, base, 0, PointerRelocation.none(),
                new byte[PageSize.BYTES], 0)).isInstanceOf(PatchFormatException.class);
    }
}
