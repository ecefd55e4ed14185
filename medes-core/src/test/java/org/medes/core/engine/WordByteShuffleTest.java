package org.medes.core.engine;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class WordByteShuffleTest {
    @Test
    void bytesAreGroupedByTheirPlaceInTheWord() {
        byte[] page = new byte[PageSize.BYTES];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i % 8 * 16 + i / 8 % 16);
        }
        byte[] out = new byte[PageSize.BYTES];
        WordByteShuffle.shuffle(page, out);
        for (int k = 0; k < 8; k++) {
            for (int w = 0; w < PageSize.WORDS; w++) {
                assertThat(out[k * PageSize.WORDS + w]).isEqualTo(page[w * 8 + k]);
            }
        }
    }

    @Test
    void unshuffleUndoesShuffle() {
        SplittableRandom r = new SplittableRandom(5);
        byte[] page = new byte[PageSize.BYTES];
        byte[] shuffled = new byte[PageSize.BYTES];
        byte[] back = new byte[PageSize.BYTES];
        for (int round = 0; round < 20; round++) {
            r.nextBytes(page);
            WordByteShuffle.shuffle(page, shuffled);
            WordByteShuffle.unshuffle(shuffled, 0, back);
            assertThat(back).isEqualTo(page);
        }
    }

    @Test
    void unshuffleIntoMemoryGivesTheSamePageAsUnshuffle() {
        SplittableRandom r = new SplittableRandom(9);
        byte[] shuffled = new byte[3 * PageSize.BYTES];
        byte[] expected = new byte[PageSize.BYTES];
        byte[] actual = new byte[PageSize.BYTES];
        net.openhft.chronicle.bytes.Bytes<Void> mem = net.openhft.chronicle.bytes.Bytes.allocateDirect(PageSize.BYTES);
        try {
            long address = mem.addressForWrite(0);
            for (int round = 0; round < 50; round++) {
                r.nextBytes(shuffled);
                int off = r.nextInt(2 * PageSize.BYTES);
                WordByteShuffle.unshuffle(shuffled, off, expected);
                WordByteShuffle.unshuffleTo(shuffled, off, 512, address);
                org.medes.core.page.OffHeap.copyToArray(address, actual, 0, PageSize.BYTES);
                assertThat(actual).as("offset %d", off).isEqualTo(expected);
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WordByteShuffle.unshuffleTo(shuffled, 2 * PageSize.BYTES + 1, 512, address))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        } finally {
            mem.releaseLast();
        }
    }

    @Test
    void bytePlacesFarApartGiveTheSamePage() {
        SplittableRandom r = new SplittableRandom(21);
        byte[] page = new byte[PageSize.BYTES];
        r.nextBytes(page);
        byte[] shuffled = new byte[PageSize.BYTES];
        WordByteShuffle.shuffle(page, shuffled);
        // three pages' places interleaved as a block lays them out: this page is the second of three
        int stride = 3 * 512;
        byte[] block = new byte[100 + 8 * stride];
        r.nextBytes(block);
        for (int j = 0; j < 8; j++) {
            System.arraycopy(shuffled, j * 512, block, 100 + j * stride + 512, 512);
        }
        byte[] back = new byte[PageSize.BYTES];
        net.openhft.chronicle.bytes.Bytes<Void> mem = net.openhft.chronicle.bytes.Bytes.allocateDirect(PageSize.BYTES);
        try {
            WordByteShuffle.unshuffleTo(block, 100 + 512, stride, mem.addressForWrite(0));
            org.medes.core.page.OffHeap.copyToArray(mem.addressForRead(0), back, 0, PageSize.BYTES);
            assertThat(back).isEqualTo(page);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WordByteShuffle.unshuffleTo(block, 100 + 1024 + 1, stride,
                    mem.addressForWrite(0))).isInstanceOf(IndexOutOfBoundsException.class);
        } finally {
            mem.releaseLast();
        }
    }
}
