package org.medes.rdma;

import org.medes.core.page.PageSize;
import org.medes.rdma.ucx.Ucx;
import org.medes.rdma.ucx.UcxWorker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Reads pages from a {@link UcxPageServer} with one-sided UCX reads ({@code ucp_get_nbx}) into
 * the caller's memory, through libucp.so.0 bound by jnr-ffi. A TCP side channel authenticates
 * with the shared secret, brings the server's UCX worker address and, per region, its page count
 * and packed remote keys (asked once per region, with the region's access key). A batch is
 * checked in full before any read is issued (unknown region, wrong key, page out of range: the
 * whole batch fails and nothing is read); then one get per stretch of pages contiguous on both
 * sides. Kill switch: {@code -Dmedes.rdma.ucx.disabled=true}.
 *
 * <p>UCX cannot cancel a single get: when a batch's deadline passes with gets in flight, or a get
 * fails, the endpoint is closed by force (which completes every get on it) and every batch on it
 * fails; the next fetch connects again. A dropped side channel does the same. So a failed
 * batch's destination is never written after its future completes.
 *
 * <p>Futures complete on the fetcher's UCX thread: dependent stages that block must use the
 * {@code *Async} variants.
 *
 * <p>Thread-safety: thread-safe; all UCX and connection state lives on one thread.
 */
public final class UcxPageFetcher implements PageFetcher {
    /** System property that disables this fetcher (and the UCX server). */
    public static final String DISABLED_PROPERTY = Ucx.DISABLED_PROPERTY;
    private static final long CLOSE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final InetSocketAddress server;
    private final byte[] secret;
    private final Throwable unavailable;
    private final UcxWorker worker;
    private volatile boolean closed;
    /** Worker-confined from here on. */
    private Connection connection;
    private final List<Op> ops = new ArrayList<>();
    private int nextLookupId;

    private UcxPageFetcher(InetSocketAddress server, byte[] secret, Map<String, String> ucxConfig) {
        this.server = Objects.requireNonNull(server, "server");
        this.secret = SharedSecret.check(secret);
        Throwable why = Ucx.unavailabilityCause();
        UcxWorker w = null;
        if (why == null) {
            try {
                w = UcxWorker.start("medes-ucx-page-fetcher", ucxConfig);
            } catch (RuntimeException e) {
                why = e;
            }
        }
        this.unavailable = why;
        this.worker = w;
        if (w != null) {
            w.loop(new Progress());
        }
    }

    /** A fetcher for the server whose side channel is at {@code server}; connects on first use. */
    public static UcxPageFetcher create(InetSocketAddress server, byte[] secret) {
        return create(server, secret, Map.of());
    }

    /** As {@link #create(InetSocketAddress, byte[])}, with UCX settings by name without the {@code UCX_} prefix. */
    public static UcxPageFetcher create(InetSocketAddress server, byte[] secret, Map<String, String> ucxConfig) {
        return new UcxPageFetcher(server, secret, ucxConfig);
    }

    @Override
    public String name() {
        return "ucx";
    }

    @Override
    public Throwable unavailabilityCause() {
        Throwable why = Ucx.unavailabilityCause();
        return why != null ? why : unavailable;
    }

    @Override
    public CompletableFuture<Void> fetch(PageBatch batch, long destination, long capacity, Duration timeout) {
        CompletableFuture<Void> settled = batch.settledWithoutReading(capacity);
        if (settled != null) {
            return settled;
        }
        int n = batch.size();
        Op op = new Op(batch, destination, timeout);
        if (worker == null) {
            return CompletableFuture.failedFuture(batch.failure(PageFetchException.Reason.CONNECTION, 0, n,
                    "UCX is not available: " + unavailable.getMessage(), unavailable));
        }
        if (closed) {
            return CompletableFuture.failedFuture(batch.failure(PageFetchException.Reason.CLOSED, 0, n, "fetcher closed", null));
        }
        try {
            worker.execute(() -> admit(op));
        } catch (RejectedExecutionException e) {
            op.future.completeExceptionally(batch.failure(PageFetchException.Reason.CLOSED, 0, n, "fetcher closed", e));
        }
        return op.future;
    }

    /** Fails batches in flight with CLOSED (after their gets are cancelled) and stops the UCX thread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (worker == null) {
            return;
        }
        try {
            worker.call(() -> {
                if (connection != null) {
                    connection.reset(PageFetchException.Reason.CLOSED, "fetcher closed", null);
                }
                for (Op op : new ArrayList<>(ops)) {
                    fail(op, PageFetchException.Reason.CLOSED, "fetcher closed");
                }
                return null;
            });
        } catch (RuntimeException ignored) {
            // the worker is gone already
        }
        worker.close();
    }

    @Override
    public String toString() {
        return "UcxPageFetcher[" + server + "]";
    }

    // ---- everything below runs on the UCX thread ----

    private void admit(Op op) {
        if (closed) {
            op.future.completeExceptionally(op.batch.failure(PageFetchException.Reason.CLOSED, 0, op.batch.size(), "fetcher closed", null));
            return;
        }
        ops.add(op);
        if (connection == null) {
            connection = new Connection();
            connection.start();
        }
        op.connection = connection;
        connection.advance(op);
    }

    private void fail(Op op, PageFetchException.Reason reason, String detail) {
        failEntries(op, reason, 0, op.batch.size(), detail);
    }

    private void failEntries(Op op, PageFetchException.Reason reason, int from, int to, String detail) {
        if (op.done) {
            return;
        }
        op.done = true;
        ops.remove(op);
        op.future.completeExceptionally(op.batch.failure(reason, from, to, detail, null));
    }

    private void failRegion(Op op, PageFetchException.Reason reason, long region, int[] pages, String detail) {
        if (op.done) {
            return;
        }
        op.done = true;
        ops.remove(op);
        op.future.completeExceptionally(new PageFetchException(reason, region, pages, detail, null));
    }

    /** One batch. */
    private static final class Op {
        final PageBatch batch;
        final long destination;
        final Duration timeout;
        final long deadline;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        Connection connection;
        boolean issued;
        boolean done;
        /** Outstanding get requests (0 entries are finished). */
        long[] requests;
        int pending;
        String getError;

        Op(PageBatch batch, long destination, Duration timeout) {
            this.batch = batch;
            this.destination = destination;
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        boolean reads(long region) {
            for (int i = 0; i < batch.size(); i++) {
                if (batch.region(i) == region) {
                    return true;
                }
            }
            return false;
        }
    }

    /** What the server granted for one region: its size and, per run, address and unpacked rkey. */
    private static final class Grant {
        final long key;
        final int pageCount;
        final int[] first;
        final int[] count;
        final long[] address;
        final long[] rkey;

        Grant(long key, int pageCount, int runs) {
            this.key = key;
            this.pageCount = pageCount;
            this.first = new int[runs];
            this.count = new int[runs];
            this.address = new long[runs];
            this.rkey = new long[runs];
        }

        int run(int page) {
            int i = Arrays.binarySearch(first, page);
            return i >= 0 ? i : -i - 2;
        }
    }

    private record Lookup(long region, long key) {
    }

    /** The progress hook: completes batches whose gets finished, enforces deadlines, answers revokes. */
    private final class Progress implements UcxWorker.Loop {
        @Override
        public void progressed() {
            Connection c = connection;
            if (c == null) {
                return;
            }
            if (!c.ready && c.wiring != 0) {
                c.wired();
                if (c.dead) {
                    return;
                }
            }
            long now = System.nanoTime();
            boolean reset = false;
            String why = null;
            for (Op op : new ArrayList<>(ops)) {
                if (op.done) {
                    continue;
                }
                if (op.issued) {
                    c.poll(op);
                    if (op.getError != null) {
                        reset = true;
                        why = op.getError;
                    } else if (op.pending == 0) {
                        op.done = true;
                        ops.remove(op);
                        op.future.complete(null);
                    } else if (now - op.deadline > 0) {
                        reset = true;
                        why = "deadline of " + op.timeout.toMillis() + " ms passed with " + op.pending + " gets in flight";
                    }
                } else if (now - op.deadline > 0) {
                    fail(op, PageFetchException.Reason.DEADLINE, "deadline of " + op.timeout.toMillis()
                            + " ms passed " + (!c.ready ? "while connecting" : "while asking for regions"));
                }
            }
            if (reset) {
                c.reset(PageFetchException.Reason.CONNECTION, why, PageFetchException.Reason.DEADLINE);
                return;
            }
            c.answerRevokes();
        }

        @Override
        public long nextDeadline() {
            long next = Long.MAX_VALUE;
            for (Op op : ops) {
                if (!op.done && (next == Long.MAX_VALUE || op.deadline - next < 0)) {
                    next = op.deadline;
                }
            }
            return next;
        }

        @Override
        public boolean busy() {
            Connection c = connection;
            if (c != null && c.wiring != 0) {
                return true;
            }
            for (Op op : ops) {
                if (op.issued && op.pending > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One side channel and UCX endpoint to the server. Worker-confined except its reader thread. */
    private final class Connection {
        Socket socket;
        DataOutputStream out;
        long ep;
        /** The flush that tells the endpoint is wired up; 0 once it has completed. */
        long wiring;
        boolean ready;
        boolean dead;
        final Map<Long, Grant> grants = new HashMap<>();
        final Map<Lookup, Integer> lookups = new HashMap<>();
        final Map<Integer, Lookup> lookupsById = new HashMap<>();
        /** Revoked regions whose reads in flight must finish before the server is told. */
        final List<Long> revoked = new ArrayList<>();
        final List<Grant> retired = new ArrayList<>();

        void start() {
            Thread t = new Thread(this::read, "medes-ucx-page-fetcher-side");
            t.setDaemon(true);
            t.start();
        }

        /** The reader thread: connects, authenticates, then hands every message to the UCX thread. */
        private void read() {
            try {
                Socket s = new Socket();
                synchronized (this) {
                    socket = s;
                }
                s.setTcpNoDelay(true);
                s.connect(server, 5000);
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                ByteBuffer hello = ByteBuffer.wrap(UcxProtocol.read(in));
                if (hello.remaining() != 6 + SharedSecret.NONCE_BYTES || hello.getInt() != UcxProtocol.MAGIC
                        || hello.getShort() != UcxProtocol.VERSION) {
                    post(() -> lost(PageFetchException.Reason.AUTHENTICATION,
                            server + " is not a UCX page server of protocol version " + UcxProtocol.VERSION));
                    return;
                }
                byte[] nonce = new byte[SharedSecret.NONCE_BYTES];
                hello.get(nonce);
                byte[] mac = SharedSecret.proof(secret, nonce);
                ByteBuffer auth = ByteBuffer.allocate(6 + mac.length).putInt(UcxProtocol.MAGIC).putShort(UcxProtocol.VERSION).put(mac);
                UcxProtocol.write(o, auth.array(), auth.capacity());
                byte[] accepted = UcxProtocol.read(in);
                if (accepted[0] != 0) {
                    post(() -> lost(PageFetchException.Reason.AUTHENTICATION, server + " refused the shared secret"));
                    return;
                }
                byte[] address = Arrays.copyOfRange(accepted, 1, accepted.length);
                s.setSoTimeout(0);
                post(() -> connected(o, address));
                while (true) {
                    byte[] m = UcxProtocol.read(in);
                    post(() -> message(ByteBuffer.wrap(m)));
                }
            } catch (IOException | RuntimeException e) {
                post(() -> lost(PageFetchException.Reason.CONNECTION, "side channel to " + server + " lost: " + e));
            }
        }

        private void post(Runnable r) {
            try {
                worker.execute(r);
            } catch (RejectedExecutionException closedAlready) {
                // the fetcher is closed; its batches failed there
            }
        }

        private void connected(DataOutputStream o, byte[] address) {
            if (dead) {
                return;
            }
            out = o;
            try {
                ep = worker.connect(address);
            } catch (RuntimeException e) {
                reset(PageFetchException.Reason.CONNECTION, "cannot create a UCX endpoint to " + server + ": " + e.getMessage(), null);
                return;
            }
            long f = worker.flush(ep);
            if (UcxWorker.isError(f)) {
                reset(PageFetchException.Reason.CONNECTION, "cannot wire up the UCX endpoint to " + server + ": "
                        + Ucx.statusString((int) f), null);
                return;
            }
            wiring = f;
            wired();
        }

        /** Once the endpoint's flush has completed, lets the waiting batches go on. */
        void wired() {
            if (wiring != 0) {
                int st = worker.status(wiring);
                if (UcxWorker.inProgress(st)) {
                    return;
                }
                worker.free(wiring);
                wiring = 0;
                if (st != 0) {
                    reset(PageFetchException.Reason.CONNECTION, "cannot wire up the UCX endpoint to " + server + ": "
                            + Ucx.statusString(st), null);
                    return;
                }
            }
            ready = true;
            for (Op op : new ArrayList<>(ops)) {
                if (op.connection == this) {
                    advance(op);
                }
            }
        }

        private void lost(PageFetchException.Reason reason, String detail) {
            if (!dead) {
                reset(reason, detail, null);
            }
        }

        /** Checks {@code op} against the grants, asks for missing regions, issues its gets when complete. */
        void advance(Op op) {
            if (op.done || op.issued || dead || !ready) {
                return;
            }
            PageBatch b = op.batch;
            boolean missing = false;
            for (int i = 0; i < b.size(); i++) {
                long region = b.region(i);
                Grant g = grants.get(region);
                if (g == null) {
                    missing = true;
                    ask(region, b.key(i));
                    continue;
                }
                if (g.key != b.key(i)) {
                    failRegion(op, PageFetchException.Reason.WRONG_KEY, region, b.pagesOf(region, 0, b.size()),
                            "refused before reading: the access key does not open the region");
                    return;
                }
                int page = b.page(i);
                if (page < 0 || page >= g.pageCount) {
                    failRegion(op, PageFetchException.Reason.OUT_OF_RANGE, region, new int[] {page},
                            "refused before reading: the region has " + g.pageCount + " pages");
                    return;
                }
            }
            if (!missing) {
                issue(op);
            }
        }

        private void ask(long region, long key) {
            Lookup l = new Lookup(region, key);
            if (lookups.containsKey(l)) {
                return;
            }
            int id = nextLookupId++;
            lookups.put(l, id);
            lookupsById.put(id, l);
            byte[] m = ByteBuffer.allocate(21).put(UcxProtocol.LOOKUP).putInt(id).putLong(region).putLong(key).array();
            send(m);
        }

        private void send(byte[] m) {
            try {
                UcxProtocol.write(out, m, m.length);
            } catch (IOException e) {
                reset(PageFetchException.Reason.CONNECTION, "side channel to " + server + " lost: " + e, null);
            }
        }

        /** Issues one get per stretch of entries contiguous in the batch and in one run of the server. */
        private void issue(Op op) {
            PageBatch b = op.batch;
            int n = b.size();
            op.issued = true;
            op.requests = new long[Math.min(n, 64)];
            int i = 0;
            while (i < n) {
                Grant g = grants.get(b.region(i));
                int page = b.page(i);
                int run = g.run(page);
                int j = i + 1;
                while (j < n && b.region(j) == b.region(i) && b.page(j) == page + (j - i)
                        && page + (j - i) < g.first[run] + g.count[run]) {
                    j++;
                }
                long remote = g.address[run] + ((long) (page - g.first[run]) << PageSize.SHIFT);
                long r = worker.get(ep, op.destination + ((long) i << PageSize.SHIFT), (long) (j - i) << PageSize.SHIFT,
                        remote, g.rkey[run]);
                if (UcxWorker.isError(r)) {
                    op.getError = "ucp_get_nbx failed: " + Ucx.statusString((int) r);
                    return;
                }
                if (r != 0) {
                    if (op.pending == op.requests.length) {
                        op.requests = Arrays.copyOf(op.requests, op.requests.length * 2);
                    }
                    op.requests[op.pending++] = r;
                }
                i = j;
            }
        }

        /** Frees the finished requests of {@code op}; records the first failure. */
        void poll(Op op) {
            int k = 0;
            for (int i = 0; i < op.pending; i++) {
                long r = op.requests[i];
                int st = worker.status(r);
                if (UcxWorker.inProgress(st)) {
                    op.requests[k++] = r;
                    continue;
                }
                worker.free(r);
                if (st != 0 && op.getError == null) {
                    op.getError = "a get failed: " + Ucx.statusString(st);
                }
            }
            op.pending = k;
        }

        private void message(ByteBuffer m) {
            if (dead) {
                return;
            }
            byte type = m.get();
            if (type == UcxProtocol.LOOKUP) {
                granted(m);
            } else if (type == UcxProtocol.REVOKE) {
                long region = m.getLong();
                Grant g = grants.remove(region);
                if (g != null) {
                    retired.add(g);
                }
                revoked.add(region);
                answerRevokes();
            } else {
                reset(PageFetchException.Reason.CONNECTION, "protocol error from " + server + ": message type " + type, null);
            }
        }

        private void granted(ByteBuffer m) {
            Lookup l = lookupsById.remove(m.getInt());
            if (l == null) {
                reset(PageFetchException.Reason.CONNECTION, "protocol error from " + server + ": unknown lookup", null);
                return;
            }
            lookups.remove(l);
            byte status = m.get();
            if (status != Status.OK) {
                PageFetchException.Reason reason = Status.reason(status);
                for (Op op : new ArrayList<>(ops)) {
                    if (op.connection == this && !op.issued && uses(op, l)) {
                        failRegion(op, reason, l.region(), op.batch.pagesOf(l.region(), 0, op.batch.size()),
                                "refused by the page server");
                    }
                }
            } else {
                Grant g = new Grant(l.key(), m.getInt(), m.getInt());
                try {
                    for (int i = 0; i < g.first.length; i++) {
                        g.first[i] = m.getInt();
                        g.count[i] = m.getInt();
                        g.address[i] = m.getLong();
                        byte[] packed = new byte[m.getInt()];
                        m.get(packed);
                        g.rkey[i] = worker.unpackKey(ep, packed);
                    }
                } catch (RuntimeException e) {
                    destroy(g);
                    reset(PageFetchException.Reason.CONNECTION, "bad grant of region " + l.region() + " from " + server + ": " + e, null);
                    return;
                }
                Grant old = grants.put(l.region(), g);
                if (old != null) {
                    retired.add(old);
                }
            }
            for (Op op : new ArrayList<>(ops)) {
                if (op.connection == this) {
                    advance(op);
                }
            }
        }

        private boolean uses(Op op, Lookup l) {
            for (int i = 0; i < op.batch.size(); i++) {
                if (op.batch.region(i) == l.region() && op.batch.key(i) == l.key()) {
                    return true;
                }
            }
            return false;
        }

        /** Confirms revokes whose region no issued batch reads any more, destroying retired rkeys. */
        void answerRevokes() {
            if (revoked.isEmpty() || dead) {
                return;
            }
            for (Iterator<Long> it = revoked.iterator(); it.hasNext(); ) {
                long region = it.next();
                boolean busy = false;
                for (Op op : ops) {
                    if (op.issued && op.connection == this && op.reads(region)) {
                        busy = true;
                        break;
                    }
                }
                if (busy) {
                    continue;
                }
                it.remove();
                for (Iterator<Grant> g = retired.iterator(); g.hasNext(); ) {
                    Grant x = g.next();
                    boolean inUse = false;
                    for (Op op : ops) {
                        if (op.issued && op.connection == this) {
                            inUse = true;
                            break;
                        }
                    }
                    if (!inUse) {
                        destroy(x);
                        g.remove();
                    }
                }
                send(ByteBuffer.allocate(9).put(UcxProtocol.REVOKE).putLong(region).array());
            }
        }

        private void destroy(Grant g) {
            for (long k : g.rkey) {
                if (k != 0) {
                    worker.destroyKey(k);
                }
            }
        }

        /**
         * Ends this connection: closes the endpoint by force (so no get writes any more), fails its
         * batches ({@code issuedReason} for those past their deadline when given, else {@code reason}).
         */
        void reset(PageFetchException.Reason reason, String detail, PageFetchException.Reason lateReason) {
            if (dead) {
                return;
            }
            dead = true;
            synchronized (this) {
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            ready = false;
            if (wiring != 0) {
                worker.closeByForce(ep, CLOSE_NANOS);
                worker.free(wiring);
                wiring = 0;
                ep = 0;
            }
            if (ep != 0) {
                worker.closeByForce(ep, CLOSE_NANOS);
                for (Op op : ops) {
                    if (op.connection == this && op.issued) {
                        long end = System.nanoTime() + CLOSE_NANOS;
                        poll(op);
                        while (op.pending > 0 && System.nanoTime() < end) {
                            worker.progress();
                            poll(op);
                        }
                    }
                }
                grants.values().forEach(this::destroy);
                retired.forEach(this::destroy);
                grants.clear();
                retired.clear();
                ep = 0;
            }
            long now = System.nanoTime();
            for (Op op : new ArrayList<>(ops)) {
                if (op.connection != this) {
                    continue;
                }
                PageFetchException.Reason r = lateReason != null && now - op.deadline > 0 ? lateReason : reason;
                String d = r == PageFetchException.Reason.DEADLINE && r != reason
                        ? "deadline of " + op.timeout.toMillis() + " ms passed; " + detail : detail;
                fail(op, r, d);
            }
            if (connection == this) {
                connection = null;
            }
        }
    }
}
