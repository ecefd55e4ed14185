package org.medes.core.engine;

import org.medes.core.registry.FingerprintRegistry;
import org.medes.core.registry.PageRef;

import java.util.HashMap;
import java.util.Map;

/** Registries for engine tests. */
final class TestRegistries {
    private TestRegistries() {
    }

    static FingerprintRegistry newRegistry() {
        return new MapRegistry();
    }

    /** A plain synchronized map; stands in until the off-heap registry lands. */
    static final class MapRegistry implements FingerprintRegistry {
        final Map<Long, Long> map = new HashMap<>();
        final java.util.Set<Integer> bases = new java.util.HashSet<>();

        @Override
        public synchronized int registerBase(int base, int node, long[] hashes, int[] pages, int count) {
            bases.add(base);
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (map.putIfAbsent(hashes[i], PageRef.pack(base, node, pages[i])) == null) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public synchronized void lookup(long[] hashes, int count, long[] refsOut) {
            for (int i = 0; i < count; i++) {
                refsOut[i] = map.getOrDefault(hashes[i], PageRef.NONE);
            }
        }

        @Override
        public synchronized int retireBase(int base) {
            bases.remove(base);
            int before = map.size();
            map.values().removeIf(v -> PageRef.base(v) == base);
            return before - map.size();
        }

        @Override
        public synchronized boolean isRegistered(int base) {
            return bases.contains(base);
        }

        @Override
        public synchronized long chunkCount() {
            return map.size();
        }

        @Override
        public long memoryBytes() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
