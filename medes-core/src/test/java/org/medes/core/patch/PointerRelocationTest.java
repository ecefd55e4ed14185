package org.medes.core.patch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PointerRelocationTest {
    private static final long MMAP_DELTA = -0x20_0000_0000L;
    private static final long HEAP_DELTA = 0x3000_0000L;

    /** Heap, then three mmap-area mappings with holes between them, then one moved apart, as ASLR places them. */
    private static PointerRelocation process() {
        return PointerRelocation.of(
                new long[] {0x7f00_0000_0000L, 0x5500_0000_0000L, 0x7f00_0001_0000L, 0x7f00_0003_0000L, 0x7f00_0010_0000L},
                new long[] {0x7f00_0000_8000L, 0x5500_0010_0000L, 0x7f00_0002_0000L, 0x7f00_0004_0000L, 0x7f00_0011_0000L},
                new long[] {MMAP_DELTA, HEAP_DELTA, MMAP_DELTA, MMAP_DELTA, 0x5000});
    }

    @Test
    void spanningGapsJoinsNeighboursOfOneDeltaAndNothingElse() {
        PointerRelocation joined = process().spanningGaps();

        assertThat(joined.size()).isEqualTo(3);
        assertThat(joined.start(1)).isEqualTo(0x7f00_0000_0000L);
        assertThat(joined.end(1)).isEqualTo(0x7f00_0004_0000L);
        assertThat(joined.delta(1)).isEqualTo(MMAP_DELTA);
        // inside the former mappings: as before
        for (long w : new long[] {0x5500_0000_0040L, 0x7f00_0000_0008L, 0x7f00_0001_1000L, 0x7f00_0003_fff8L,
                0x7f00_0010_0100L}) {
            assertThat(joined.relocate(w)).as("0x%x", w).isEqualTo(process().relocate(w));
        }
        // in a hole of the mmap area: now moved with the area
        assertThat(process().relocate(0x7f00_0000_9000L)).isEqualTo(0x7f00_0000_9000L);
        assertThat(joined.relocate(0x7f00_0000_9000L)).isEqualTo(0x7f00_0000_9000L + MMAP_DELTA);
        // between runs of different deltas and outside: unmoved
        assertThat(joined.relocate(0x7f00_0004_0000L)).isEqualTo(0x7f00_0004_0000L);
        assertThat(joined.relocate(0x7f00_000f_f000L)).isEqualTo(0x7f00_000f_f000L);
        assertThat(joined.relocate(0x5500_0010_0000L)).isEqualTo(0x5500_0010_0000L);
        assertThat(joined.relocate(42)).isEqualTo(42);
    }

    @Test
    void spanningGapsOfDistinctDeltasIsTheSameRelocation() {
        PointerRelocation r = PointerRelocation.of(new long[] {0x1000, 0x3000}, new long[] {0x2000, 0x4000},
                new long[] {0x10, 0x20});
        assertThat(r.spanningGaps()).isSameAs(r);
        assertThat(PointerRelocation.none().spanningGaps()).isSameAs(PointerRelocation.none());
    }
}
