package org.medes.rdma;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads pages from a {@link TcpPageServer} over one pipelined, authenticated connection
 * (Netty; native epoll when available). A batch is split into requests of at most 256 pages;
 * at most {@value #MAX_IN_FLIGHT} requests are outstanding per connection, the rest wait in
 * order (backpressure), and page data is copied from the socket buffer straight into the
 * caller's memory. A lost connection fails the batches on it; the next fetch reconnects.
 * Kill switch: {@code -Dmedes.rdma.tcp.disabled=true}.
 *
 * <p>Futures complete on the fetcher's I/O thread: dependent stages that block must use the
 * {@code *Async} variants.
 *
 * <p>Thread-safety: thread-safe; all connection state lives on one event loop.
 */
public final class TcpPageFetcher implements PageFetcher {
    /** System property that disables this fetcher. */
    public static final String DISABLED_PROPERTY = "medes.rdma.tcp.disabled";
    static final int MAX_IN_FLIGHT = 16;

    private final InetSocketAddress server;
    private final byte[] secret;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** Loop-confined. */
    private Connection connection;
    /** Loop-confined. */
    private CompletableFuture<Connection> connecting;
    private volatile boolean closed;
    private int nextRequestId;

    private TcpPageFetcher(InetSocketAddress server, byte[] secret) {
        this.server = Objects.requireNonNull(server, "server");
        this.secret = SharedSecret.check(secret);
        this.group = TcpTransport.group(1, "medes-page-fetcher");
        this.loop = group.next();
        this.bootstrap = new Bootstrap().group(loop).channel(TcpTransport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    }

    /** A fetcher for the server at {@code server}; connects on first use. */
    public static TcpPageFetcher create(InetSocketAddress server, byte[] secret) {
        return new TcpPageFetcher(server, secret);
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Throwable unavailabilityCause() {
        if (Boolean.getBoolean(DISABLED_PROPERTY)) {
            return new UnsupportedOperationException("tcp fetcher disabled by -D" + DISABLED_PROPERTY + "=true");
        }
        return null;
    }

    /** "epoll" or "nio". */
    public String transport() {
        return TcpTransport.name();
    }

    @Override
    public CompletableFuture<Void> fetch(PageBatch batch, long destination, long capacity, Duration timeout) {
        CompletableFuture<Void> settled = batch.settledWithoutReading(capacity);
        if (settled != null) {
            return settled;
        }
        int n = batch.size();
        Op op = new Op(batch, destination, timeout);
        if (closed) {
            op.fail(PageFetchException.Reason.CLOSED, 0, n, "fetcher closed", null);
            return op.future;
        }
        try {
            loop.execute(() -> start(op));
        } catch (RuntimeException e) {
            op.fail(PageFetchException.Reason.CLOSED, 0, n, "fetcher closed", e);
        }
        return op.future;
    }

    private void start(Op op) {
        if (closed) {
            op.fail(PageFetchException.Reason.CLOSED, 0, op.batch.size(), "fetcher closed", null);
            return;
        }
        op.timer = loop.schedule(() -> op.fail(PageFetchException.Reason.DEADLINE, 0, op.batch.size(),
                "deadline of " + op.timeout.toMillis() + " ms passed (" + op.remaining + " of "
                        + op.requests + " requests outstanding)", null),
                op.timeout.toNanos(), TimeUnit.NANOSECONDS);
        Connection c = connection;
        if (c != null && c.channel.isActive()) {
            c.submit(op);
            return;
        }
        connect().whenComplete((conn, err) -> {
            if (err != null) {
                PageFetchException.Reason r = err instanceof AuthenticationFailure
                        ? PageFetchException.Reason.AUTHENTICATION : PageFetchException.Reason.CONNECTION;
                op.fail(r, 0, op.batch.size(), err.getMessage(), err);
            } else {
                conn.submit(op);
            }
        });
    }

    private CompletableFuture<Connection> connect() {
        if (connecting != null) {
            return connecting;
        }
        CompletableFuture<Connection> f = new CompletableFuture<>();
        connecting = f;
        Connection conn = new Connection(f);
        ChannelFuture cf = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(4 + TcpProtocol.MAX_FRAME, 0, 4, 0, 4), conn);
            }
        }).connect(server);
        conn.channel = cf.channel();
        cf.addListener(x -> {
            if (!x.isSuccess()) {
                conn.handshakeFailed(new java.io.IOException("cannot connect to " + server + ": " + x.cause(), x.cause()));
            }
        });
        f.whenComplete((c, e) -> {
            connecting = null;
            if (e == null) {
                connection = c;
            }
        });
        return f;
    }

    /** Fails batches in flight and stops the I/O thread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            loop.submit(() -> {
                if (connection != null) {
                    connection.failAll(PageFetchException.Reason.CLOSED, "fetcher closed");
                    connection.channel.close();
                }
            }).awaitUninterruptibly();
        } catch (RuntimeException ignored) {
            // loop already shut down
        }
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "TcpPageFetcher[" + server + ", " + transport() + "]";
    }

    private static final class AuthenticationFailure extends java.io.IOException {
        AuthenticationFailure(String message) {
            super(message);
        }
    }

    /** One batch. Loop-confined after construction, except the future. */
    private static final class Op {
        final PageBatch batch;
        final long destination;
        final Duration timeout;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        ScheduledFuture<?> timer;
        final int requests;
        int remaining;
        boolean done;

        Op(PageBatch batch, long destination, Duration timeout) {
            this.batch = batch;
            this.destination = destination;
            this.timeout = timeout;
            this.requests = (batch.size() + TcpProtocol.MAX_PAGES_PER_REQUEST - 1) / TcpProtocol.MAX_PAGES_PER_REQUEST;
            this.remaining = requests;
        }

        void fail(PageFetchException.Reason reason, int from, int to, String detail, Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            future.completeExceptionally(batch.failure(reason, from, to, detail, cause));
        }

        void requestDone() {
            if (!done && --remaining == 0) {
                done = true;
                if (timer != null) {
                    timer.cancel(false);
                }
                future.complete(null);
            }
        }
    }

    /** One request of at most 256 pages: entries [from, to) of its batch. */
    private record Request(Op op, int from, int to) {
    }

    /** One authenticated connection and its pipeline of requests. Loop-confined. */
    private final class Connection extends SimpleChannelInboundHandler<ByteBuf> {
        final CompletableFuture<Connection> ready;
        Channel channel;
        boolean authenticated;
        final Map<Integer, Request> inFlight = new HashMap<>();
        final ArrayDeque<Request> waiting = new ArrayDeque<>();
        byte[] scratch;

        Connection(CompletableFuture<Connection> ready) {
            this.ready = ready;
        }

        void handshakeFailed(Throwable cause) {
            ready.completeExceptionally(cause);
            channel.close();
        }

        void submit(Op op) {
            if (op.done) {
                return;
            }
            int n = op.batch.size();
            for (int from = 0; from < n; from += TcpProtocol.MAX_PAGES_PER_REQUEST) {
                waiting.add(new Request(op, from, Math.min(n, from + TcpProtocol.MAX_PAGES_PER_REQUEST)));
            }
            drain();
        }

        void drain() {
            boolean wrote = false;
            while (inFlight.size() < MAX_IN_FLIGHT && channel.isWritable() && !waiting.isEmpty()) {
                Request r = waiting.poll();
                if (r.op.done) {
                    continue;
                }
                int id = nextRequestId++;
                int count = r.to - r.from;
                ByteBuf out = channel.alloc().buffer(4 + 8 + count * TcpProtocol.READ_BYTES);
                out.writeInt(8 + count * TcpProtocol.READ_BYTES).writeInt(id).writeInt(count);
                PageBatch b = r.op.batch;
                for (int i = r.from; i < r.to; i++) {
                    out.writeLong(b.region(i)).writeLong(b.key(i)).writeInt(b.page(i));
                }
                inFlight.put(id, r);
                channel.write(out);
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
        }

        void failAll(PageFetchException.Reason reason, String detail) {
            List<Request> all = new ArrayList<>(inFlight.values());
            all.addAll(waiting);
            inFlight.clear();
            waiting.clear();
            for (Request r : all) {
                r.op.fail(reason, r.from, r.to, detail, null);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
            if (!authenticated) {
                handshake(ctx, in);
                return;
            }
            if (in.readableBytes() < TcpProtocol.RESPONSE_HEADER) {
                protocolError(ctx, "short response frame");
                return;
            }
            int id = in.readInt();
            byte status = in.readByte();
            int index = in.readInt();
            Request r = inFlight.remove(id);
            if (r == null) {
                protocolError(ctx, "response to unknown request " + id);
                return;
            }
            if (!r.op.done) {
                if (status != Status.OK) {
                    int at = r.from + Math.max(0, Math.min(index, r.to - r.from - 1));
                    r.op.done = true;
                    if (r.op.timer != null) {
                        r.op.timer.cancel(false);
                    }
                    r.op.future.completeExceptionally(new PageFetchException(Status.reason(status),
                            r.op.batch.region(at), new int[] {r.op.batch.page(at)}, "refused by the page server", null));
                } else if (in.readableBytes() != (r.to - r.from) * PageSize.BYTES) {
                    protocolError(ctx, "response " + id + " carries " + in.readableBytes() + " bytes of pages");
                    return;
                } else {
                    copyOut(in, r.op.destination + ((long) r.from << PageSize.SHIFT));
                    r.op.requestDone();
                }
            }
            drain();
        }

        private void copyOut(ByteBuf in, long address) {
            int len = in.readableBytes();
            if (in.hasMemoryAddress()) {
                OffHeap.copy(in.memoryAddress() + in.readerIndex(), address, len);
                return;
            }
            if (scratch == null) {
                scratch = new byte[64 * 1024];
            }
            int done = 0;
            while (done < len) {
                int k = Math.min(scratch.length, len - done);
                in.readBytes(scratch, 0, k);
                OffHeap.copyFromArray(scratch, 0, address + done, k);
                done += k;
            }
        }

        private void handshake(ChannelHandlerContext ctx, ByteBuf in) {
            if (!ready.isDone() && in.readableBytes() == 6 + TcpProtocol.NONCE_BYTES) {
                if (in.readInt() != TcpProtocol.MAGIC || in.readShort() != TcpProtocol.VERSION) {
                    handshakeFailed(new AuthenticationFailure(server + " is not a page server of protocol version " + TcpProtocol.VERSION));
                    return;
                }
                byte[] mac = TcpProtocol.mac(secret, in);
                ByteBuf out = ctx.alloc().buffer(4 + 6 + mac.length);
                out.writeInt(6 + mac.length).writeInt(TcpProtocol.MAGIC).writeShort(TcpProtocol.VERSION).writeBytes(mac);
                ctx.writeAndFlush(out);
            } else if (in.readableBytes() == 1) {
                if (in.readByte() == 0) {
                    authenticated = true;
                    ready.complete(this);
                } else {
                    handshakeFailed(new AuthenticationFailure(server + " refused the shared secret"));
                }
            } else {
                handshakeFailed(new AuthenticationFailure("unexpected handshake frame from " + server));
            }
        }

        private void protocolError(ChannelHandlerContext ctx, String what) {
            failAll(PageFetchException.Reason.CONNECTION, "protocol error from " + server + ": " + what);
            ctx.close();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            drain();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!ready.isDone()) {
                ready.completeExceptionally(new java.io.IOException("connection to " + server + " closed during the handshake"));
            }
            if (connection == this) {
                connection = null;
            }
            failAll(PageFetchException.Reason.CONNECTION, "connection to " + server + " lost");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failAll(PageFetchException.Reason.CONNECTION, "connection to " + server + " failed: " + cause);
            ctx.close();
        }
    }
}
