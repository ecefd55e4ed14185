package org.medes.criu.compare;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PageDelta}: decode(encode(x)) == x over random, zero, shifted and pointer-shifted pages; size and error checks. */
class PageDeltaTest {

    record Case(byte[] base, byte[] target) {
    }

    @Provide
    Arbitrary<Case> pages() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 300), Arbitraries.integers().between(0, 64)).as((seed, kind, shift, edits) -> {
            SplittableRandom r = new SplittableRandom(seed);
            byte[] base = new byte[PageSize.BYTES];
            byte[] target = new byte[PageSize.BYTES];
            ByteBuffer b = ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN);
            switch (kind) {
                case 0 -> { // random both
                    r.nextBytes(base);
                    r.nextBytes(target);
                }
                case 1 -> { // zero target against anything
                    r.nextBytes(base);
                }
                case 2 -> { // content shifted by some bytes
                    for (int i = 0; i < base.length; i += 8) {
                        b.putLong(i, r.nextInt(1000));
                    }
                    System.arraycopy(base, 0, target, shift, base.length - shift);
                }
                default -> { // pointers moved by an ASLR offset, a few words edited
                    long slide = (long) r.nextInt(1 << 20) << 12;
                    ByteBuffer t = ByteBuffer.wrap(target).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < base.length; i += 8) {
                        long v = r.nextInt(4) == 0 ? 0x7f00_0000_0000L + r.nextInt(1 << 24) : r.nextInt(256);
                        b.putLong(i, v);
                        t.putLong(i, v >= 0x7f00_0000_0000L ? v + slide : v);
                    }
                }
            }
            for (int e = 0; e < edits; e++) {
                target[r.nextInt(PageSize.BYTES)] = (byte) r.nextInt();
            }
            return new Case(base, target);
        });
    }

    @Property(tries = 300)
    void decodeOfEncodeIsThePage(@ForAll("pages") Case c) throws IOException {
        PageDelta delta = new PageDelta();
        ByteSink sink = new ByteSink(16);
        sink.put(0x55);
        int n = delta.encode(c.base(), 0, c.target(), 0, sink, PageSize.BYTES);
        if (n < 0) {
            assertThat(sink.length()).as("nothing written for a delta over the limit").isEqualTo(1);
            return;
        }
        assertThat(sink.length()).isEqualTo(1 + n);
        byte[] out = new byte[PageSize.BYTES + 3];
        PageDelta.decode(c.base(), 0, sink.toStored().bytes(), 1, n, out, 3, "test");
        assertThat(java.util.Arrays.copyOfRange(out, 3, out.length)).isEqualTo(c.target());
    }

    @Test
    void identicalAndZeroPagesTakeAFewBytesRandomOnesGiveUp() {
        byte[] page = new byte[PageSize.BYTES];
        new SplittableRandom(1).nextBytes(page);
        PageDelta delta = new PageDelta();
        assertThat(delta.encode(page, 0, page, 0, new ByteSink(16), PageSize.BYTES)).isBetween(1, 8);
        byte[] zero = new byte[PageSize.BYTES];
        assertThat(delta.encode(page, 0, zero, 0, new ByteSink(16), PageSize.BYTES)).as("self copies").isBetween(1, 12);
        byte[] other = new byte[PageSize.BYTES];
        new SplittableRandom(2).nextBytes(other);
        assertThat(delta.encode(page, 0, other, 0, new ByteSink(16), PageSize.BYTES)).isEqualTo(-1);
    }

    @Test
    void malformedDeltasAreRefusedWithTheOffset() {
        byte[] base = new byte[PageSize.BYTES];
        byte[] out = new byte[PageSize.BYTES];
        assertThatThrownBy(() -> PageDelta.decode(base, 0, new byte[] {(byte) 0x80, (byte) 0xFF, 0x1F}, 0, 3, out, 0, "p"))
                .isInstanceOf(IOException.class).hasMessageContaining("p: COPY of 4 bytes from base offset 4095");
        assertThatThrownBy(() -> PageDelta.decode(base, 0, new byte[] {(byte) 0xC0, 0}, 0, 2, out, 0, "p"))
                .isInstanceOf(IOException.class).hasMessageContaining("from target offset 0");
        assertThatThrownBy(() -> PageDelta.decode(base, 0, new byte[] {5, 1}, 0, 2, out, 0, "p"))
                .isInstanceOf(IOException.class).hasMessageContaining("ADD of 6 bytes");
        assertThatThrownBy(() -> PageDelta.decode(base, 0, new byte[] {0, 1}, 0, 2, out, 0, "p"))
                .isInstanceOf(IOException.class).hasMessageContaining("delta makes 1 bytes, not a page");
    }
}
