package org.medes.core.registry;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffHeapFingerprintRegistryTest {

    /** Random registrations and retirements agree with a HashMap model. */
    @Property(tries = 40)
    void behavesLikeAMap(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int operations) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<Long, Long> model = new HashMap<>();
        Map<Integer, List<Long>> hashesOf = new HashMap<>();
        List<Long> every = new ArrayList<>();
        try (OffHeapFingerprintRegistry reg = new OffHeapFingerprintRegistry(16)) {
            int nextBase = 0;
            for (int op = 0; op < operations; op++) {
                if (!hashesOf.isEmpty() && r.nextInt(4) == 0) {
                    int victim = new ArrayList<>(hashesOf.keySet()).get(r.nextInt(hashesOf.size()));
                    int removed = reg.retireBase(victim);
                    long expected = model.values().stream().filter(v -> PageRef.base(v) == victim).count();
                    model.values().removeIf(v -> PageRef.base(v) == victim);
                    hashesOf.remove(victim);
                    assertThat(removed).isEqualTo(expected);
                    assertThat(reg.isRegistered(victim)).isFalse();
                } else {
                    int base = nextBase++;
                    int node = r.nextInt(4);
                    int n = r.nextInt(0, 400);
                    long[] hashes = new long[n];
                    int[] pages = new int[n];
                    int added = 0;
                    for (int i = 0; i < n; i++) {
                        // reuse earlier hashes now and then: only unique chunks are indexed
                        hashes[i] = !every.isEmpty() && r.nextInt(5) == 0 ? every.get(r.nextInt(every.size())) : r.nextLong();
                        pages[i] = i / 5;
                        if (model.putIfAbsent(hashes[i], PageRef.pack(base, node, pages[i])) == null) {
                            added++;
                        }
                        every.add(hashes[i]);
                    }
                    hashesOf.put(base, List.of());
                    assertThat(reg.registerBase(base, node, hashes, pages, n)).isEqualTo(added);
                }
                assertThat(reg.chunkCount()).isEqualTo(model.size());
                long[] q = every.stream().mapToLong(Long::longValue).toArray();
                long[] out = new long[q.length];
                reg.lookup(q, q.length, out);
                for (int i = 0; i < q.length; i++) {
                    assertThat(out[i]).as("hash %x", q[i]).isEqualTo(model.getOrDefault(q[i], PageRef.NONE));
                }
            }
        }
    }

    @Test
    void firstPageOfAChunkWinsAndBasesCannotRegisterTwice() {
        try (OffHeapFingerprintRegistry reg = new OffHeapFingerprintRegistry()) {
            long a = 0x1111_1111_1111_1111L;
            long b = 0x2222_2222_2222_2222L;
            long c = 0x3333_3333_3333_3333L;
            assertThat(reg.registerBase(1, 0, new long[] {a, b}, new int[] {0, 1}, 2)).isEqualTo(2);
            assertThat(reg.registerBase(2, 3, new long[] {b, c}, new int[] {7, 8}, 2)).isEqualTo(1);
            long[] out = new long[3];
            reg.lookup(new long[] {a, b, c}, 3, out);
            assertThat(PageRef.unpack(out[0])).isEqualTo(new PageRef(1, 0, 0));
            assertThat(PageRef.unpack(out[1])).isEqualTo(new PageRef(1, 0, 1));
            assertThat(PageRef.unpack(out[2])).isEqualTo(new PageRef(2, 3, 8));
            assertThatThrownBy(() -> reg.registerBase(1, 0, new long[] {40}, new int[] {0}, 1))
                    .hasMessageContaining("already registered");
        }
    }

    @Test
    void growsThroughManyResizesAndStaysUnderSixteenBytesPerChunk() {
        try (OffHeapFingerprintRegistry reg = new OffHeapFingerprintRegistry(64)) {
            SplittableRandom r = new SplittableRandom(3);
            int bases = 100;
            int perBase = 10_000; // 2,000 pages of 5 sampled chunks each
            long[][] all = new long[bases][perBase];
            for (int b = 0; b < bases; b++) {
                int[] pages = new int[perBase];
                for (int i = 0; i < perBase; i++) {
                    all[b][i] = r.nextLong();
                    pages[i] = i / 5;
                }
                reg.registerBase(b, b % 16, all[b], pages, perBase);
            }
            // two random hashes agreeing on their top 36 bits count as one chunk: a handful in a million
            long lost = (long) bases * perBase - reg.chunkCount();
            assertThat(lost).isBetween(0L, 50L);
            double perChunk = (double) reg.memoryBytes() / reg.chunkCount();
            assertThat(perChunk).isLessThanOrEqualTo(16.0);
            long[] out = new long[perBase];
            long wrong = 0;
            for (int b = 0; b < bases; b++) {
                reg.lookup(all[b], perBase, out);
                for (int i = 0; i < perBase; i++) {
                    wrong += out[i] == PageRef.pack(b, b % 16, i / 5) ? 0 : 1;
                }
            }
            assertThat(wrong).isEqualTo(lost); // exactly the collided chunks answer with the other page
            // absent hashes: false positives are rare (the javadoc's estimate)
            long[] absent = new long[100_000];
            for (int i = 0; i < absent.length; i++) {
                absent[i] = r.nextLong();
            }
            long[] res = new long[absent.length];
            reg.lookup(absent, absent.length, res);
            long hits = java.util.Arrays.stream(res).filter(x -> x != PageRef.NONE).count();
            assertThat(hits).isLessThan(100);
        }
    }

    @Test
    void retiredBaseIsNeverReturnedAndItsSlotsAreReused() {
        try (OffHeapFingerprintRegistry reg = new OffHeapFingerprintRegistry(64)) {
            long[] h = new SplittableRandom(5).longs(5000).toArray();
            int[] pages = new int[h.length];
            reg.registerBase(1, 0, h, pages, h.length);
            long memory = reg.memoryBytes();
            for (int round = 0; round < 20; round++) {
                assertThat(reg.retireBase(1)).isEqualTo(5000);
                long[] out = new long[h.length];
                reg.lookup(h, h.length, out);
                assertThat(out).containsOnly(PageRef.NONE);
                assertThat(reg.registerBase(1, 0, h, pages, h.length)).isEqualTo(5000);
            }
            assertThat(reg.memoryBytes()).isLessThanOrEqualTo(memory * 2);
            assertThat(reg.retireBase(99)).isZero();
        }
    }

    @Test
    void closeIsIdempotentAndLookupsAfterItFail() {
        OffHeapFingerprintRegistry reg = new OffHeapFingerprintRegistry();
        reg.registerBase(0, 0, new long[] {1}, new int[] {0}, 1);
        reg.close();
        reg.close();
        assertThatThrownBy(() -> reg.lookup(new long[] {1}, 1, new long[1])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reg.registerBase(1, 0, new long[0], new int[0], 0)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Readers look up continuously while a writer registers (forcing resizes) and retires
     * bases: every answer is NONE or the page registered for that hash, never anything else.
     */
    @Test
    void concurrentLookupsDuringRegistrationsRetirementsAndResizes() throws Exception {
        int bases = 60;
        int perBase = 3000;
        long[][] hashes = new long[bases][perBase];
        Map<Long, Long> truth = new ConcurrentHashMap<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int b = 0; b < bases; b++) {
            for (int i = 0; i < perBase; i++) {
                hashes[b][i] = r.nextLong();
                truth.put(hashes[b][i], PageRef.pack(b, b % 4, i / 5));
            }
        }
        try (OffHeapFingerprintRegistry reg = new OffHeapFingerprintRegistry(64)) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong answered = new AtomicLong();
            CountDownLatch started = new CountDownLatch(3);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    SplittableRandom rr = new SplittableRandom(seed);
                    long[] q = new long[512];
                    long[] out = new long[512];
                    started.countDown();
                    try {
                        while (!done.get()) {
                            for (int i = 0; i < q.length; i++) {
                                q[i] = hashes[rr.nextInt(bases)][rr.nextInt(perBase)];
                            }
                            reg.lookup(q, q.length, out);
                            for (int i = 0; i < q.length; i++) {
                                if (out[i] != PageRef.NONE && out[i] != truth.get(q[i])) {
                                    throw new AssertionError("hash " + Long.toHexString(q[i]) + " gave " + Long.toHexString(out[i])
                                            + ", registered " + Long.toHexString(truth.get(q[i])));
                                }
                            }
                            answered.addAndGet(q.length);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                th.start();
                readers.add(th);
            }
            started.await();
            int[] pages = new int[perBase];
            for (int i = 0; i < perBase; i++) {
                pages[i] = i / 5;
            }
            for (int round = 0; round < 3; round++) {
                for (int b = 0; b < bases; b++) {
                    reg.registerBase(b, b % 4, hashes[b], pages, perBase);
                }
                for (int b = 0; b < bases; b++) {
                    reg.retireBase(b);
                    long[] out = new long[perBase];
                    reg.lookup(hashes[b], perBase, out);
                    assertThat(out).containsOnly(PageRef.NONE);
                }
            }
            done.set(true);
            for (Thread th : readers) {
                th.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(answered.get()).isPositive();
        }
    }
}
