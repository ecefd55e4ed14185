package org.medes.rdma;

import org.medes.core.page.SandboxImage;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * A page server process for multi-node tests and the benchmark: serves one region of
 * {@link TestPages#image} pages with a {@link TcpPageServer} ({@code tcp}, the default) or a
 * {@link UcxPageServer} ({@code ucx}; UCX takes its settings from the environment's
 * {@code UCX_*} variables) and prints {@code READY host port region key pages transport}, where
 * the port is the TCP server's or the UCX side channel's; exits when its standard input closes
 * (so it dies with its parent).
 *
 * <p>{@code java -cp ... org.medes.rdma.PageServerMain BIND_HOST PORT PAGES SEED SECRET_HEX [tcp|ucx]}
 */
public final class PageServerMain {
    private PageServerMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int pages = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        byte[] secret = HexFormat.of().parseHex(args[4]);
        boolean ucx = args.length > 5 && args[5].equals("ucx");
        InetSocketAddress bind = new InetSocketAddress(host, port);
        try (PageRegions regions = new PageRegions();
             SandboxImage image = TestPages.image("served", pages, seed);
             PageServer server = ucx ? UcxPageServer.start(regions, bind, secret) : TcpPageServer.start(regions, bind, secret, 2)) {
            PageRegion r = regions.register(image);
            InetSocketAddress a = ucx ? ((UcxPageServer) server).address() : ((TcpPageServer) server).address();
            System.out.println("READY " + a.getAddress().getHostAddress() + " " + a.getPort() + " " + r.id() + " " + r.key()
                    + " " + r.pageCount() + " " + (ucx ? "ucx" : TcpPageServer.transport()));
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // keep serving until the parent closes our stdin
            }
        }
    }
}
