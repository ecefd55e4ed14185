package org.medes.rdma;

import org.medes.core.page.PageSize;
import org.medes.rdma.ucx.UcxWorker;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Exports the regions of a {@link PageRegions} to {@link UcxPageFetcher}s for one-sided UCX reads
 * ({@code ucp_get_nbx}): the region's pages are registered in place with {@code ucp_mem_map}
 * (one registration per stretch of contiguous pages) the first time an authenticated client asks
 * for the region with its key, and the packed remote keys go to that client over a TCP side
 * channel ({@link UcxProtocol}). Reads then do not involve this JVM's code at all (with real RDMA
 * not even its CPU; over UCX's TCP transport, this server's UCX worker thread answers them).
 *
 * <p>When a region retires ({@link #unregister}, {@link PageRegions#unregister}, close), every
 * client holding its keys is told to stop and must confirm that none of its reads is in flight;
 * then the registration is removed ({@code ucp_mem_unmap}) and unregister returns. A client that
 * does not confirm within {@value #REVOKE_SECONDS} s is disconnected.
 *
 * <p>Thread-safety: thread-safe. One thread accepts side-channel connections, one per connection
 * serves it, and one owns the UCX worker.
 */
public final class UcxPageServer implements RegionsServer {
    static final int REVOKE_SECONDS = 5;

    private final PageRegions regions;
    private final byte[] secret;
    private final UcxWorker worker;
    private final ServerSocket listener;
    private final Set<Conn> connections = ConcurrentHashMap.newKeySet();
    private final Map<Long, Export> exports = new ConcurrentHashMap<>();
    /** Revokes a region's UCX access when it is withdrawn (before its memory may be freed). */
    private final PageRegions.Listener retire = new PageRegions.Listener() {
        @Override
        public void registered(PageRegion region, RegionPages pages) {
            // exported lazily, when a client first asks for the region
        }

        @Override
        public void unregistered(PageRegion region) {
            revoke(region.id());
        }
    };
    private final AtomicInteger connectionCount = new AtomicInteger();
    private volatile boolean closing;

    private UcxPageServer(PageRegions regions, InetSocketAddress bind, byte[] secret, Map<String, String> ucxConfig)
            throws IOException {
        this.regions = Objects.requireNonNull(regions, "regions");
        this.secret = SharedSecret.check(secret);
        this.worker = UcxWorker.start("medes-ucx-page-server", ucxConfig);
        try {
            this.listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(bind, 64);
        } catch (IOException | RuntimeException e) {
            worker.close();
            throw e;
        }
        regions.addListener(retire);
        Thread acceptor = new Thread(this::accept, "medes-ucx-page-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts serving {@code regions}: the side channel listens on {@code bind} (port 0 picks a
     * free port); UCX uses the environment's settings ({@code UCX_TLS}, ...).
     *
     * @param secret shared secret of at least 16 bytes that clients must prove they hold
     * @throws IllegalStateException when UCX is not available here
     */
    public static UcxPageServer start(PageRegions regions, InetSocketAddress bind, byte[] secret) throws IOException {
        return start(regions, bind, secret, Map.of());
    }

    /**
     * As {@link #start(PageRegions, InetSocketAddress, byte[])}, with UCX settings by name without
     * the {@code UCX_} prefix (e.g. {@code TLS=tcp}) over the environment's.
     */
    public static UcxPageServer start(PageRegions regions, InetSocketAddress bind, byte[] secret,
                                      Map<String, String> ucxConfig) throws IOException {
        return new UcxPageServer(regions, bind, secret, ucxConfig);
    }

    /** The side channel's address: what fetchers connect to. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** The regions served. */
    public PageRegions regions() {
        return regions;
    }



    /** Regions currently registered with UCX (asked for by at least one client). */
    public int exportedRegions() {
        return exports.size();
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosing() {
        return closing;
    }

    /**
     * Stops listening, drops every side channel (clients stop reading when theirs drops),
     * deregisters all memory and destroys the UCX worker; the regions stay registered in
     * {@link #regions()}; idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        regions.removeListener(retire);
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        connections.forEach(Conn::close);
        for (Long id : exports.keySet().toArray(new Long[0])) {
            Export e = exports.remove(id);
            if (e != null) {
                synchronized (e) {
                    e.revoked = true;
                    e.unmap();
                }
            }
        }
        worker.close();
    }

    private void accept() {
        while (!closing) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            Conn c = new Conn(s);
            connections.add(c);
            if (closing) {
                c.close();
                return;
            }
            Thread t = new Thread(c, "medes-ucx-page-server-" + connectionCount.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    /** Revokes the region from every client holding its keys, then deregisters its memory. */
    private void revoke(long regionId) {
        Export e = exports.remove(regionId);
        if (e == null) {
            return;
        }
        List<Conn> holders;
        synchronized (e) {
            e.revoked = true;
            holders = new ArrayList<>(e.grantees);
            e.grantees.clear();
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (Conn c : holders) {
            acks.add(c.revoke(regionId));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(REVOKE_SECONDS);
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception timedOut) {
                holders.get(i).close();
            }
        }
        synchronized (e) {
            e.unmap();
        }
    }

    /** A region registered with UCX: its runs of contiguous pages and their packed remote keys. Guarded by itself. */
    private final class Export {
        boolean revoked;
        boolean mapped;
        int pageCount;
        int[] first = new int[0];
        int[] count = new int[0];
        long[] address = new long[0];
        long[] memh = new long[0];
        byte[][] rkey = new byte[0][];
        final Set<Conn> grantees = new HashSet<>();

        void map(RegionPages pages, int pageCount) {
            this.pageCount = pageCount;
            List<int[]> runs = new ArrayList<>();
            List<Long> starts = new ArrayList<>();
            long prev = 0;
            for (int p = 0; p < pageCount; p++) {
                long a = pages.pageAddress(p);
                if (p > 0 && a == prev + PageSize.BYTES) {
                    runs.get(runs.size() - 1)[1]++;
                } else {
                    runs.add(new int[] {p, 1});
                    starts.add(a);
                }
                prev = a;
            }
            int n = runs.size();
            first = new int[n];
            count = new int[n];
            address = new long[n];
            for (int i = 0; i < n; i++) {
                first[i] = runs.get(i)[0];
                count[i] = runs.get(i)[1];
                address[i] = starts.get(i);
            }
            worker.call(() -> {
                memh = new long[n];
                rkey = new byte[n][];
                for (int i = 0; i < n; i++) {
                    memh[i] = worker.memMap(address[i], (long) count[i] << PageSize.SHIFT);
                    rkey[i] = worker.packKey(memh[i]);
                }
                return null;
            });
            mapped = true;
        }

        void unmap() {
            if (!mapped) {
                return;
            }
            mapped = false;
            long[] handles = memh;
            try {
                worker.call(() -> {
                    for (long h : handles) {
                        if (h != 0) {
                            worker.memUnmap(h);
                        }
                    }
                    return null;
                });
            } catch (RuntimeException workerGone) {
                // the worker was destroyed with its registrations
            }
        }

        /** The grant frame (after a status byte of OK). */
        byte[] grant(int requestId) {
            int size = 1 + 4 + 1 + 4 + 4;
            for (byte[] k : rkey) {
                size += 4 + 4 + 8 + 4 + k.length;
            }
            ByteBuffer b = ByteBuffer.allocate(size);
            b.put(UcxProtocol.LOOKUP).putInt(requestId).put(Status.OK).putInt(pageCount).putInt(first.length);
            for (int i = 0; i < first.length; i++) {
                b.putInt(first[i]).putInt(count[i]).putLong(address[i]).putInt(rkey[i].length).put(rkey[i]);
            }
            return b.array();
        }
    }

    /** One side-channel connection. */
    private final class Conn implements Runnable {
        final Socket socket;
        final Map<Long, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
        DataOutputStream out;

        Conn(Socket socket) {
            this.socket = socket;
        }

        @Override
        public void run() {
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
                if (!authenticate(in)) {
                    return;
                }
                socket.setSoTimeout(0);
                while (!closing) {
                    ByteBuffer m = ByteBuffer.wrap(UcxProtocol.read(in));
                    byte type = m.get();
                    if (type == UcxProtocol.LOOKUP && m.remaining() == 20) {
                        int id = m.getInt();
                        long region = m.getLong();
                        long key = m.getLong();
                        byte[] reply = lookup(id, region, key);
                        UcxProtocol.write(out, reply, reply.length);
                    } else if (type == UcxProtocol.REVOKE && m.remaining() == 8) {
                        CompletableFuture<Void> f = acks.remove(m.getLong());
                        if (f != null) {
                            f.complete(null);
                        }
                    } else {
                        return; // protocol error: drop the client
                    }
                }
            } catch (IOException | RuntimeException e) {
                // the client went away, or the server is closing
            } finally {
                close();
            }
        }

        private boolean authenticate(DataInputStream in) throws IOException {
            byte[] nonce = SharedSecret.nonce();
            ByteBuffer hello = ByteBuffer.allocate(6 + nonce.length);
            hello.putInt(UcxProtocol.MAGIC).putShort(UcxProtocol.VERSION).put(nonce);
            UcxProtocol.write(out, hello.array(), hello.capacity());
            ByteBuffer auth = ByteBuffer.wrap(UcxProtocol.read(in));
            boolean ok = auth.remaining() == 6 + SharedSecret.PROOF_BYTES
                    && auth.getInt() == UcxProtocol.MAGIC && auth.getShort() == UcxProtocol.VERSION;
            if (ok) {
                byte[] mac = new byte[SharedSecret.PROOF_BYTES];
                auth.get(mac);
                ok = SharedSecret.verify(secret, nonce, mac);
            }
            if (!ok) {
                UcxProtocol.write(out, new byte[] {1}, 1);
                return false;
            }
            byte[] address = worker.address();
            byte[] reply = new byte[1 + address.length];
            System.arraycopy(address, 0, reply, 1, address.length);
            UcxProtocol.write(out, reply, reply.length);
            return true;
        }

        private byte[] lookup(int id, long regionId, long key) {
            PageRegions.Opened o = regions.open(regionId, key);
            if (o.status() != Status.OK) {
                return refusal(id, o.status());
            }
            if (o.region().pageCount() == 0) {
                return refusal(id, Status.OUT_OF_RANGE);
            }
            Export e = exports.computeIfAbsent(regionId, x -> new Export());
            synchronized (e) {
                if (closing) {
                    return refusal(id, Status.CLOSED);
                }
                if (e.revoked) {
                    return refusal(id, Status.UNKNOWN_REGION);
                }
                if (!e.mapped) {
                    e.map(o.pages(), o.region().pageCount());
                }
                // the region may have retired while it was being mapped (its revoke found no export)
                PageRegions.Opened again = regions.open(regionId, key);
                if (again.status() != Status.OK) {
                    exports.remove(regionId, e);
                    e.revoked = true;
                    e.unmap();
                    return refusal(id, again.status());
                }
                e.grantees.add(this);
                return e.grant(id);
            }
        }

        private byte[] refusal(int id, byte status) {
            return ByteBuffer.allocate(6).put(UcxProtocol.LOOKUP).putInt(id).put(status).array();
        }

        /** Tells the client to stop reading {@code regionId}; completes when it confirms or is gone. */
        CompletableFuture<Void> revoke(long regionId) {
            CompletableFuture<Void> f = acks.computeIfAbsent(regionId, x -> new CompletableFuture<>());
            try {
                byte[] m = ByteBuffer.allocate(9).put(UcxProtocol.REVOKE).putLong(regionId).array();
                UcxProtocol.write(out, m, m.length);
            } catch (IOException | RuntimeException e) {
                close();
            }
            return f;
        }

        /** Drops the connection: the client stops all reads when it sees it drop. */
        void close() {
            connections.remove(this);
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
            acks.values().forEach(f -> f.complete(null));
        }
    }
}
