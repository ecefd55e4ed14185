package org.medes.rdma.ucx;

import jnr.ffi.LibraryLoader;

/**
 * Loads libucp.so.0 and libucs.so.0 once (the system's UCX, Debian {@code libucx0}; no headers
 * needed) and holds the constants and struct layouts of the UCX 1.13 API that the binding uses.
 *
 * <p>Before the libraries load, {@code UCX_ERROR_SIGNALS} is set to empty in the process
 * environment, and after loading UCX's error signal handlers are removed: the JVM relies on its
 * own SIGSEGV handler (implicit null checks, safepoints), and UCX's would abort the process.
 *
 * <p>Struct layouts (x86-64, checked against the 1.13.1 headers with {@code offsetof}):
 * <pre>
 * ucp_params_t (80 B)         0: u64 field_mask   8: u64 features
 * ucp_worker_params_t (200 B) 0: u64 field_mask   8: int thread_mode
 * ucp_ep_params_t (104 B)     0: u64 field_mask   8: ptr address   16: int err_mode
 * ucp_mem_map_params_t (40 B) 0: u64 field_mask   8: ptr address   16: u64 length   24: u32 flags   28: u32 prot
 * ucp_request_param_t (72 B)  0: u32 op_attr_mask 4: u32 flags
 * struct pollfd (8 B)         0: int fd           4: short events  6: short revents
 * </pre>
 *
 * <p>Thread-safety: immutable after class initialisation.
 */
public final class Ucx {
    /** System property that disables the UCX fetcher and server. */
    public static final String DISABLED_PROPERTY = "medes.rdma.ucx.disabled";

    static final int API_MAJOR = 1;
    static final int API_MINOR = 13;

    static final int UCS_OK = 0;
    static final int UCS_INPROGRESS = 1;
    static final int UCS_ERR_BUSY = -15;
    /** Status pointers at or above -100 (as unsigned) are errors ({@code UCS_PTR_IS_ERR}). */
    static final long UCS_ERR_LAST = -100;

    static final int PARAMS_BYTES = 80;
    static final long PARAM_FIELD_FEATURES = 1;
    static final long FEATURE_RMA = 1 << 1;
    static final long FEATURE_WAKEUP = 1 << 4;

    static final int WORKER_PARAMS_BYTES = 200;
    static final long WORKER_PARAM_FIELD_THREAD_MODE = 1;
    static final int THREAD_MODE_SINGLE = 0;

    static final int EP_PARAMS_BYTES = 104;
    static final long EP_PARAM_FIELD_REMOTE_ADDRESS = 1;
    static final long EP_PARAM_FIELD_ERR_HANDLING_MODE = 1 << 1;
    static final int ERR_HANDLING_MODE_PEER = 1;

    static final int MEM_MAP_PARAMS_BYTES = 40;
    static final long MEM_MAP_PARAM_FIELD_ADDRESS = 1;
    static final long MEM_MAP_PARAM_FIELD_LENGTH = 1 << 1;
    static final long MEM_MAP_PARAM_FIELD_PROT = 1 << 3;
    static final int MEM_MAP_PROT_LOCAL_READ = 1;
    static final int MEM_MAP_PROT_LOCAL_WRITE = 1 << 1;
    static final int MEM_MAP_PROT_REMOTE_READ = 1 << 8;

    static final int REQUEST_PARAM_BYTES = 72;
    static final int OP_ATTR_FIELD_FLAGS = 1 << 4;
    static final int EP_CLOSE_FLAG_FORCE = 1;

    static final short POLLIN = 1;

    private static final LibUcp UCP;
    private static final LibUcs UCS;
    private static final LibC LIBC;
    private static final Throwable LOAD_FAILURE;

    static {
        LibUcp ucp = null;
        LibUcs ucs = null;
        LibC libc = null;
        Throwable failure = null;
        try {
            libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
            libc.setenv("UCX_ERROR_SIGNALS", "", 1);
            ucs = LibraryLoader.create(LibUcs.class).failImmediately().load("libucs.so.0");
            ucp = LibraryLoader.create(LibUcp.class).failImmediately().load("libucp.so.0");
            ucs.ucs_debug_disable_signals();
        } catch (Throwable t) {
            failure = new UnsatisfiedLinkError("cannot load UCX (libucp.so.0, libucs.so.0 of Debian package libucx0; "
                    + "scripts/setup.sh installs it): " + t.getMessage());
            failure.initCause(t);
            ucp = null;
        }
        UCP = ucp;
        UCS = ucs;
        LIBC = libc;
        LOAD_FAILURE = failure;
    }

    private Ucx() {
    }

    /** Why UCX cannot be used here (kill switch, library not found), or null when it can. */
    public static Throwable unavailabilityCause() {
        if (Boolean.getBoolean(DISABLED_PROPERTY)) {
            return new UnsupportedOperationException("UCX disabled by -D" + DISABLED_PROPERTY + "=true");
        }
        return LOAD_FAILURE;
    }

    static LibUcp ucp() {
        if (UCP == null) {
            throw new IllegalStateException("UCX is not available", LOAD_FAILURE);
        }
        return UCP;
    }

    static LibC libc() {
        return LIBC;
    }

    /** UCX's name for {@code status}, e.g. "Connection reset by remote peer". */
    public static String statusString(int status) {
        return UCS == null ? "status " + status : UCS.ucs_status_string(status) + " (" + status + ")";
    }

    /** Whether a {@code ucs_status_ptr_t} is an error status. */
    static boolean isError(long statusPointer) {
        return statusPointer < 0 && statusPointer >= UCS_ERR_LAST;
    }

    /** Throws {@link UcxException} naming {@code call} unless {@code status} is UCS_OK. */
    static void check(int status, String call) {
        if (status != UCS_OK) {
            throw new UcxException(call + " failed: " + statusString(status), status);
        }
    }
}
