package org.medes.rdma;

import io.netty.buffer.ByteBuf;

/**
 * Wire format of the TCP page transport, version 1. Every message is one frame: a big-endian
 * int length (of what follows) and the body. Integers are big-endian.
 *
 * <pre>
 * server hello (server -> client, first frame after connect)
 *   0: int    magic 0x4D445053 ("MDPS")
 *   4: short  version (1)
 *   6: byte[16] nonce, random per connection
 *
 * client auth (client -> server, answer to hello)
 *   0: int    magic
 *   4: short  version
 *   6: byte[32] HMAC-SHA256(shared secret, nonce)   ({@link SharedSecret})
 *
 * auth result (server -> client)
 *   0: byte   status: 0 accepted; otherwise the server closes the connection
 *
 * read request (client -> server, pipelined, after auth)
 *   0: int    request id (echoed)
 *   4: int    count n, 1..MAX_PAGES_PER_REQUEST
 *   8: n x { long region id, long access key, int page index }   (20 bytes each)
 *
 * read response (server -> client, in request order)
 *   0: int    request id
 *   4: byte   status (Status: 0 OK, 1 unknown region, 2 out of range, 3 wrong key, 4 bad request)
 *   5: int    index in the request of the first refused read (0 when OK)
 *   9: when OK, n x 4096 bytes of page data in request order; nothing otherwise
 * </pre>
 *
 * A request is validated in full before any page is sent, and refused as a whole.
 */
final class TcpProtocol {
    static final int MAGIC = 0x4D445053;
    static final short VERSION = 1;
    static final int NONCE_BYTES = SharedSecret.NONCE_BYTES;
    static final int MAC_BYTES = SharedSecret.MAC_BYTES;
    static final int MAX_PAGES_PER_REQUEST = 256;
    static final int READ_BYTES = 20;
    static final int RESPONSE_HEADER = 9;
    /** Largest frame body either side accepts. */
    static final int MAX_FRAME = RESPONSE_HEADER + MAX_PAGES_PER_REQUEST * 4096;

    private TcpProtocol() {
    }

    /** The client's answer to the nonce at the reader index of {@code nonce} (not consumed). */
    static byte[] mac(byte[] secret, ByteBuf nonce) {
        byte[] n = new byte[NONCE_BYTES];
        nonce.getBytes(nonce.readerIndex(), n);
        return SharedSecret.answer(secret, n);
    }
}
