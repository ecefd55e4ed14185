package org.medes.rdma.disni;

import org.medes.rdma.PageFetchException;
import org.medes.rdma.SharedSecret;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire format of the DiSNI key channel, version 1: the small TCP side channel on which a client
 * proves it holds the shared secret and learns, per region, the remote addresses and rkeys it
 * then reads with one-sided RDMA READs. Every message is one frame: a big-endian int length (of
 * what follows) and the body; integers are big-endian.
 *
 * <pre>
 * hello (server -> client, first frame)
 *   0: int    magic 0x4D44524B ("MDRK")
 *   4: short  version (1)
 *   6: byte[16] nonce
 *
 * auth (client -> server)
 *   0: int    magic
 *   4: short  version
 *   6: byte[32] HMAC-SHA256(shared secret, nonce)      ({@link SharedSecret})
 *
 * auth result (server -> client); on refusal the server closes the connection
 *   0: byte   status: 0 accepted, 1 refused
 *   1: byte   address length a (4 or 16), when accepted
 *   2: byte[a] IP address of the RDMA listener
 * 2+a: int    port of the RDMA listener
 *
 * describe (client -> server, any number, one at a time)
 *   0: long   region id
 *   8: long   access key
 *
 * region (server -> client)
 *   0: byte   status: 0 OK, 1 unknown region, 3 wrong key, 6 not exported (registration failed)
 *   when OK:
 *   1: long   region id
 *   9: int    page count
 *  13: int    segment count s, 0..MAX_SEGMENTS
 *  17: s x { int first page, int pages, long remote address, int rkey }   (20 bytes each)
 * </pre>
 * A reader refuses a frame longer than {@link #MAX_FRAME}, a wrong magic or version, a count out
 * of range and a segment list that does not cover the region ({@link RemoteRegion}).
 */
final class KeyProtocol {
    static final int MAGIC = 0x4D44524B;
    static final short VERSION = 1;
    static final byte OK = 0;
    static final byte REFUSED = 1;
    static final byte UNKNOWN_REGION = 1;
    static final byte WRONG_KEY = 3;
    static final byte NOT_EXPORTED = 6;
    /** Most segments per region: 64 Ki (a 64 GiB region of 1 MiB runs). */
    static final int MAX_SEGMENTS = 1 << 16;
    static final int SEGMENT_BYTES = 20;
    static final int MAX_FRAME = 17 + MAX_SEGMENTS * SEGMENT_BYTES;

    private KeyProtocol() {
    }

    /** The body of the next frame. */
    static byte[] readFrame(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > MAX_FRAME) {
            throw new IOException("key channel frame of " + len + " bytes (at most " + MAX_FRAME + ")");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    static void writeFrame(DataOutputStream out, byte[] body) throws IOException {
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    static byte[] hello(byte[] nonce) {
        return headed(nonce);
    }

    /** The nonce of a hello. */
    static byte[] parseHello(byte[] b) throws IOException {
        return unheaded(b, SharedSecret.NONCE_BYTES, "hello");
    }

    static byte[] auth(byte[] proof) {
        return headed(proof);
    }

    /** The proof of an auth message. */
    static byte[] parseAuth(byte[] b) throws IOException {
        return unheaded(b, SharedSecret.PROOF_BYTES, "auth");
    }

    /** Magic, version, then {@code payload}. */
    private static byte[] headed(byte[] payload) {
        return body(o -> {
            o.writeInt(MAGIC);
            o.writeShort(VERSION);
            o.write(payload);
        });
    }

    /** The {@code length}-byte payload after magic and version, both checked. */
    private static byte[] unheaded(byte[] b, int length, String what) throws IOException {
        DataInputStream in = header(b, 6 + length, what);
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    static byte[] accepted(InetSocketAddress rdma) {
        byte[] ip = rdma.getAddress().getAddress();
        return body(o -> {
            o.writeByte(OK);
            o.writeByte(ip.length);
            o.write(ip);
            o.writeInt(rdma.getPort());
        });
    }

    static byte[] refused() {
        return new byte[] {REFUSED};
    }

    /** The RDMA listener's address, or null when the server refused the proof. */
    static InetSocketAddress parseAuthResult(byte[] b) throws IOException {
        if (b.length == 1 && b[0] == REFUSED) {
            return null;
        }
        DataInputStream in = stream(b);
        int a = b.length > 2 ? b[1] : -1;
        if (b[0] != OK || (a != 4 && a != 16) || b.length != 2 + a + 4) {
            throw new IOException("malformed auth result of " + b.length + " bytes");
        }
        in.skipBytes(2);
        byte[] ip = new byte[a];
        in.readFully(ip);
        int port = in.readInt();
        if (port < 1 || port > 65535) {
            throw new IOException("auth result names port " + port);
        }
        return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    }

    static byte[] describe(long region, long key) {
        return body(o -> {
            o.writeLong(region);
            o.writeLong(key);
        });
    }

    /** {region id, key} of a describe message. */
    static long[] parseDescribe(byte[] b) throws IOException {
        if (b.length != 16) {
            throw new IOException("describe message of " + b.length + " bytes, not 16");
        }
        DataInputStream in = stream(b);
        return new long[] {in.readLong(), in.readLong()};
    }

    static byte[] region(RemoteRegion r) {
        if (r.segments().size() > MAX_SEGMENTS) {
            throw new IllegalArgumentException("region " + r.id() + " has " + r.segments().size() + " segments (at most "
                    + MAX_SEGMENTS + ")");
        }
        return body(o -> {
            o.writeByte(OK);
            o.writeLong(r.id());
            o.writeInt(r.pageCount());
            o.writeInt(r.segments().size());
            for (RemoteRegion.Segment s : r.segments()) {
                o.writeInt(s.firstPage());
                o.writeInt(s.pages());
                o.writeLong(s.address());
                o.writeInt(s.rkey());
            }
        });
    }

    static byte[] regionRefused(byte status) {
        return new byte[] {status};
    }

    /**
     * The region described by {@code b} for a request of ({@code region}, {@code key}).
     *
     * @throws PageFetchException when the server refused: UNKNOWN_REGION, WRONG_KEY, or
     *                            UNKNOWN_REGION for a region it could not export
     * @throws IOException        when {@code b} is malformed or describes another region
     */
    static RemoteRegion parseRegion(byte[] b, long region, long key) throws IOException, PageFetchException {
        if (b.length == 1 && b[0] != OK) {
            PageFetchException.Reason reason = b[0] == WRONG_KEY ? PageFetchException.Reason.WRONG_KEY
                    : PageFetchException.Reason.UNKNOWN_REGION;
            String why = switch (b[0]) {
                case WRONG_KEY -> "access key refused by the key channel";
                case NOT_EXPORTED -> "the page server could not register the region with its RDMA device";
                default -> "the page server has no such region";
            };
            throw new PageFetchException(reason, region, new int[0], why, null);
        }
        if (b.length < 17 || b[0] != OK) {
            throw new IOException("malformed region message of " + b.length + " bytes");
        }
        DataInputStream in = stream(b);
        in.skipBytes(1);
        long id = in.readLong();
        int pages = in.readInt();
        int n = in.readInt();
        if (id != region) {
            throw new IOException("asked for region " + region + ", the key channel described region " + id);
        }
        if (n < 0 || n > MAX_SEGMENTS || b.length != 17 + n * SEGMENT_BYTES) {
            throw new IOException("region " + id + ": " + n + " segments in a message of " + b.length + " bytes");
        }
        List<RemoteRegion.Segment> segs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            segs.add(new RemoteRegion.Segment(in.readInt(), in.readInt(), in.readLong(), in.readInt()));
        }
        try {
            return new RemoteRegion(id, key, pages, segs);
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed region description: " + e.getMessage(), e);
        }
    }

    private static DataInputStream header(byte[] b, int length, String what) throws IOException {
        if (b.length != length) {
            throw new IOException(what + " of " + b.length + " bytes, not " + length);
        }
        DataInputStream in = stream(b);
        int magic = in.readInt();
        short version = in.readShort();
        if (magic != MAGIC || version != VERSION) {
            throw new IOException("not a medes key channel of version " + VERSION + " (magic 0x" + Integer.toHexString(magic)
                    + ", version " + version + ")");
        }
        return in;
    }

    private static DataInputStream stream(byte[] b) {
        return new DataInputStream(new java.io.ByteArrayInputStream(b));
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] body(Writer w) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            w.write(o);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }
}
