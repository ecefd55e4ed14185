package org.medes.rdma;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * How to reach one page server: its regions when it runs in this JVM, and/or its TCP address
 * with the shared secret.
 *
 * <p>Thread-safety: immutable.
 */
public final class PageEndpoint {
    private final PageRegions local;
    private final InetSocketAddress tcp;
    private final InetSocketAddress ucx;
    private final byte[] secret;
    private final InetSocketAddress disniKeys;

    private PageEndpoint(PageRegions local, InetSocketAddress tcp, byte[] secret) {
        this(local, tcp, null, secret, null);
    }

    private PageEndpoint(PageRegions local, InetSocketAddress tcp, InetSocketAddress ucx, byte[] secret,
                         InetSocketAddress disniKeys) {
        this.local = local;
        this.tcp = tcp;
        this.ucx = ucx;
        this.disniKeys = disniKeys;
        this.secret = secret == null ? null : SharedSecret.check(secret);
    }

    /** A server in this JVM. */
    public static PageEndpoint local(PageRegions regions) {
        return new PageEndpoint(java.util.Objects.requireNonNull(regions), null, null);
    }

    /** A server reached over TCP. */
    public static PageEndpoint tcp(InetSocketAddress address, byte[] secret) {
        return new PageEndpoint(null, java.util.Objects.requireNonNull(address), secret);
    }

    /** A server in this JVM that also listens on TCP. */
    public static PageEndpoint of(TcpPageServer server, byte[] secret) {
        return new PageEndpoint(server.regions(), server.address(), secret);
    }

    /** This endpoint, also readable by DiSNI one-sided reads; {@code keyChannel} is its {@code DisniPageServer}'s. */
    public PageEndpoint withDisni(InetSocketAddress keyChannel) {
        if (secret == null) {
            throw new IllegalStateException("DiSNI needs the shared secret: start from PageEndpoint.tcp or PageEndpoint.of");
        }
        return new PageEndpoint(local, tcp, ucx, secret, java.util.Objects.requireNonNull(keyChannel));
    }

    public Optional<InetSocketAddress> disniKeyChannel() {
        return Optional.ofNullable(disniKeys);
    }

    /** A server reached by UCX one-sided reads ({@link UcxPageServer}'s side-channel address), and over TCP when {@code tcp} is not null. */
    public static PageEndpoint ucx(InetSocketAddress sideChannel, InetSocketAddress tcp, byte[] secret) {
        return new PageEndpoint(null, tcp, java.util.Objects.requireNonNull(sideChannel), secret, null);
    }

    public Optional<InetSocketAddress> ucxAddress() {
        return Optional.ofNullable(ucx);
    }

    public Optional<PageRegions> localRegions() {
        return Optional.ofNullable(local);
    }

    public Optional<InetSocketAddress> tcpAddress() {
        return Optional.ofNullable(tcp);
    }

    byte[] secret() {
        return secret;
    }
}
