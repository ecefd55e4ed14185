package org.medes.policy.sim;

/** One invocation on its way through the simulated cluster. */
final class Request {
    final int function;
    final long arrivalMs;
    StartKind kind;
    boolean waited;
    boolean done;

    Request(int function, long arrivalMs) {
        this.function = function;
        this.arrivalMs = arrivalMs;
    }
}
