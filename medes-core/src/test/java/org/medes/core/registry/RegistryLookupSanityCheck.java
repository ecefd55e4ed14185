package org.medes.core.registry;

import java.util.SplittableRandom;

/**
 * Rough single-thread lookup rate, a sanity check before the JMH benchmark (no assertions).
 * Run from medes-core after {@code mvn -o test-compile}:
 * {@code java <medes.jvm.flags> -cp target/classes:target/test-classes:<deps>
 * org.medes.core.registry.RegistryLookupSanityCheck [chunks] [hitRatio]}.
 */
public final class RegistryLookupSanityCheck {
    private RegistryLookupSanityCheck() {
    }

    public static void main(String[] args) {
        int chunks = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        double hitRatio = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
        int batch = 1024;
        int bases = 20;
        int perBase = chunks / bases;
        SplittableRandom random = new SplittableRandom(1);
        long[] registered = new long[bases * perBase];
        for (int i = 0; i < registered.length; i++) {
            registered[i] = random.nextLong();
        }
        long[] probes = new long[1 << 22];
        for (int i = 0; i < probes.length; i++) {
            probes[i] = random.nextDouble() < hitRatio ? registered[random.nextInt(registered.length)] : random.nextLong();
        }
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            int[] pages = new int[perBase];
            long[] hashes = new long[perBase];
            for (int i = 0; i < perBase; i++) {
                pages[i] = i / 5;
            }
            for (int b = 0; b < bases; b++) {
                System.arraycopy(registered, b * perBase, hashes, 0, perBase);
                registry.registerBase(b, b % 4, hashes, pages, perBase);
            }
            System.out.printf("%,d chunks, %,d bytes, %.2f bytes/chunk, %d resizes%n", registry.chunkCount(),
                    registry.memoryBytes(), (double) registry.memoryBytes() / registry.chunkCount(),
                    registry.resizeCount());
            long[] batchHashes = new long[batch];
            long[] refs = new long[batch];
            for (int round = 0; round < 5; round++) {
                long found = 0;
                long lookups = 0;
                long start = System.nanoTime();
                int offset = 0;
                while (System.nanoTime() - start < 1_000_000_000L) {
                    for (int rep = 0; rep < 64; rep++) {
                        System.arraycopy(probes, offset, batchHashes, 0, batch);
                        offset = (offset + batch) & (probes.length - 1);
                        registry.lookup(batchHashes, batch, refs);
                        for (int j = 0; j < batch; j++) {
                            found += refs[j] != PageRef.NONE ? 1 : 0;
                        }
                        lookups += batch;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("round %d: %.1f M lookups/s, hit ratio %.3f%n", round, lookups / seconds / 1e6,
                        (double) found / lookups);
            }
        }
    }
}
