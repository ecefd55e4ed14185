package org.medes.policy.trace;

/**
 * One request: when it arrives and which function of the trace it calls.
 *
 * @param timeMs   arrival time, ms since the start of the trace
 * @param function index into {@link Trace#functions()}
 */
public record Invocation(long timeMs, int function) {
}
