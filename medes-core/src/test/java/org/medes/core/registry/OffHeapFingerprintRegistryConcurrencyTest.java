package org.medes.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Lock-free lookups racing a writer that registers, retires and thereby resizes: a reader must
 * only ever see NONE or a page registered for that hash, never a page of a base retired for the
 * whole batch, never garbage, and the JVM must not crash (freed native memory read).
 */
class OffHeapFingerprintRegistryConcurrencyTest {
    private static final int BASES = 12;
    private static final int READERS = 2;
    private static final int BATCH = 512;
    private static final long[] UNIVERSE = TestHashes.distinctKeys(21, 30_000);

    /** Whether base {@code base} has universe hash {@code i} (about three in four). */
    private static boolean includes(int base, int i) {
        return ((i * 0x9E3779B9 + base * 0x85EBCA6B) >>> 30) != 0;
    }

    private static int node(int base) {
        return base % 7;
    }

    private static int page(int i) {
        return i / 5;
    }

    private static int register(OffHeapFingerprintRegistry registry, int base) {
        List<Integer> mine = new ArrayList<>();
        for (int i = 0; i < UNIVERSE.length; i++) {
            if (includes(base, i)) {
                mine.add(i);
            }
        }
        long[] hashes = new long[mine.size()];
        int[] pages = new int[mine.size()];
        for (int j = 0; j < hashes.length; j++) {
            hashes[j] = UNIVERSE[mine.get(j)];
            pages[j] = page(mine.get(j));
        }
        return registry.registerBase(base, node(base), hashes, pages, hashes.length);
    }

    private static final class Reader extends Thread {
        private final OffHeapFingerprintRegistry registry;
        private final AtomicIntegerArray epochs;
        private final AtomicBoolean stop;
        private final AtomicReference<String> failure;
        private final boolean expectClose;
        final AtomicLong batches = new AtomicLong();
        final AtomicLong hits = new AtomicLong();
        volatile boolean sawClosed;

        Reader(int id, OffHeapFingerprintRegistry registry, AtomicIntegerArray epochs, AtomicBoolean stop,
               AtomicReference<String> failure, boolean expectClose) {
            super("registry-reader-" + id);
            this.registry = registry;
            this.epochs = epochs;
            this.stop = stop;
            this.failure = failure;
            this.expectClose = expectClose;
        }

        @Override
        public void run() {
            long[] hashes = new long[BATCH];
            long[] refs = new long[BATCH];
            int[] before = new int[BASES];
            int[] after = new int[BASES];
            int offset = (int) (getId() * 7919 % UNIVERSE.length);
            try {
                while (!stop.get()) {
                    offset = (offset + BATCH) % (UNIVERSE.length - BATCH);
                    System.arraycopy(UNIVERSE, offset, hashes, 0, BATCH);
                    for (int b = 0; b < BASES; b++) {
                        before[b] = epochs.get(b);
                    }
                    registry.lookup(hashes, BATCH, refs);
                    for (int b = 0; b < BASES; b++) {
                        after[b] = epochs.get(b);
                    }
                    for (int j = 0; j < BATCH; j++) {
                        long ref = refs[j];
                        if (ref == PageRef.NONE) {
                            continue;
                        }
                        int i = offset + j;
                        int b = PageRef.base(ref);
                        if (b >= BASES || !includes(b, i) || PageRef.node(ref) != node(b)
                                || PageRef.page(ref) != page(i)) {
                            failure.compareAndSet(null, "hash #" + i + " answered ref 0x" + Long.toHexString(ref)
                                    + " that was never registered for it");
                            return;
                        }
                        if (before[b] == after[b] && before[b] % 2 == 0) {
                            failure.compareAndSet(null, "hash #" + i + " answered base " + b
                                    + " retired for the whole batch (epoch " + before[b] + ")");
                            return;
                        }
                        hits.incrementAndGet();
                    }
                    batches.incrementAndGet();
                }
            } catch (IllegalStateException closed) {
                if (!expectClose) {
                    failure.compareAndSet(null, "unexpected " + closed);
                }
                sawClosed = true;
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, getName() + " failed: " + e);
            }
        }
    }

    @Test
    void readersSeeOnlyRegisteredPagesWhileTheWriterRegistersRetiresAndResizes() throws InterruptedException {
        AtomicIntegerArray epochs = new AtomicIntegerArray(BASES); // odd: registering or registered
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        try (var registry = OffHeapFingerprintRegistry.builder().build()) {
            List<Reader> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(new Reader(r, registry, epochs, stop, failure, false));
            }
            readers.forEach(Thread::start);

            SplittableRandom random = new SplittableRandom(5);
            boolean[] registered = new boolean[BASES];
            int operations = 0;
            for (; operations < 400 && failure.get() == null; operations++) {
                int base = random.nextInt(BASES);
                if (registered[base]) {
                    registry.retireBase(base);
                    epochs.incrementAndGet(base);
                } else {
                    epochs.incrementAndGet(base);
                    register(registry, base);
                }
                registered[base] = !registered[base];
            }
            stop.set(true);
            for (Reader reader : readers) {
                reader.join(30_000);
                assertThat(reader.isAlive()).as("%s finished", reader.getName()).isFalse();
            }

            assertThat(failure.get()).isNull();
            assertThat(operations).isEqualTo(400);
            assertThat(registry.resizeCount()).isGreaterThanOrEqualTo(50);
            for (Reader reader : readers) {
                assertThat(reader.batches.get()).as("%s batches", reader.getName()).isPositive();
                assertThat(reader.hits.get()).as("%s hits", reader.getName()).isPositive();
            }
        }
    }

    @Test
    void closingWhileReadersRunFreesOnlyAfterTheLastBatchAndThenLookupsFail() throws InterruptedException {
        AtomicIntegerArray epochs = new AtomicIntegerArray(BASES);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        var registry = OffHeapFingerprintRegistry.builder().build();
        List<Reader> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            readers.add(new Reader(r, registry, epochs, stop, failure, true));
        }
        for (int base = 0; base < 4; base++) {
            epochs.incrementAndGet(base);
            register(registry, base);
        }
        readers.forEach(Thread::start);
        for (int round = 0; round < 20; round++) { // keep resizing while the readers run
            registry.retireBase(round % 4);
            epochs.incrementAndGet(round % 4);
            epochs.incrementAndGet(round % 4);
            register(registry, round % 4);
        }
        registry.close();
        for (Reader reader : readers) {
            reader.join(30_000);
            assertThat(reader.isAlive()).as("%s finished", reader.getName()).isFalse();
        }

        assertThat(failure.get()).isNull();
        assertThat(readers).allSatisfy(reader -> assertThat(reader.sawClosed).isTrue());
    }
}
