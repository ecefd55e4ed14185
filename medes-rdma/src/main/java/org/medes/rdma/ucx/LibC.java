package org.medes.rdma.ucx;

import jnr.ffi.annotations.In;

/** The libc functions the UCX binding needs. Internal to medes-rdma. */
public interface LibC {
    int setenv(@In String name, @In String value, int overwrite);

    /** {@code poll(2)} on {@code nfds} {@code struct pollfd} at {@code fds}. */
    int poll(long fds, long nfds, int timeoutMillis);
}
