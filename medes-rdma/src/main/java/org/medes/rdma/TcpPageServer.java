package org.medes.rdma;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.medes.core.page.OffHeap;
import org.medes.core.page.PageSize;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Serves the regions of a {@link PageRegions} over TCP ({@link TcpProtocol}): clients
 * authenticate with a shared secret, every read is checked against its region's key and range.
 * Per connection, queued responses are bounded by the write buffer's high-water mark (4 MiB)
 * plus one response (at most 1 MiB): past the mark the server stops reading from the connection
 * and parks the requests already read (a few KiB each) until the client drains its socket
 * (backpressure).
 *
 * <p>{@link #close()} stops the network side at once (requests in progress get no answer) and
 * leaves the regions registered; registering through this server registers in its
 * {@link PageRegions}.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class TcpPageServer implements RegionsServer {
    private static final int LOW_WATER = 1 << 20;
    private static final int HIGH_WATER = 4 << 20;

    private final PageRegions regions;
    private final byte[] secret;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean closing;
    /** Largest response backlog seen on any connection, in bytes (for tests and monitoring). */
    private final java.util.concurrent.atomic.AtomicLong maxQueuedBytes = new java.util.concurrent.atomic.AtomicLong();
    /** Requests currently parked by backpressure, over all connections. */
    private final java.util.concurrent.atomic.AtomicInteger parked = new java.util.concurrent.atomic.AtomicInteger();

    private TcpPageServer(PageRegions regions, InetSocketAddress bind, byte[] secret, int threads) throws InterruptedException {
        this.regions = Objects.requireNonNull(regions, "regions");
        this.secret = SharedSecret.check(secret);
        this.group = TcpTransport.group(threads, "medes-page-server");
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(TcpTransport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(LOW_WATER, HIGH_WATER))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (closing) {
                            ch.close();
                            return;
                        }
                        connections.add(ch);
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(4 + TcpProtocol.MAX_FRAME, 0, 4, 0, 4),
                                new Handler());
                    }
                });
        try {
            this.serverChannel = b.bind(bind).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /**
     * Starts serving {@code regions} on {@code bind} (port 0 picks a free port).
     *
     * @param secret  shared secret of at least 16 bytes that clients must prove they hold
     * @param threads I/O threads
     */
    public static TcpPageServer start(PageRegions regions, InetSocketAddress bind, byte[] secret, int threads)
            throws InterruptedException {
        return new TcpPageServer(regions, bind, secret, threads);
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The regions served. */
    public PageRegions regions() {
        return regions;
    }

    /** "epoll" or "nio". */
    public static String transport() {
        return TcpTransport.name();
    }



    /** Largest number of response bytes queued on one connection so far. */
    public long maxQueuedBytes() {
        return maxQueuedBytes.get();
    }

    /** Requests read but not yet served because their connection is over its high-water mark. */
    public int parkedRequests() {
        return parked.get();
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosing() {
        return closing;
    }

    /** Stops listening and drops every connection; requests in progress get no answer; idempotent. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        serverChannel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
        private byte[] nonce;
        private boolean authenticated;
        /** Requests read while the connection was over its high-water mark, served once it drains. */
        private final java.util.ArrayDeque<ByteBuf> deferred = new java.util.ArrayDeque<>();
        private final byte[] scratch = new byte[PageSize.BYTES];
        private long scratchAddress;
        private net.openhft.chronicle.bytes.BytesStore<?, Void> scratchStore;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            byte[] n = SharedSecret.nonce();
            nonce = n;
            ByteBuf hello = ctx.alloc().buffer(4 + 6 + n.length);
            hello.writeInt(6 + n.length).writeInt(TcpProtocol.MAGIC).writeShort(TcpProtocol.VERSION).writeBytes(n);
            ctx.writeAndFlush(hello);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            nonce = null;
            ByteBuf b;
            while ((b = deferred.poll()) != null) {
                parked.decrementAndGet();
                b.release();
            }
            if (scratchStore != null) {
                scratchStore.releaseLast();
                scratchStore = null;
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf in) {
            if (closing) {
                ctx.close();
                return;
            }
            if (!authenticated) {
                authenticate(ctx, in);
                return;
            }
            if (!deferred.isEmpty() || !ctx.channel().isWritable()) {
                deferred.add(in.retain());
                parked.incrementAndGet();
                ctx.channel().config().setAutoRead(false);
                return;
            }
            serve(ctx, in);
        }

        /** Serves deferred requests while the connection is writable; reads again once none is left. */
        private void serveDeferred(ChannelHandlerContext ctx) {
            ByteBuf in;
            while (ctx.channel().isWritable() && !closing && (in = deferred.poll()) != null) {
                parked.decrementAndGet();
                try {
                    serve(ctx, in);
                } finally {
                    in.release();
                }
            }
            ctx.flush();
            ctx.channel().config().setAutoRead(ctx.channel().isWritable() && deferred.isEmpty());
        }

        private void authenticate(ChannelHandlerContext ctx, ByteBuf in) {
            boolean ok = in.readableBytes() == 6 + TcpProtocol.MAC_BYTES
                    && in.readInt() == TcpProtocol.MAGIC && in.readShort() == TcpProtocol.VERSION;
            if (ok) {
                byte[] mac = new byte[TcpProtocol.MAC_BYTES];
                in.readBytes(mac);
                ok = SharedSecret.verify(secret, nonce, mac);
            }
            ByteBuf reply = ctx.alloc().buffer(5).writeInt(1).writeByte(ok ? 0 : 1);
            if (ok) {
                authenticated = true;
                ctx.writeAndFlush(reply);
            } else {
                ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void serve(ChannelHandlerContext ctx, ByteBuf in) {
            if (in.readableBytes() < 8) {
                ctx.close();
                return;
            }
            int id = in.readInt();
            int n = in.readInt();
            if (n < 1 || n > TcpProtocol.MAX_PAGES_PER_REQUEST || in.readableBytes() != n * TcpProtocol.READ_BYTES) {
                refuse(ctx, id, Status.BAD_REQUEST, 0);
                return;
            }
            int base = in.readerIndex();
            for (int i = 0; i < n; i++) {
                int at = base + i * TcpProtocol.READ_BYTES;
                byte s = regions.check(in.getLong(at), in.getLong(at + 8), in.getInt(at + 16));
                if (s != Status.OK) {
                    refuse(ctx, id, s, i);
                    return;
                }
            }
            int body = TcpProtocol.RESPONSE_HEADER + n * PageSize.BYTES;
            ByteBuf out = ctx.alloc().directBuffer(4 + body);
            out.writeInt(body).writeInt(id).writeByte(Status.OK).writeInt(0);
            for (int i = 0; i < n; i++) {
                int at = base + i * TcpProtocol.READ_BYTES;
                byte s = copy(ctx, in.getLong(at), in.getLong(at + 8), in.getInt(at + 16), out);
                if (s != Status.OK || closing) {
                    out.release();
                    if (closing) {
                        ctx.close();
                    } else {
                        refuse(ctx, id, s, i);
                    }
                    return;
                }
            }
            ctx.write(out);
            io.netty.channel.ChannelOutboundBuffer queue = ctx.channel().unsafe().outboundBuffer();
            if (queue != null) {
                maxQueuedBytes.accumulateAndGet(queue.totalPendingWriteBytes(), Math::max);
            }
            if (!ctx.channel().isWritable()) {
                // the flush may make the channel writable again (and fire that event at once):
                // stop reading only if it is still over the high-water mark afterwards
                ctx.flush();
                if (!ctx.channel().isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
            }
        }

        private byte copy(ChannelHandlerContext ctx, long region, long key, int page, ByteBuf out) {
            if (out.hasMemoryAddress()) {
                byte s = regions.copyPage(region, key, page, out.memoryAddress() + out.writerIndex());
                if (s == Status.OK) {
                    out.writerIndex(out.writerIndex() + PageSize.BYTES);
                }
                return s;
            }
            if (scratchStore == null) {
                scratchStore = net.openhft.chronicle.bytes.BytesStore.nativeStoreWithFixedCapacity(PageSize.BYTES);
                scratchAddress = scratchStore.addressForRead(0);
            }
            byte s = regions.copyPage(region, key, page, scratchAddress);
            if (s == Status.OK) {
                OffHeap.copyToArray(scratchAddress, scratch, 0, PageSize.BYTES);
                out.writeBytes(scratch);
            }
            return s;
        }

        private void refuse(ChannelHandlerContext ctx, int id, byte status, int index) {
            ByteBuf out = ctx.alloc().buffer(4 + TcpProtocol.RESPONSE_HEADER);
            out.writeInt(TcpProtocol.RESPONSE_HEADER).writeInt(id).writeByte(status).writeInt(index);
            ctx.write(out);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!deferred.isEmpty() && ctx.channel().isWritable()) {
                serveDeferred(ctx);
                return;
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                serveDeferred(ctx);
            } else {
                ctx.channel().config().setAutoRead(false);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
