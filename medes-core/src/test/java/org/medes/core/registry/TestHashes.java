package org.medes.core.registry;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/** Chunk hashes for registry tests: random 64-bit values whose 36-bit registry keys are all distinct. */
final class TestHashes {
    /** Inverse of {@link RegistrySlot#MIX} modulo 2^64. */
    static final long UNMIX;

    static {
        long inv = RegistrySlot.MIX; // Newton iteration doubles the correct low bits each step
        for (int i = 0; i < 6; i++) {
            inv *= 2 - RegistrySlot.MIX * inv;
        }
        UNMIX = inv;
    }

    private TestHashes() {
    }

    /**
     * {@code n} random hashes with pairwise distinct registry keys, so the registry's documented
     * key collisions (false positives) cannot occur and results can be compared exactly.
     */
    static long[] distinctKeys(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<Long> keys = new HashSet<>();
        long[] hashes = new long[n];
        for (int i = 0; i < n; ) {
            long h = random.nextLong();
            if (keys.add(RegistrySlot.mix(h) >>> RegistrySlot.INDEX_BITS)) {
                hashes[i++] = h;
            }
        }
        return hashes;
    }

    /** The chunk hash whose mixed value is {@code mixed}. */
    static long unmix(long mixed) {
        return mixed * UNMIX;
    }
}
