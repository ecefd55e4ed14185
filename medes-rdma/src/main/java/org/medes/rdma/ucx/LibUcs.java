package org.medes.rdma.ucx;

/** The two functions of libucs.so.0 that Medes calls. Internal to medes-rdma. */
public interface LibUcs {
    String ucs_status_string(int status);

    /** Gives the error signals (SIGSEGV, SIGBUS, ...) back to their previous handlers: the JVM's. */
    void ucs_debug_disable_signals();
}
