package org.medes.rdma;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Side channel of the UCX page transport, version 1: a TCP connection on which a client proves
 * it holds the shared secret, learns the server's UCX worker address and asks for regions; page
 * data never travels on it (one-sided UCX gets do). Every message is one frame: a big-endian int
 * length of the body, then the body. Integers are big-endian.
 *
 * <pre>
 * hello     S->C  0: int magic 0x4D445055 ("MDPU")  4: short version (1)  6: byte[16] nonce
 * auth      C->S  0: int magic  4: short version  6: byte[32] HMAC-SHA256(secret, nonce)
 * accepted  S->C  0: byte status (0 accepted, else the server closes)  1: byte[] UCX worker address
 * lookup    C->S  0: byte 1  1: int request id  5: long region id  13: long access key
 * grant     S->C  0: byte 1  1: int request id  5: byte status (Status codes)
 *                 when OK: 6: int page count  10: int run count r
 *                          14: r x { int first page, int pages, long address, int key length k, byte[k] packed rkey }
 * revoke    S->C  0: byte 2  1: long region id      (the region is retiring: stop reading it)
 * revoked   C->S  0: byte 2  1: long region id      (no read of it is in flight, its rkeys are gone)
 * </pre>
 *
 * A run is a stretch of pages contiguous in the server's memory, registered with one
 * {@code ucp_mem_map}; page p of the region lies at {@code address + (p - first) * 4096} of the
 * run holding it.
 */
final class UcxProtocol {
    static final int MAGIC = 0x4D445055;
    static final short VERSION = 1;
    static final byte LOOKUP = 1;
    static final byte REVOKE = 2;
    /** Largest frame body either side accepts (a grant of many runs). */
    static final int MAX_FRAME = 16 << 20;

    private UcxProtocol() {
    }

    /** Reads one frame body; refuses lengths outside 1..{@link #MAX_FRAME}. */
    static byte[] read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > MAX_FRAME) {
            throw new IOException("bad frame length " + n + " on the UCX side channel");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Writes one frame (body of {@code length} bytes of {@code body}) and flushes. */
    static void write(DataOutputStream out, byte[] body, int length) throws IOException {
        synchronized (out) {
            out.writeInt(length);
            out.write(body, 0, length);
            out.flush();
        }
    }
}
