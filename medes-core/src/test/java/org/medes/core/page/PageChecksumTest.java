package org.medes.core.page;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link PageChecksum} must be zero-allocation-hashing's XXH3-64 of the page, bit for bit: dedup images store it. */
class PageChecksumTest {
    private static final LongHashFunction XX3 = LongHashFunction.xx3();

    @Property(tries = 300)
    void equalsTheLibrarysXxh3OnAnyPage(@ForAll @Size(PageSize.BYTES) byte[] page) {
        assertThat(checksum(page)).isEqualTo(XX3.hashBytes(page));
    }

    @Test
    void equalsTheLibrarysXxh3OnPagesOfWordsAndOnFlatPages() {
        SplittableRandom r = new SplittableRandom(7);
        byte[] page = new byte[PageSize.BYTES];
        for (int round = 0; round < 200; round++) {
            // pointers, small integers, random and all-ones words: every lane's multiply sees both halves vary
            for (int i = 0; i < page.length; i += 8) {
                long w = switch (r.nextInt(4)) {
                    case 0 -> 0x7f00_0000_0000L + r.nextInt(1 << 24);
                    case 1 -> r.nextInt(100);
                    case 2 -> r.nextLong();
                    default -> -1L;
                };
                for (int b = 0; b < 8; b++) {
                    page[i + b] = (byte) (w >>> (8 * b));
                }
            }
            assertThat(checksum(page)).as("round %d", round).isEqualTo(XX3.hashBytes(page));
        }
        for (int fill : new int[] {0, 0xFF, 0x80}) {
            java.util.Arrays.fill(page, (byte) fill);
            assertThat(checksum(page)).as("all 0x%x", fill).isEqualTo(XX3.hashBytes(page));
        }
    }

    @Test
    void oneFlippedBitAnywhereChangesIt() {
        byte[] page = new byte[PageSize.BYTES];
        new SplittableRandom(3).nextBytes(page);
        long clean = checksum(page);
        for (int bit = 0; bit < 8 * PageSize.BYTES; bit += 61) {
            page[bit >>> 3] ^= (byte) (1 << (bit & 7));
            assertThat(checksum(page)).as("bit %d", bit).isNotEqualTo(clean);
            page[bit >>> 3] ^= (byte) (1 << (bit & 7));
        }
    }

    private static long checksum(byte[] page) {
        Bytes<Void> mem = Bytes.allocateDirect(PageSize.BYTES);
        try {
            mem.write(page);
            return PageChecksum.ofMemory(mem.addressForRead(0));
        } finally {
            mem.releaseLast();
        }
    }
}
