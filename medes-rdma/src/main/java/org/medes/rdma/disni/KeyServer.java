package org.medes.rdma.disni;

import org.medes.rdma.SharedSecret;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the DiSNI key channel ({@link KeyProtocol}) on a plain TCP socket: a thread per
 * connection, a client that does not prove the shared secret is refused and disconnected, idle
 * connections are dropped after {@value #IDLE_MILLIS} ms.
 *
 * <p>Thread-safety: thread-safe.
 */
final class KeyServer implements AutoCloseable {
    static final int IDLE_MILLIS = 60_000;

    /** Answers a describe request with a region message or a refusal ({@link KeyProtocol}). */
    interface Directory {
        byte[] describe(long region, long key);
    }

    private final ServerSocket socket;
    private final byte[] secret;
    private final InetSocketAddress rdma;
    private final Directory directory;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private KeyServer(ServerSocket socket, byte[] secret, InetSocketAddress rdma, Directory directory) {
        this.socket = socket;
        this.secret = SharedSecret.check(secret);
        this.rdma = rdma;
        this.directory = directory;
    }

    /** Listens on {@code bind} (port 0 picks one); tells authenticated clients {@code rdma}. */
    static KeyServer start(InetSocketAddress bind, byte[] secret, InetSocketAddress rdma, Directory directory)
            throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(bind);
        KeyServer k = new KeyServer(s, secret, rdma, directory);
        Thread t = new Thread(k::acceptLoop, "medes-disni-keys-" + s.getLocalPort());
        t.setDaemon(true);
        t.start();
        return k;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket c = socket.accept();
                connections.add(c);
                Thread t = new Thread(() -> serve(c), "medes-disni-keys-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket c) {
        try (c) {
            c.setSoTimeout(IDLE_MILLIS);
            c.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new BufferedInputStream(c.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(c.getOutputStream()));
            byte[] nonce = SharedSecret.nonce();
            KeyProtocol.writeFrame(out, KeyProtocol.hello(nonce));
            byte[] proof = KeyProtocol.parseAuth(KeyProtocol.readFrame(in));
            if (!SharedSecret.verify(secret, nonce, proof)) {
                KeyProtocol.writeFrame(out, KeyProtocol.refused());
                return;
            }
            KeyProtocol.writeFrame(out, KeyProtocol.accepted(rdma));
            while (!closed) {
                long[] q = KeyProtocol.parseDescribe(KeyProtocol.readFrame(in));
                KeyProtocol.writeFrame(out, directory.describe(q[0], q[1]));
            }
        } catch (IOException | RuntimeException e) {
            // malformed frame, idle timeout or the client left: drop the connection
        } finally {
            connections.remove(c);
        }
    }

    /** Stops listening and drops every connection; idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket c : connections) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
