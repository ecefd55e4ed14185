package org.medes.criu.tool;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The image streamer against a client that plays CRIU's side of the protocol byte for byte
 * (request, reply, a pipe passed with SCM_RIGHTS on one dummy byte), so every case is
 * deterministic; the real CRIU uses it in DedupStartIntegrationTest.
 */
class ImageStreamerTest {
    private static final LibC C = LibC.get();
    private static final jnr.ffi.Runtime RT = jnr.ffi.Runtime.getRuntime(C);

    @TempDir
    Path dir;
    Path images;
    int client = -1;

    @BeforeEach
    void setUp() throws IOException {
        images = Files.createDirectories(dir.resolve("images"));
        Files.write(images.resolve("inventory.img"), "small file".getBytes(StandardCharsets.UTF_8));
        byte[] large = new byte[300_000]; // more than a pipe holds: written on a thread of its own
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31 + 7);
        }
        Files.write(images.resolve("mm-1.img"), large);
        Files.write(dir.resolve("secret.img"), "outside".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        if (client >= 0) {
            C.close(client);
        }
    }

    @Test
    void servesFilesOfTheDirectoryAndStreamedOnesAndSaysWhichAreAbsent() throws Exception {
        byte[] pages = new byte[3 * 4096];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = (byte) (i >>> 4);
        }
        Pointer mem = Memory.allocateDirect(RT, pages.length);
        mem.put(0, pages, 0, pages.length);
        ImageStreamer.Content content = out -> {
            out.write(mem.address(), 4096);
            out.write(mem.address() + 4096, 2 * 4096);
        };
        try (ImageStreamer s = ImageStreamer.start(dir, images, Map.of("pages-1.img", content), Duration.ofSeconds(10))) {
            connect();
            assertThat(fetch("inventory.img")).isEqualTo(Files.readAllBytes(images.resolve("inventory.img")));
            assertThat(fetch("mm-1.img")).isEqualTo(Files.readAllBytes(images.resolve("mm-1.img")));
            assertThat(fetch("pages-1.img")).isEqualTo(pages);
            assertThat(fetch("ipcns-shm-9.img")).as("absent").isNull();
            assertThat(fetch("../secret.img")).as("no path outside the directory").isNull();
            C.close(client);
            client = -1;
            s.awaitDone(Duration.ofSeconds(10));
            assertThat(s.requested()).containsExactly("inventory.img", "mm-1.img", "pages-1.img",
                    "ipcns-shm-9.img (absent)", "../secret.img (absent)");
        }
        assertThat(dir.resolve(ImageStreamer.SOCKET_NAME)).doesNotExist();
    }

    @Test
    void theCopyingFallbackServesTheSameBytes() throws Exception {
        System.setProperty("medes.criu.stream.noVmsplice", "true");
        try {
            servesFilesOfTheDirectoryAndStreamedOnesAndSaysWhichAreAbsent();
        } finally {
            System.clearProperty("medes.criu.stream.noVmsplice");
        }
    }

    @Test
    void aContentThatFailsEndsItsFileShortAndIsReported() throws Exception {
        Pointer mem = Memory.allocateDirect(RT, 4096, true);
        ImageStreamer.Content failing = out -> {
            out.write(mem.address(), 4096);
            throw new IOException("page 7 could not be rebuilt");
        };
        try (ImageStreamer s = ImageStreamer.start(dir, images, Map.of("pages-1.img", failing), Duration.ofSeconds(10))) {
            connect();
            assertThat(fetch("pages-1.img")).as("the file ends after what was written").hasSize(4096);
            C.close(client);
            client = -1;
            assertThatThrownBy(() -> s.awaitDone(Duration.ofSeconds(10))).isInstanceOf(IOException.class)
                    .hasMessageContaining("pages-1.img").hasMessageContaining("page 7 could not be rebuilt");
        }
    }

    @Test
    void aMalformedRequestIsReported() throws Exception {
        try (ImageStreamer s = ImageStreamer.start(dir, images, Map.of(), Duration.ofSeconds(10))) {
            connect();
            send(new byte[] {0, 0, 0, 0x7f}); // a length of 2 GiB
            assertThatThrownBy(() -> s.awaitDone(Duration.ofSeconds(10))).isInstanceOf(IOException.class)
                    .hasMessageContaining("malformed request").hasMessageContaining("length");
        }
    }

    @Test
    void criuThatNeverConnectsTimesOut() throws Exception {
        try (ImageStreamer s = ImageStreamer.start(dir, images, Map.of(), Duration.ofMillis(300))) {
            assertThatThrownBy(() -> s.awaitDone(Duration.ofSeconds(10))).isInstanceOf(IOException.class)
                    .hasMessageContaining("timed out waiting for CRIU to connect");
        }
    }

    @Test
    void aSocketPathTooLongIsRefusedWithItsLength() {
        Path deep = dir.resolve("x".repeat(120));
        assertThatThrownBy(() -> ImageStreamer.start(deep, images, Map.of(), Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class).hasMessageContaining("at most 107");
    }

    // ---------------------------------------------------------------- CRIU's side

    private void connect() throws IOException {
        client = C.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        byte[] path = dir.resolve(ImageStreamer.SOCKET_NAME).toString().getBytes(StandardCharsets.UTF_8);
        Pointer addr = Memory.allocateDirect(RT, LibC.SOCKADDR_UN_BYTES, true);
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.put(2, path, 0, path.length);
        if (C.connect(client, addr, LibC.SOCKADDR_UN_BYTES) != 0) {
            throw new IOException(LibC.describe("connect"));
        }
    }

    /** Asks for {@code name} as CRIU does; its bytes, or null when the streamer says it is absent. */
    private byte[] fetch(String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] req = new byte[4 + 2 + n.length];
        req[0] = (byte) (2 + n.length);
        req[4] = 0x0a;
        req[5] = (byte) n.length;
        System.arraycopy(n, 0, req, 6, n.length);
        send(req);
        byte[] reply = recvExactly(6);
        assertThat(reply).startsWith(2, 0, 0, 0, 0x08);
        if (reply[5] == 0) {
            return null;
        }
        int[] fds = new int[2];
        assertThat(C.pipe(fds)).isZero();
        sendFd(fds[1]);
        C.close(fds[1]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long got;
        while ((got = C.read(fds[0], buf, buf.length)) > 0) {
            out.write(buf, 0, (int) got);
        }
        C.close(fds[0]);
        assertThat(got).as("read ends cleanly").isZero();
        return out.toByteArray();
    }

    private void send(byte[] b) {
        assertThat(C.send(client, b, b.length, LibC.MSG_NOSIGNAL)).isEqualTo(b.length);
    }

    private byte[] recvExactly(int n) throws IOException {
        byte[] out = new byte[n];
        byte[] buf = new byte[n];
        int at = 0;
        while (at < n) {
            long got = C.recv(client, buf, n - at, 0);
            if (got <= 0) {
                throw new IOException("the streamer closed the socket");
            }
            System.arraycopy(buf, 0, out, at, (int) got);
            at += (int) got;
        }
        return out;
    }

    /** One dummy byte carrying {@code fd} in an SCM_RIGHTS message, as CRIU's send_fd does. */
    private void sendFd(int fd) {
        ImageStreamer.FdMessage m = new ImageStreamer.FdMessage(RT, 24);
        m.carry(fd);
        assertThat(C.sendmsg(client, m.msg, 0)).isEqualTo(1);
    }
}
