package org.medes.rdma.disni;

import org.medes.rdma.PageFetchException;
import org.medes.rdma.SharedSecret;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One authenticated connection to a {@link KeyServer}: tells the RDMA listener's address and
 * describes regions on demand.
 *
 * <p>Thread-safety: thread-safe; requests are serialized.
 */
final class KeyClient implements AutoCloseable {
    /** The server refused the shared secret or does not speak the key channel. */
    static final class Refused extends IOException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final InetSocketAddress rdma;

    private KeyClient(Socket socket, DataInputStream in, DataOutputStream out, InetSocketAddress rdma) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.rdma = rdma;
    }

    /**
     * Connects to {@code server} and proves {@code secret}.
     *
     * @throws Refused     when the server refused the secret or is not a key channel
     * @throws IOException when it cannot be reached or the connection broke
     */
    static KeyClient connect(InetSocketAddress server, byte[] secret, int timeoutMillis) throws IOException {
        Socket s = new Socket();
        boolean ok = false;
        try {
            s.connect(server, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            byte[] nonce;
            try {
                nonce = KeyProtocol.parseHello(KeyProtocol.readFrame(in));
            } catch (IOException e) {
                throw e instanceof java.net.SocketTimeoutException || e instanceof java.io.EOFException
                        ? e : new Refused(server + " is not a medes key channel: " + e.getMessage(), e);
            }
            KeyProtocol.writeFrame(out, KeyProtocol.auth(SharedSecret.proof(secret, nonce)));
            InetSocketAddress rdma = KeyProtocol.parseAuthResult(KeyProtocol.readFrame(in));
            if (rdma == null) {
                throw new Refused(server + " refused the shared secret", null);
            }
            ok = true;
            return new KeyClient(s, in, out, rdma);
        } finally {
            if (!ok) {
                s.close();
            }
        }
    }

    /** Address of the server's RDMA listener. */
    InetSocketAddress rdmaAddress() {
        return rdma;
    }

    /**
     * The remote segments of region {@code region} for access key {@code key}.
     *
     * @throws PageFetchException when the server refuses (unknown region, wrong key, not exported)
     * @throws IOException        when the connection broke or the answer is malformed
     */
    synchronized RemoteRegion describe(long region, long key) throws IOException, PageFetchException {
        KeyProtocol.writeFrame(out, KeyProtocol.describe(region, key));
        return KeyProtocol.parseRegion(KeyProtocol.readFrame(in), region, key);
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
