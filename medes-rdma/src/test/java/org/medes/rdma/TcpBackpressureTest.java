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
 * A client that pipelines ~200 MiB of reads and does not read the answers: the server parks the
 * requests instead of queueing responses, then serves all of them, in order, once the client reads.
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
                    }
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.parkedRequests() == 0 && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            assertThat(server.parkedRequests()).as("requests parked by backpressure").isPositive();
            System.out.println("backpressure: " + server.parkedRequests() + " requests parked, at most "
                    + server.maxQueuedBytes() + " response bytes queued");
            assertThat(server.maxQueuedBytes()).as("response bytes queued on the connection").isLessThan(6L << 20);

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
