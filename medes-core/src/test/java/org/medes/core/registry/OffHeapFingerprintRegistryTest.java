package org.medes.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OffHeapFingerprintRegistryTest {

    private static long[] lookup(FingerprintRegistry registry, long... hashes) {
        long[] refs = new long[hashes.length];
        registry.lookup(hashes, hashes.length, refs);
        return refs;
    }

    @Test
    void unmixInvertsMix() {
        assertThat(RegistrySlot.mix(TestHashes.unmix(0x1234_5678_9ABC_DEF0L))).isEqualTo(0x1234_5678_9ABC_DEF0L);
    }

    @Test
    void registeredChunksAreFoundAndOthersAreNot() {
        long[] h = TestHashes.distinctKeys(1, 8);
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            int added = registry.registerBase(7, 3, h, new int[] {0, 0, 0, 1, 1, 9, 9, 9}, 6);

            assertThat(added).isEqualTo(6);
            assertThat(registry.chunkCount()).isEqualTo(6);
            assertThat(registry.isRegistered(7)).isTrue();
            assertThat(lookup(registry, h)).containsExactly(
                    PageRef.pack(7, 3, 0), PageRef.pack(7, 3, 0), PageRef.pack(7, 3, 0),
                    PageRef.pack(7, 3, 1), PageRef.pack(7, 3, 1), PageRef.pack(7, 3, 9),
                    PageRef.NONE, PageRef.NONE);
        }
    }

    @Test
    void aHashAlreadyPresentKeepsItsFirstPage() {
        long[] h = TestHashes.distinctKeys(2, 3);
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            assertThat(registry.registerBase(1, 0, new long[] {h[0], h[1], h[0]}, new int[] {4, 4, 5}, 3))
                    .isEqualTo(2);
            assertThat(registry.registerBase(2, 1, new long[] {h[1], h[2]}, new int[] {8, 9}, 2)).isEqualTo(1);

            assertThat(lookup(registry, h)).containsExactly(
                    PageRef.pack(1, 0, 4), PageRef.pack(1, 0, 4), PageRef.pack(2, 1, 9));
            assertThat(registry.chunkCount()).isEqualTo(3);
        }
    }

    @Test
    void retiringABaseForgetsItsChunksEvenThoseOthersShared() {
        long[] h = TestHashes.distinctKeys(3, 3);
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            registry.registerBase(1, 0, new long[] {h[0], h[1]}, new int[] {0, 1}, 2);
            registry.registerBase(2, 0, new long[] {h[1], h[2]}, new int[] {0, 1}, 2);

            assertThat(registry.retireBase(1)).isEqualTo(2);

            assertThat(registry.isRegistered(1)).isFalse();
            assertThat(registry.chunkCount()).isEqualTo(1);
            assertThat(lookup(registry, h)).containsExactly(PageRef.NONE, PageRef.NONE, PageRef.pack(2, 0, 1));
            assertThat(registry.retireBase(1)).isZero();
            assertThat(registry.retireBase(99)).isZero();

            assertThat(registry.registerBase(1, 5, new long[] {h[0], h[1]}, new int[] {3, 3}, 2)).isEqualTo(2);
            assertThat(lookup(registry, h)).containsExactly(
                    PageRef.pack(1, 5, 3), PageRef.pack(1, 5, 3), PageRef.pack(2, 0, 1));
        }
    }

    @Test
    void registeringABaseTwiceFails() {
        long[] h = TestHashes.distinctKeys(4, 2);
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            registry.registerBase(1, 0, h, new int[] {0, 1}, 2);
            assertThatThrownBy(() -> registry.registerBase(1, 0, h, new int[] {0, 1}, 2))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("base 1");
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheReason() {
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            assertThatThrownBy(() -> registry.registerBase(1, 0, new long[2], new int[] {0, -3}, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3").hasMessageContaining("1");
            assertThatThrownBy(() -> registry.registerBase(PageRef.MAX_BASE + 1, 0, new long[1], new int[1], 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base id");
            assertThatThrownBy(() -> registry.registerBase(1, 0, new long[1], new int[1], 2))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> registry.lookup(new long[4], 4, new long[3]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(registry.isRegistered(1)).isFalse();
        }
    }

    @Test
    void hashesWithAKeyLikeATombstoneSurviveRetirementsAroundThem() {
        long tombstoneKeyed = TestHashes.unmix(RegistrySlot.TOMBSTONE | 0x0ABC_DEFL);
        long[] others = TestHashes.distinctKeys(5, 200);
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            registry.registerBase(1, 0, others, new int[200], 200);
            registry.registerBase(2, 0, new long[] {tombstoneKeyed, 0L, -1L}, new int[] {1, 2, 3}, 3);
            registry.retireBase(1);

            assertThat(lookup(registry, tombstoneKeyed, 0L, -1L))
                    .containsExactly(PageRef.pack(2, 0, 1), PageRef.pack(2, 0, 2), PageRef.pack(2, 0, 3));
        }
    }

    @Test
    void hashesSharingTheKeyBitsAreOneKeyTheDocumentedFalsePositive() {
        long a = TestHashes.unmix(0x0123_4567_89A0_0001L);
        long b = TestHashes.unmix(0x0123_4567_89AF_FFFFL); // same top 36 bits after mixing
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            registry.registerBase(1, 0, new long[] {a}, new int[] {6}, 1);

            assertThat(registry.registerBase(2, 0, new long[] {b}, new int[] {7}, 1)).isZero();
            assertThat(lookup(registry, b)).containsExactly(PageRef.pack(1, 0, 6));
        }
    }

    @Test
    void growsAcrossSeveralResizesAndKeepsEveryChunk() {
        int bases = 40;
        int perBase = 5_000;
        long[] h = TestHashes.distinctKeys(6, bases * perBase);
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            int[] pages = new int[perBase];
            for (int b = 0; b < bases; b++) {
                for (int i = 0; i < perBase; i++) {
                    pages[i] = i / 5;
                }
                long[] chunkHashes = Arrays.copyOfRange(h, b * perBase, (b + 1) * perBase);
                assertThat(registry.registerBase(b, b % 4, chunkHashes, pages, perBase)).isEqualTo(perBase);
            }

            assertThat(registry.resizeCount()).isGreaterThanOrEqualTo(10);
            assertThat(registry.chunkCount()).isEqualTo((long) bases * perBase);
            long[] refs = new long[h.length];
            registry.lookup(h, h.length, refs);
            for (int j = 0; j < h.length; j++) {
                int b = j / perBase;
                assertThat(refs[j]).as("chunk %d", j).isEqualTo(PageRef.pack(b, b % 4, (j % perBase) / 5));
            }

            long memoryBefore = registry.memoryBytes();
            for (int b = 0; b < bases; b += 2) {
                assertThat(registry.retireBase(b)).isEqualTo(perBase);
            }
            assertThat(registry.chunkCount()).isEqualTo((long) bases / 2 * perBase);
            assertThat(registry.memoryBytes()).isLessThan(memoryBefore * 3 / 4);
            registry.lookup(h, h.length, refs);
            for (int j = 0; j < h.length; j++) {
                int b = j / perBase;
                long expected = b % 2 == 0 ? PageRef.NONE : PageRef.pack(b, b % 4, (j % perBase) / 5);
                assertThat(refs[j]).as("chunk %d", j).isEqualTo(expected);
            }
        }
    }

    @Test
    void memoryPerChunkStaysAtMostSixteenBytesUpToAMillionChunks() {
        int bases = 20;
        int perBase = 50_000; // 10,000 pages of five sampled chunks each
        long[] h = TestHashes.distinctKeys(7, bases * perBase);
        int[] pages = new int[perBase];
        for (int i = 0; i < perBase; i++) {
            pages[i] = i / 5;
        }
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            for (int b = 0; b < bases; b++) {
                registry.registerBase(b, 0, Arrays.copyOfRange(h, b * perBase, (b + 1) * perBase), pages, perBase);
                double perChunk = (double) registry.memoryBytes() / registry.chunkCount();
                assertThat(perChunk).as("bytes per chunk at %d chunks", registry.chunkCount()).isLessThanOrEqualTo(16.0);
            }
            assertThat(registry.chunkCount()).isEqualTo(1_000_000);
        }
    }

    @Test
    void closeIsIdempotentAndLookupsAfterCloseFail() {
        var registry = OffHeapFingerprintRegistry.builder().expectedChunks(1000).build();
        registry.registerBase(1, 0, new long[] {42}, new int[] {0}, 1);
        registry.close();
        registry.close();

        assertThat(registry.memoryBytes()).isZero();
        assertThat(registry.isRegistered(1)).isFalse();
        assertThatThrownBy(() -> registry.lookup(new long[] {42}, 1, new long[1]))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> registry.registerBase(2, 0, new long[] {1}, new int[] {0}, 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> registry.retireBase(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void builderRejectsAValueSetTwice() {
        var builder = OffHeapFingerprintRegistry.builder().expectedChunks(10);
        assertThatThrownBy(() -> builder.expectedChunks(20)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> OffHeapFingerprintRegistry.builder().expectedChunks(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
