package org.medes.policy.trace;

import java.util.List;
import java.util.stream.Stream;

/**
 * A stream of invocations in time order over a fixed list of functions.
 *
 * <p>{@link #invocations()} may be called once; it streams, so a trace of many days is never held
 * in memory whole. Close the stream (or the trace) to release files.
 */
public interface Trace extends AutoCloseable {

    /** The functions, indexed by {@link Invocation#function()}. */
    List<TraceFunction> functions();

    /** Length of the trace, ms; every invocation's time is below it. */
    long durationMs();

    /** The invocations in non-decreasing time order. */
    Stream<Invocation> invocations();

    @Override
    default void close() {
    }
}
