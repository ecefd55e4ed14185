package org.medes.rdma.ucx;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.medes.core.page.OffHeap;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One UCX context and one worker (features RMA and WAKEUP, single-threaded) owned by one daemon
 * thread, which runs submitted tasks and progresses the worker; when idle it sleeps on the
 * worker's event fd ({@code ucp_worker_arm} + {@code poll}), woken by {@code ucp_worker_signal}.
 * Every method below except {@link #execute}, {@link #call}, {@link #address()} and
 * {@link #close()} must be called on that thread (from a task or the {@link Loop}).
 *
 * <p>Thread-safety: {@link #execute}, {@link #call} and {@link #close()} are thread-safe; the rest
 * is confined to the worker thread.
 */
public final class UcxWorker implements AutoCloseable {
    /** Spin on progress this long before sleeping while requests are outstanding. */
    private static final long SPIN_NANOS = 30_000;
    /** How long {@link #destroy()} lets messages already queued go out before destroying the worker. */
    private static final long DRAIN_NANOS = 200_000_000;

    /** What the worker thread does besides tasks: check requests, enforce deadlines. */
    public interface Loop {
        /** Called on the worker thread after each round of progress. */
        void progressed();

        /** {@link System#nanoTime()} of the next deadline, or {@link Long#MAX_VALUE}. */
        long nextDeadline();

        /** Whether requests are outstanding (the thread spins briefly before sleeping). */
        boolean busy();
    }

    private static final Loop IDLE = new Loop() {
        @Override
        public void progressed() {
        }

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean busy() {
            return false;
        }
    };

    private final LibUcp ucp = Ucx.ucp();
    private final Runtime runtime = Runtime.getRuntime(ucp);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private final Thread thread;
    private final Map<String, String> config;
    private volatile Loop loop = IDLE;
    private volatile boolean stopping;
    /** Guards {@link #worker} between a signal from another thread and its destruction. */
    private final Object signalLock = new Object();
    private volatile long worker;
    private long context;
    private int efd;
    private byte[] address;
    /** 64 bytes for out-parameters and the pollfd. */
    private final Pointer scratch;
    private final long out;
    /** A zeroed ucp_request_param_t for gets, and one asking for a forced close. */
    private final Pointer params;
    private final long getParams;
    private final long forceCloseParams;

    private UcxWorker(String name, Map<String, String> config) {
        this.config = Map.copyOf(config);
        this.scratch = Memory.allocateDirect(runtime, 64, true);
        this.out = scratch.address();
        this.params = Memory.allocateDirect(runtime, 2 * Ucx.REQUEST_PARAM_BYTES, true);
        this.getParams = params.address();
        this.forceCloseParams = getParams + Ucx.REQUEST_PARAM_BYTES;
        OffHeap.zero(getParams, 2 * Ucx.REQUEST_PARAM_BYTES);
        OffHeap.putInt(forceCloseParams, Ucx.OP_ATTR_FIELD_FLAGS);
        OffHeap.putInt(forceCloseParams + 4, Ucx.EP_CLOSE_FLAG_FORCE);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /**
     * Starts a worker thread named {@code name}; {@code config} holds UCX settings by their names
     * without the {@code UCX_} prefix (e.g. {@code TLS=tcp}), applied over the environment's.
     *
     * @throws UcxException when UCX refuses the configuration or cannot create the worker
     */
    public static UcxWorker start(String name, Map<String, String> config) {
        Throwable why = Ucx.unavailabilityCause();
        if (why != null) {
            throw new IllegalStateException("UCX is not available: " + why.getMessage(), why);
        }
        UcxWorker w = new UcxWorker(name, config);
        w.thread.start();
        try {
            w.started.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            w.close();
            throw new IllegalStateException("interrupted while starting UCX", e);
        }
        return w;
    }

    /** Sets what the thread does after each round of progress. */
    public void loop(Loop l) {
        this.loop = Objects.requireNonNull(l);
        signal();
    }

    /** This worker's address (what a peer needs to create an endpoint to it). */
    public byte[] address() {
        return address.clone();
    }

    /** Whether the caller runs on the worker thread. */
    public boolean inWorkerThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the worker thread. */
    public void execute(Runnable task) {
        if (stopping) {
            throw new RejectedExecutionException("UCX worker " + thread.getName() + " is closed");
        }
        tasks.add(task);
        signal();
    }

    /** Runs {@code task} on the worker thread and waits for its result. */
    public <T> T call(Callable<T> task) {
        if (inWorkerThread()) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            while (true) {
                try {
                    return f.get(100, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    if (stopped.isDone() && !f.isDone()) {
                        throw new RejectedExecutionException("UCX worker " + thread.getName() + " is closed");
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void signal() {
        synchronized (signalLock) {
            if (worker != 0) {
                ucp.ucp_worker_signal(worker);
            }
        }
    }

    private void run() {
        try {
            init();
            started.complete(null);
        } catch (Throwable t) {
            destroy();
            started.completeExceptionally(t);
            stopped.complete(null);
            return;
        }
        try {
            while (!stopping) {
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                while (ucp.ucp_worker_progress(worker) != 0) {
                    // drain events
                }
                Loop l = loop;
                l.progressed();
                if (!tasks.isEmpty() || stopping) {
                    continue;
                }
                if (l.busy() && spin(l)) {
                    continue;
                }
                int st = ucp.ucp_worker_arm(worker);
                if (st == Ucx.UCS_ERR_BUSY || !tasks.isEmpty()) {
                    continue;
                }
                long deadline = l.nextDeadline();
                int timeout = -1;
                if (deadline != Long.MAX_VALUE) {
                    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1;
                    timeout = (int) Math.max(0, Math.min(ms, 60_000));
                }
                if (st != Ucx.UCS_OK) {
                    timeout = timeout < 0 ? 1 : Math.min(timeout, 1);
                }
                OffHeap.putInt(out, efd);
                OffHeap.putInt(out + 4, Ucx.POLLIN);
                Ucx.libc().poll(out, 1, timeout);
            }
        } finally {
            Runnable t;
            while ((t = tasks.poll()) != null) {
                try {
                    t.run();
                } catch (RuntimeException ignored) {
                    // the worker is going away; the task's owner learns it through its own state
                }
            }
            destroy();
            stopped.complete(null);
        }
    }

    /** Progresses for up to {@link #SPIN_NANOS}; true when something happened. */
    private boolean spin(Loop l) {
        long end = System.nanoTime() + SPIN_NANOS;
        while (System.nanoTime() < end && tasks.isEmpty() && !stopping) {
            if (ucp.ucp_worker_progress(worker) != 0) {
                l.progressed();
                return true;
            }
            Thread.onSpinWait();
        }
        return !tasks.isEmpty();
    }

    private void init() {
        Ucx.check(ucp.ucp_config_read(null, null, out), "ucp_config_read");
        long cfg = OffHeap.getLong(out);
        try {
            for (Map.Entry<String, String> e : config.entrySet()) {
                Ucx.check(ucp.ucp_config_modify(cfg, e.getKey(), e.getValue()),
                        "ucp_config_modify(" + e.getKey() + "=" + e.getValue() + ")");
            }
            Pointer p = Memory.allocateDirect(runtime, Ucx.PARAMS_BYTES, true);
            p.putLong(0, Ucx.PARAM_FIELD_FEATURES);
            p.putLong(8, Ucx.FEATURE_RMA | Ucx.FEATURE_WAKEUP);
            Ucx.check(ucp.ucp_init_version(Ucx.API_MAJOR, Ucx.API_MINOR, p.address(), cfg, out), "ucp_init_version");
            context = OffHeap.getLong(out);
        } finally {
            ucp.ucp_config_release(cfg);
        }
        Pointer wp = Memory.allocateDirect(runtime, Ucx.WORKER_PARAMS_BYTES, true);
        wp.putLong(0, Ucx.WORKER_PARAM_FIELD_THREAD_MODE);
        wp.putInt(8, Ucx.THREAD_MODE_SINGLE);
        Ucx.check(ucp.ucp_worker_create(context, wp.address(), out), "ucp_worker_create");
        long w = OffHeap.getLong(out);
        Ucx.check(ucp.ucp_worker_get_efd(w, out), "ucp_worker_get_efd");
        efd = OffHeap.getInt(out);
        Ucx.check(ucp.ucp_worker_get_address(w, out, out + 8), "ucp_worker_get_address");
        long a = OffHeap.getLong(out);
        address = new byte[(int) OffHeap.getLong(out + 8)];
        OffHeap.copyToArray(a, address, 0, address.length);
        ucp.ucp_worker_release_address(w, a);
        worker = w;
    }

    private void destroy() {
        long w;
        synchronized (signalLock) {
            w = worker;
            worker = 0;
        }
        if (w != 0) {
            if (!drain(w)) {
                // a message is still queued: libucx 1.13 would abort the JVM purging it, so the
                // worker and its context are left behind rather than destroyed
                context = 0;
                return;
            }
            ucp.ucp_worker_destroy(w);
        }
        if (context != 0) {
            ucp.ucp_cleanup(context);
            context = 0;
        }
    }

    /**
     * Flushes every endpoint of worker {@code w}, including those UCX made itself to answer a
     * peer's connection, for up to {@link #DRAIN_NANOS}; true when all of it went out (or failed
     * for good). libucx 1.13 aborts the process (an assertion in {@code ucp_request_send_state_ff})
     * when {@code ucp_worker_destroy} finds a connection reply still queued on a TCP endpoint,
     * which happened once in about fifteen test-suite runs when a worker closed right after a
     * peer connected.
     */
    private boolean drain(long w) {
        long r = ucp.ucp_worker_flush_nbx(w, getParams);
        if (r == 0 || Ucx.isError(r)) {
            return true;
        }
        long end = System.nanoTime() + DRAIN_NANOS;
        int status;
        while ((status = ucp.ucp_request_check_status(r)) == Ucx.UCS_INPROGRESS && System.nanoTime() < end) {
            ucp.ucp_worker_progress(w);
        }
        if (status == Ucx.UCS_INPROGRESS) {
            return false;
        }
        ucp.ucp_request_free(r);
        return true;
    }

    // ---- worker-thread operations ----

    /** Creates an endpoint to the worker at {@code remoteAddress}, with peer failure handling. */
    public long connect(byte[] remoteAddress) {
        Pointer a = Memory.allocateDirect(runtime, remoteAddress.length, true);
        a.put(0, remoteAddress, 0, remoteAddress.length);
        Pointer p = Memory.allocateDirect(runtime, Ucx.EP_PARAMS_BYTES, true);
        p.putLong(0, Ucx.EP_PARAM_FIELD_REMOTE_ADDRESS | Ucx.EP_PARAM_FIELD_ERR_HANDLING_MODE);
        p.putLong(8, a.address());
        p.putInt(16, Ucx.ERR_HANDLING_MODE_PEER);
        Ucx.check(ucp.ucp_ep_create(worker, p.address(), out), "ucp_ep_create");
        return OffHeap.getLong(out);
    }

    /**
     * Closes {@code ep} by force: every request on it completes (cancelled) before this returns,
     * or when {@code timeoutNanos} has passed.
     */
    public void closeByForce(long ep, long timeoutNanos) {
        long r = ucp.ucp_ep_close_nbx(ep, forceCloseParams);
        if (r == 0 || Ucx.isError(r)) {
            return;
        }
        long end = System.nanoTime() + timeoutNanos;
        while (ucp.ucp_request_check_status(r) == Ucx.UCS_INPROGRESS && System.nanoTime() < end) {
            ucp.ucp_worker_progress(worker);
        }
        ucp.ucp_request_free(r);
    }

    /**
     * Starts flushing {@code ep}, which completes once its connection is wired up (UCX's
     * software-emulated gets need the peer's endpoint id first): a request, 0, or an error status.
     */
    public long flush(long ep) {
        return ucp.ucp_ep_flush_nbx(ep, getParams);
    }

    /** Progresses the worker once; returns the number of events. */
    public int progress() {
        return ucp.ucp_worker_progress(worker);
    }

    /**
     * Starts a one-sided read of {@code length} bytes at {@code remoteAddress} (covered by
     * {@code rkey}) into {@code destination}: a request to check, 0 when done at once, or an
     * error status (see {@link #isError}).
     */
    public long get(long ep, long destination, long length, long remoteAddress, long rkey) {
        return ucp.ucp_get_nbx(ep, destination, length, remoteAddress, rkey, params);
    }

    /** Whether a value returned by {@link #get} is an error status. */
    public static boolean isError(long statusPointer) {
        return Ucx.isError(statusPointer);
    }

    /** {@code ucs_status_t} of a request: {@link #inProgress} or final. */
    public int status(long request) {
        return ucp.ucp_request_check_status(request);
    }

    /** Whether {@code status} means still in progress. */
    public static boolean inProgress(int status) {
        return status == Ucx.UCS_INPROGRESS;
    }

    public void free(long request) {
        ucp.ucp_request_free(request);
    }

    /** Registers {@code length} bytes at {@code address} for local access and remote reads; returns the memory handle. */
    public long memMap(long address, long length) {
        Pointer p = Memory.allocateDirect(runtime, Ucx.MEM_MAP_PARAMS_BYTES, true);
        p.putLong(0, Ucx.MEM_MAP_PARAM_FIELD_ADDRESS | Ucx.MEM_MAP_PARAM_FIELD_LENGTH | Ucx.MEM_MAP_PARAM_FIELD_PROT);
        p.putLong(8, address);
        p.putLong(16, length);
        p.putInt(28, Ucx.MEM_MAP_PROT_LOCAL_READ | Ucx.MEM_MAP_PROT_LOCAL_WRITE | Ucx.MEM_MAP_PROT_REMOTE_READ);
        Ucx.check(ucp.ucp_mem_map(context, p.address(), out), "ucp_mem_map");
        return OffHeap.getLong(out);
    }

    /** The packed remote key of {@code memh}, to send to a reader. */
    public byte[] packKey(long memh) {
        Ucx.check(ucp.ucp_rkey_pack(context, memh, out, out + 8), "ucp_rkey_pack");
        long buf = OffHeap.getLong(out);
        byte[] key = new byte[(int) OffHeap.getLong(out + 8)];
        OffHeap.copyToArray(buf, key, 0, key.length);
        ucp.ucp_rkey_buffer_release(buf);
        return key;
    }

    public void memUnmap(long memh) {
        Ucx.check(ucp.ucp_mem_unmap(context, memh), "ucp_mem_unmap");
    }

    /** Unpacks a remote key received from the server of {@code ep}. */
    public long unpackKey(long ep, byte[] packed) {
        Pointer b = Memory.allocateDirect(runtime, packed.length, true);
        b.put(0, packed, 0, packed.length);
        Ucx.check(ucp.ucp_ep_rkey_unpack(ep, b.address(), out), "ucp_ep_rkey_unpack");
        return OffHeap.getLong(out);
    }

    public void destroyKey(long rkey) {
        ucp.ucp_rkey_destroy(rkey);
    }

    /** Stops the thread after the tasks already queued, then destroys the worker and context; idempotent. */
    @Override
    public void close() {
        if (!stopping) {
            stopping = true;
            signal();
        }
        if (!inWorkerThread() && thread.isAlive()) {
            stopped.join();
        }
    }
}
