package org.medes.rdma.ucx;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;

/**
 * The functions of libucp.so.0 (UCX 1.13 API) that Medes calls, bound by jnr-ffi. Handles,
 * pointers and out-parameters are passed as native addresses ({@code long}); {@code int} results
 * are {@code ucs_status_t} unless noted. Internal to medes-rdma: every call on a worker, its
 * endpoints and its requests happens on that worker's thread ({@link UcxWorker}).
 */
public interface LibUcp {
    int ucp_config_read(@In String envPrefix, @In String filename, long configOut);

    void ucp_config_release(long config);

    int ucp_config_modify(long config, @In String name, @In String value);

    /** What the header's inline {@code ucp_init} calls. */
    int ucp_init_version(int apiMajor, int apiMinor, long params, long config, long contextOut);

    void ucp_cleanup(long context);

    int ucp_worker_create(long context, long params, long workerOut);

    void ucp_worker_destroy(long worker);

    int ucp_worker_get_address(long worker, long addressOut, long lengthOut);

    void ucp_worker_release_address(long worker, long address);

    /** Returns the number of events processed (unsigned). */
    int ucp_worker_progress(long worker);

    int ucp_worker_get_efd(long worker, long fdOut);

    int ucp_worker_arm(long worker);

    /** Safe from any thread. */
    int ucp_worker_signal(long worker);

    /** Returns a request, null (done) or an error status as a pointer. */
    long ucp_worker_flush_nbx(long worker, long requestParams);

    int ucp_ep_create(long worker, long params, long epOut);

    /** Returns a request, null (done) or an error status as a pointer. */
    long ucp_ep_close_nbx(long ep, long requestParams);

    /** Returns a request, null (done) or an error status as a pointer. */
    long ucp_ep_flush_nbx(long ep, long requestParams);

    int ucp_mem_map(long context, long params, long memhOut);

    int ucp_mem_unmap(long context, long memh);

    int ucp_rkey_pack(long context, long memh, long bufferOut, long sizeOut);

    void ucp_rkey_buffer_release(long buffer);

    int ucp_ep_rkey_unpack(long ep, long buffer, long rkeyOut);

    void ucp_rkey_destroy(long rkey);

    /**
     * Returns a request, null (done at once) or an error status as a pointer. The parameters
     * struct is a {@link Pointer}: with six {@code long} arguments jnr-ffi 2.2.17 passed a wrong
     * sixth one here (UCX then saw garbage flags and answered UCS_ERR_NO_RESOURCE).
     */
    long ucp_get_nbx(long ep, long buffer, long count, long remoteAddress, long rkey, Pointer requestParams);

    int ucp_request_check_status(long request);

    void ucp_request_free(long request);
}
