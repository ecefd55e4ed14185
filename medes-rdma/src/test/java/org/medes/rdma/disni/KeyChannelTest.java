package org.medes.rdma.disni;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.rdma.PageFetchException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key channel over real sockets, and its wire format byte for byte. */
class KeyChannelTest {
    static final byte[] SECRET = "medes test secret 0123456789".getBytes(StandardCharsets.UTF_8);
    static final InetSocketAddress RDMA = new InetSocketAddress(InetAddress.getLoopbackAddress(), 7471);
    static final RemoteRegion REGION = new RemoteRegion(7, 0x5EC12E7L, 5, List.of(
            new RemoteRegion.Segment(0, 3, 0x7f00_0000_0000L, 0x1111), new RemoteRegion.Segment(3, 2, 0x7f00_1000_0000L, 0x2222)));

    RegionDirectory directory;
    KeyServer server;

    @BeforeEach
    void start() throws IOException {
        directory = new RegionDirectory();
        directory.exported(REGION);
        directory.notExported(8, 42);
        server = KeyServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SECRET, RDMA, directory);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anAuthenticatedClientLearnsTheRdmaListenerAndRegions() throws Exception {
        try (KeyClient c = KeyClient.connect(server.address(), SECRET, 5000)) {
            assertThat(c.rdmaAddress()).isEqualTo(RDMA);
            assertThat(c.describe(7, REGION.key())).isEqualTo(REGION);
            assertThat(c.describe(7, REGION.key()).address(4)).isEqualTo(0x7f00_1000_1000L);
            assertThatThrownBy(() -> c.describe(7, REGION.key() + 1)).isInstanceOfSatisfying(PageFetchException.class,
                    e -> assertThat(e.reason()).isEqualTo(PageFetchException.Reason.WRONG_KEY));
            assertThatThrownBy(() -> c.describe(99, 0)).isInstanceOfSatisfying(PageFetchException.class,
                    e -> assertThat(e.reason()).isEqualTo(PageFetchException.Reason.UNKNOWN_REGION));
            assertThatThrownBy(() -> c.describe(8, 42)).isInstanceOfSatisfying(PageFetchException.class,
                    e -> assertThat(e).hasMessageContaining("could not register the region"));
            // the connection survives refusals
            directory.remove(7);
            assertThatThrownBy(() -> c.describe(7, REGION.key())).isInstanceOf(PageFetchException.class);
        }
    }

    @Test
    void aWrongSecretIsRefusedAndTheConnectionClosed() {
        assertThatThrownBy(() -> KeyClient.connect(server.address(), "another secret of enough bytes".getBytes(), 5000))
                .isInstanceOf(KeyClient.Refused.class).hasMessageContaining("refused the shared secret");
    }

    @Test
    void somethingElseThanAKeyChannelIsRefused() throws Exception {
        try (java.net.ServerSocket other = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = other.accept()) {
                    DataOutputStream o = new DataOutputStream(s.getOutputStream());
                    o.writeInt(22);
                    o.write(new byte[22]);
                    o.flush();
                    s.getInputStream().read();
                } catch (IOException ignored) {
                    // test peer
                }
            });
            t.start();
            assertThatThrownBy(() -> KeyClient.connect((InetSocketAddress) other.getLocalSocketAddress(), SECRET, 5000))
                    .isInstanceOf(KeyClient.Refused.class).hasMessageContaining("not a medes key channel");
            t.join(5000);
        }
    }

    @Test
    void helloAndRegionLayoutsAreAsDrawn() throws Exception {
        byte[] nonce = new byte[16];
        nonce[15] = 9;
        ByteBuffer h = ByteBuffer.wrap(KeyProtocol.hello(nonce));
        assertThat(h.remaining()).isEqualTo(22);
        assertThat(h.getInt()).isEqualTo(0x4D44524B);
        assertThat(h.getShort()).isEqualTo((short) 1);
        assertThat(h.get(21)).isEqualTo((byte) 9);

        ByteBuffer r = ByteBuffer.wrap(KeyProtocol.region(REGION));
        assertThat(r.remaining()).isEqualTo(17 + 2 * 20);
        assertThat(r.get()).isZero();
        assertThat(r.getLong()).isEqualTo(7);
        assertThat(r.getInt()).isEqualTo(5);
        assertThat(r.getInt()).isEqualTo(2);
        assertThat(new long[] {r.getInt(), r.getInt(), r.getLong(), r.getInt()}).containsExactly(0, 3, 0x7f00_0000_0000L, 0x1111);
        assertThat(new long[] {r.getInt(), r.getInt(), r.getLong(), r.getInt()}).containsExactly(3, 2, 0x7f00_1000_0000L, 0x2222);

        ByteBuffer a = ByteBuffer.wrap(KeyProtocol.accepted(RDMA));
        assertThat(a.remaining()).isEqualTo(1 + 1 + 4 + 4);
        assertThat(a.get(1)).isEqualTo((byte) 4);
        assertThat(a.getInt(6)).isEqualTo(7471);
        assertThat(KeyProtocol.parseAuthResult(KeyProtocol.accepted(RDMA))).isEqualTo(RDMA);
        assertThat(KeyProtocol.parseAuthResult(KeyProtocol.refused())).isNull();
        assertThat(KeyProtocol.parseDescribe(KeyProtocol.describe(7, -2))).containsExactly(7, -2);
    }

    @Test
    void malformedMessagesAreRefused() {
        byte[] good = KeyProtocol.region(REGION);
        // a segment list with a gap
        byte[] gap = good.clone();
        ByteBuffer.wrap(gap).putInt(17 + 20, 4);
        assertThatThrownBy(() -> KeyProtocol.parseRegion(gap, 7, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("does not continue at page 3");
        // the description of another region than the one asked for
        assertThatThrownBy(() -> KeyProtocol.parseRegion(good, 8, 1)).hasMessageContaining("asked for region 8");
        // a segment count that does not match the length
        byte[] count = good.clone();
        ByteBuffer.wrap(count).putInt(13, 3);
        assertThatThrownBy(() -> KeyProtocol.parseRegion(count, 7, 1)).hasMessageContaining("3 segments in a message of 57 bytes");
        // a truncated auth result, a wrong hello magic, an oversize frame
        assertThatThrownBy(() -> KeyProtocol.parseAuthResult(new byte[] {0, 4, 1})).hasMessageContaining("malformed auth result");
        byte[] hello = KeyProtocol.hello(new byte[16]);
        hello[0] = 0;
        assertThatThrownBy(() -> KeyProtocol.parseHello(hello)).hasMessageContaining("not a medes key channel");
        byte[] frame = ByteBuffer.allocate(4).putInt(KeyProtocol.MAX_FRAME + 1).array();
        assertThatThrownBy(() -> KeyProtocol.readFrame(new DataInputStream(new ByteArrayInputStream(frame))))
                .hasMessageContaining("at most " + KeyProtocol.MAX_FRAME);
    }

    @Test
    void framesRoundTrip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        KeyProtocol.writeFrame(new DataOutputStream(bytes), KeyProtocol.describe(3, 4));
        byte[] body = KeyProtocol.readFrame(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(KeyProtocol.parseDescribe(body)).containsExactly(3, 4);
    }
}
