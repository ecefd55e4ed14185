/**
 * The binding of the system's UCX (libucp.so.0, libucs.so.0; Debian libucx0 1.13) through jnr-ffi
 * that {@link org.medes.rdma.UcxPageFetcher} and {@link org.medes.rdma.UcxPageServer} use:
 * {@link org.medes.rdma.ucx.Ucx} loads it and says why not, {@link org.medes.rdma.ucx.UcxWorker}
 * owns a context, a worker and the thread that progresses it. Internal to medes-rdma.
 */
package org.medes.rdma.ucx;
