package org.medes.rdma.disni;

import org.medes.core.page.PageSize;
import org.medes.rdma.PageBatch;
import org.medes.rdma.PageFetchException;
import org.medes.rdma.PageFetchException.Reason;
import org.medes.rdma.PageFetcher;
import org.medes.rdma.SharedSecret;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads pages from a {@link DisniPageServer} with one-sided RDMA READs (DiSNI,
 * {@code IBV_WR_RDMA_READ}): the server's CPU is not involved. Regions are described once over
 * the authenticated key channel and cached; every read is checked client-side against the
 * description (key, page range) before anything is posted; a batch is planned into work requests
 * of at most {@value #MAX_WR_BYTES} bytes ({@link ReadPlan}), at most
 * {@link DisniConnection#MAX_WR} outstanding. The destination is registered with the device for
 * the batch and deregistered before the future completes, so the device writes nothing there
 * afterwards; a failed read, a passed deadline or {@link #close()} tears the queue pair down
 * first (flushing what is outstanding), and the next batch connects again.
 * Kill switch: {@code -Dmedes.rdma.disni.disabled=true}.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class DisniPageFetcher implements PageFetcher {
    /** System property that disables this fetcher. */
    public static final String DISABLED_PROPERTY = DisniAvailability.DISABLED_PROPERTY;
    static final long MAX_WR_BYTES = 1 << 20;
    /** Pages per registration of the destination (1 GiB: a registration's length is an int). */
    static final int LOCAL_CHUNK_PAGES = 1 << 18;
    private static final int CONNECT_MILLIS = 5000;

    private final InetSocketAddress keyChannel;
    private final byte[] secret;
    private final ExecutorService control;
    private final ScheduledExecutorService timers;
    private final Map<Long, RemoteRegion> described = new ConcurrentHashMap<>();
    /** Guarded by this. */
    private final Map<Long, Pending> outstanding = new HashMap<>();
    /** Guarded by this. */
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** Control-thread confined. */
    private KeyClient keys;
    /** Written on the control thread, read under this. */
    private DisniConnection connection;
    private long nextWrId;
    private volatile boolean closed;

    private DisniPageFetcher(InetSocketAddress keyChannel, byte[] secret) {
        this.keyChannel = Objects.requireNonNull(keyChannel, "keyChannel");
        this.secret = SharedSecret.check(secret);
        this.control = Executors.newSingleThreadExecutor(daemon("medes-disni-fetcher"));
        this.timers = Executors.newSingleThreadScheduledExecutor(daemon("medes-disni-deadlines"));
    }

    /** A fetcher for the page server whose key channel listens at {@code keyChannel}; connects on first use. */
    public static DisniPageFetcher create(InetSocketAddress keyChannel, byte[] secret) {
        return new DisniPageFetcher(keyChannel, secret);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String name() {
        return "disni";
    }

    @Override
    public Throwable unavailabilityCause() {
        return DisniAvailability.unavailabilityCause();
    }

    /** One batch in flight. Fields guarded by the fetcher's monitor, except the future. */
    private final class Op {
        final PageBatch batch;
        final long destination;
        final Duration timeout;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final List<DisniConnection.Registration> registrations = new ArrayList<>();
        ReadPlan plan;
        int remaining;
        int posted;
        boolean done;
        ScheduledFuture<?> timer;

        Op(PageBatch batch, long destination, Duration timeout) {
            this.batch = batch;
            this.destination = destination;
            this.timeout = timeout;
        }
    }

    private record Pending(Op op, int w) {
    }

    @Override
    public CompletableFuture<Void> fetch(PageBatch batch, long destination, long capacity, Duration timeout) {
        CompletableFuture<Void> settled = batch.settledWithoutReading(capacity);
        if (settled != null) {
            return settled;
        }
        int n = batch.size();
        Op op = new Op(batch, destination, timeout);
        Throwable why = unavailabilityCause();
        if (closed || why != null) {
            fail(op, closed ? Reason.CLOSED : Reason.CONNECTION, 0, n, closed ? "fetcher closed" : why.getMessage(), why);
            return op.future;
        }
        try {
            op.timer = timers.schedule(() -> control.execute(() -> expire(op)), timeout.toNanos(), TimeUnit.NANOSECONDS);
            control.execute(() -> start(op));
        } catch (RejectedExecutionException e) {
            fail(op, Reason.CLOSED, 0, n, "fetcher closed", e);
        }
        return op.future;
    }

    /** Control thread: describe, plan, connect, register, post. */
    private void start(Op op) {
        PageBatch b = op.batch;
        int n = b.size();
        if (closed) {
            fail(op, Reason.CLOSED, 0, n, "fetcher closed", null);
            return;
        }
        try {
            describe(b);
            op.plan = ReadPlan.of(b, described, MAX_WR_BYTES, LOCAL_CHUNK_PAGES);
            if (connection == null || !connection.isConnected()) {
                DisniConnection old = connection;
                if (old != null) {
                    old.close();
                }
                connection = DisniConnection.connect(keys.rdmaAddress(), CONNECT_MILLIS, this::completed);
            }
            for (int from = 0; from < n; from += LOCAL_CHUNK_PAGES) {
                int pages = Math.min(LOCAL_CHUNK_PAGES, n - from);
                op.registrations.add(connection.register(op.destination + ((long) from << PageSize.SHIFT),
                        pages << PageSize.SHIFT));
            }
        } catch (PageFetchException e) {
            finish(op, e);
            return;
        } catch (KeyClient.Refused e) {
            dropKeys();
            fail(op, Reason.AUTHENTICATION, 0, n, e.getMessage(), e);
            return;
        } catch (IOException | RuntimeException e) {
            dropKeys();
            fail(op, Reason.CONNECTION, 0, n, "cannot reach the page server at " + keyChannel + ": " + e.getMessage(), e);
            return;
        }
        synchronized (this) {
            if (op.done) {
                return;
            }
            op.remaining = op.plan.size();
            for (int w = 0; w < op.plan.size(); w++) {
                waiting.add(new Pending(op, w));
            }
        }
        pump();
    }

    /** Describes every region of {@code b} not yet described under the key {@code b} presents. */
    private void describe(PageBatch b) throws IOException, PageFetchException {
        for (int i = 0; i < b.size(); i++) {
            RemoteRegion r = described.get(b.region(i));
            if (r != null && r.key() == b.key(i)) {
                continue;
            }
            if (keys == null || !keys.isOpen()) {
                keys = KeyClient.connect(keyChannel, secret, CONNECT_MILLIS);
            }
            try {
                described.put(b.region(i), keys.describe(b.region(i), b.key(i)));
            } catch (PageFetchException e) {
                described.remove(b.region(i));
                throw new PageFetchException(e.reason(), b.region(i), new int[] {b.page(i)}, stripPrefix(e), null);
            }
        }
    }

    private static String stripPrefix(PageFetchException e) {
        String m = e.getMessage();
        int at = m.indexOf(": ", m.indexOf("pages"));
        return at < 0 ? m : m.substring(at + 2);
    }

    private void dropKeys() {
        if (keys != null) {
            keys.close();
            keys = null;
        }
    }

    /** Posts waiting work requests while fewer than MAX_WR are outstanding. */
    private void pump() {
        List<DisniConnection.Read> reads = new ArrayList<>();
        DisniConnection c;
        synchronized (this) {
            c = connection;
            while (outstanding.size() + reads.size() < DisniConnection.MAX_WR && !waiting.isEmpty()) {
                Pending p = waiting.poll();
                if (p.op.done) {
                    continue;
                }
                ReadPlan plan = p.op.plan;
                long id = nextWrId++;
                int chunk = plan.from(p.w) / LOCAL_CHUNK_PAGES;
                reads.add(new DisniConnection.Read(id, p.op.destination + plan.localOffset(p.w), plan.bytes(p.w),
                        p.op.registrations.get(chunk).lkey(), plan.remote(p.w), plan.rkey(p.w)));
                outstanding.put(id, p);
                p.op.posted++;
            }
        }
        if (reads.isEmpty() || c == null) {
            return;
        }
        try {
            c.post(reads);
        } catch (IOException | RuntimeException e) {
            control.execute(() -> reset("posting RDMA READs failed: " + e.getMessage(), null));
        }
    }

    /** DiSNI's completion thread: one work request finished. */
    private void completed(long wrId, boolean ok, String status) {
        Pending p;
        boolean batchDone = false;
        synchronized (this) {
            p = outstanding.remove(wrId);
            if (p == null) {
                return;
            }
            if (ok && !p.op.done && --p.op.remaining == 0) {
                p.op.done = true;
                batchDone = true;
            }
        }
        if (!ok) {
            Pending failed = p;
            control.execute(() -> reset(status, failed));
            return;
        }
        if (batchDone) {
            control.execute(() -> succeed(p.op));
        }
        pump();
    }

    private void succeed(Op op) {
        op.registrations.forEach(DisniConnection.Registration::close);
        if (op.timer != null) {
            op.timer.cancel(false);
        }
        op.future.complete(null);
    }

    /**
     * Control thread: a read failed (or posting did): tears the queue pair down so the device
     * writes nothing more, then fails every batch that had reads on it.
     */
    private void reset(String status, Pending failed) {
        List<Op> hit = new ArrayList<>();
        synchronized (this) {
            if (failed != null && !failed.op.done) {
                hit.add(failed.op);
            }
            for (Pending p : outstanding.values()) {
                if (!p.op.done && !hit.contains(p.op)) {
                    hit.add(p.op);
                }
            }
            outstanding.clear();
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
        boolean access = status.startsWith("IBV_WC_REM_ACCESS") || status.startsWith("IBV_WC_REM_INV");
        for (Op op : hit) {
            boolean theOne = failed != null && op == failed.op;
            int from = theOne ? op.plan.from(failed.w) : 0;
            int to = theOne ? op.plan.to(failed.w) : op.batch.size();
            if (theOne && access) {
                for (int i = from; i < to; i++) {
                    described.remove(op.batch.region(i));
                }
                fail(op, Reason.UNKNOWN_REGION, from, to, "the page server refused the RDMA READ (" + status
                        + "): region withdrawn or its registration revoked", null);
            } else {
                fail(op, Reason.CONNECTION, from, to, theOne ? "RDMA READ failed: " + status
                        : "RDMA connection reset after another batch's read failed (" + status + ")", null);
            }
        }
    }

    /** Control thread: the deadline of {@code op} passed. */
    private void expire(Op op) {
        boolean inFlight;
        synchronized (this) {
            if (op.done) {
                return;
            }
            inFlight = outstanding.values().stream().anyMatch(p -> p.op == op);
        }
        int n = op.batch.size();
        String detail = "deadline of " + op.timeout.toMillis() + " ms passed";
        if (inFlight) {
            reset("deadline of another batch", null);
        }
        fail(op, Reason.DEADLINE, 0, n, detail, null);
    }

    private void fail(Op op, Reason reason, int from, int to, String detail, Throwable cause) {
        long region = op.batch.size() == 0 ? -1 : op.batch.region(Math.min(from, op.batch.size() - 1));
        finish(op, new PageFetchException(reason, region, op.batch.pagesOf(region, from, Math.max(from, to)), detail, cause));
    }

    /** Deregisters the destination (after the queue pair is gone when reads were out), then fails the future. */
    private void finish(Op op, PageFetchException e) {
        synchronized (this) {
            op.done = true;
        }
        op.registrations.forEach(DisniConnection.Registration::close);
        if (op.timer != null) {
            op.timer.cancel(false);
        }
        op.future.completeExceptionally(e);
    }

    /** Fails batches in flight with CLOSED after tearing the queue pair down; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            control.submit(() -> {
                List<Op> ops = new ArrayList<>();
                synchronized (this) {
                    outstanding.values().forEach(p -> ops.add(p.op));
                    waiting.forEach(p -> ops.add(p.op));
                    outstanding.clear();
                    waiting.clear();
                }
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                dropKeys();
                for (Op op : ops) {
                    if (!op.future.isDone()) {
                        fail(op, Reason.CLOSED, 0, op.batch.size(), "fetcher closed", null);
                    }
                }
            }).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // shutting down anyway
        }
        control.shutdownNow();
        timers.shutdownNow();
    }

    @Override
    public String toString() {
        return "DisniPageFetcher[" + keyChannel + "]";
    }
}
