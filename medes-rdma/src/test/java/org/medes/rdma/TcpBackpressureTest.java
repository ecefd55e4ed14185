package org.medes.rdma;

import org.junit.jupiter.api.Test;
import org.medes.core.page.PageSize;
import org.medes.core.page.SandboxImage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that pipelines reads of ~200 MiB of pages and does not read the answers: the server
 * queues at most a few MiB of responses (it stops taking requests, or parks them), then serves all
 * of them, in order, once the client reads.
 */
class TcpBackpressureTest {
    static final int REQUESTS = 200;
    static final int PAGES = 256;

    @Test
    void aClientThatStopsReadingCostsTheServerBoundedMemory() throws Exception {
        try (PageRegions regions = new PageRegions();
             SandboxImage im = TestPages.image("base", 1024, 21);
             TcpPageServer server = TcpPageServer.start(regions, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     TcpPageFetcherTest.SECRET, 1);
             Socket socket = new Socket()) {
            PageRegion r = regions.register(im);
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(server.address(), 10_000);
            socket.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            assertThat(in.readInt()).isEqualTo(6 + 16);
            assertThat(in.readInt()).isEqualTo(TcpProtocol.MAGIC);
            assertThat(in.readShort()).isEqualTo(TcpProtocol.VERSION);
            byte[] nonce = in.readNBytes(16);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(TcpPageFetcherTest.SECRET, "HmacSHA256"));
            out.writeInt(6 + 32);
            out.writeInt(TcpProtocol.MAGIC);
            out.writeShort(TcpProtocol.VERSION);
            out.write(mac.doFinal(nonce));
            out.flush();
            assertThat(in.readInt()).isEqualTo(1);
            assertThat(in.readByte()).isEqualTo((byte) 0);

            java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int q = 0; q < REQUESTS; q++) {
                        out.writeInt(8 + PAGES * TcpProtocol.READ_BYTES);
                        out.writeInt(q);
                        out.writeInt(PAGES);
                        for (int i = 0; i < PAGES; i++) {
                            out.writeLong(r.id());
                            out.writeLong(r.key());
                            out.writeInt((q * PAGES + i) % r.pageCount());
                        }
                        out.flush();
                        written.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // The client reads nothing. Its ~1 MiB of requests fit in the sockets' buffers, so the
            // writer finishes either way; what matters is the server: a bounded one stops taking
            // requests once ~4 MiB of responses wait, an unbounded one would read all 200 and queue
            // ~200 MiB within milliseconds on loopback. Poll (deadline 30 s) until the writer is done
            // and the server's largest queue has not grown for 0.5 s.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long last = -1;
            long stillSince = System.nanoTime();
            while (System.nanoTime() < end) {
                long queued = server.maxQueuedBytes();
                if (queued != last || !writer.isDone()) {
                    last = queued;
                    stillSince = System.nanoTime();
                } else if (System.nanoTime() - stillSince > TimeUnit.MILLISECONDS.toNanos(500)) {
                    break;
                }
                Thread.onSpinWait();
            }
            System.out.println("backpressure: " + written.get() + " of " + REQUESTS + " requests written; "
                    + server.parkedRequests() + " parked, at most " + server.maxQueuedBytes()
                    + " response bytes queued");
            assertThat(server.maxQueuedBytes()).as("response bytes queued on the connection")
                    .isPositive().isLessThan(6L << 20);

            byte[] page = new byte[PageSize.BYTES];
            for (int q = 0; q < REQUESTS; q++) {
                assertThat(in.readInt()).isEqualTo(TcpProtocol.RESPONSE_HEADER + PAGES * PageSize.BYTES);
                assertThat(in.readInt()).isEqualTo(q);
                assertThat(in.readByte()).isEqualTo(Status.OK);
                in.readInt();
                for (int i = 0; i < PAGES; i++) {
                    in.readFully(page);
                    if (i == q % PAGES) {
                        assertThat(page).isEqualTo(im.page((q * PAGES + i) % r.pageCount()));
                    }
                }
            }
            writer.get(30, TimeUnit.SECONDS);
            assertThat(server.parkedRequests()).isZero();
            assertThat(server.maxQueuedBytes()).isLessThan(6L << 20);
        }
    }
}
