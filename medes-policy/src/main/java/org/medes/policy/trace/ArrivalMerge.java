package org.medes.policy.trace;

import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Merges per-function arrival processes into one time-ordered stream (ties by function index),
 * holding one process per function. Not thread-safe.
 */
final class ArrivalMerge extends Spliterators.AbstractSpliterator<Invocation> {
    private final PriorityQueue<ArrivalProcess> heap;
    private final long durationMs;

    private ArrivalMerge(List<ArrivalProcess> processes, long durationMs) {
        super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE);
        this.durationMs = durationMs;
        this.heap = new PriorityQueue<>(Math.max(1, processes.size()),
                Comparator.<ArrivalProcess>comparingLong(p -> p.next).thenComparingInt(p -> p.function));
        for (ArrivalProcess p : processes) {
            if (p != null && p.next < durationMs) {
                heap.add(p);
            }
        }
    }

    /** The arrivals before {@code durationMs} of {@code processes} (null entries: no arrivals). */
    static Stream<Invocation> stream(List<ArrivalProcess> processes, long durationMs) {
        return StreamSupport.stream(new ArrivalMerge(processes, durationMs), false);
    }

    @Override
    public boolean tryAdvance(Consumer<? super Invocation> action) {
        ArrivalProcess p = heap.poll();
        if (p == null) {
            return false;
        }
        Invocation inv = new Invocation(p.next, p.function);
        p.advance();
        if (p.next < durationMs) {
            heap.add(p);
        }
        action.accept(inv);
        return true;
    }
}
