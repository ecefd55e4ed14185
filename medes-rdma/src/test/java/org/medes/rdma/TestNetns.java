package org.medes.rdma;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace joined to the root namespace by a veth pair, for multi-node tests: the
 * root end has {@link #rootIp()}, the namespace end {@link #nsIp()}. {@link #close()} deletes both.
 */
final class TestNetns implements AutoCloseable {
    private final String ns;
    private final String vethRoot;
    private final String rootIp;
    private final String nsIp;
    private final String vethNs;

    private TestNetns(String ns, String vethRoot, String vethNs, String rootIp, String nsIp) {
        this.ns = ns;
        this.vethRoot = vethRoot;
        this.vethNs = vethNs;
        this.rootIp = rootIp;
        this.nsIp = nsIp;
    }

    /** Why namespaces cannot be made here, or null when they can. */
    static String unavailable() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root to create network namespaces";
        }
        if (run("ip", "-V") != 0) {
            return "needs iproute2 (the ip command)";
        }
        return null;
    }

    /** Creates namespace {@code prefix-PID} and its veth pair, or throws after cleaning up. */
    static TestNetns create(String prefix) throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        String tag = Long.toString(pid % 100000);
        int subnet = (int) ((pid + prefix.hashCode() & 0x7fffffff) % 200) + 20;
        String vethNs = "mrn" + tag + prefix.length() % 10;
        TestNetns n = new TestNetns(prefix + "-" + tag, "mrr" + tag + prefix.length() % 10, vethNs,
                "10.213." + subnet + ".1", "10.213." + subnet + ".2");
        n.close();
        boolean ok = run("ip", "netns", "add", n.ns) == 0
                && run("ip", "link", "add", n.vethRoot, "type", "veth", "peer", "name", vethNs) == 0
                && run("ip", "link", "set", n.vethNs, "netns", n.ns) == 0
                && run("ip", "addr", "add", n.rootIp + "/24", "dev", n.vethRoot) == 0
                && run("ip", "link", "set", n.vethRoot, "up") == 0
                && run("ip", "netns", "exec", n.ns, "ip", "addr", "add", n.nsIp + "/24", "dev", n.vethNs) == 0
                && run("ip", "netns", "exec", n.ns, "ip", "link", "set", n.vethNs, "up") == 0
                && run("ip", "netns", "exec", n.ns, "ip", "link", "set", "lo", "up") == 0;
        if (!ok) {
            n.close();
            throw new IOException("could not set up namespace " + n.ns + " with a veth pair");
        }
        return n;
    }



    String rootIp() {
        return rootIp;
    }

    String nsIp() {
        return nsIp;
    }

    /** The veth end in the root namespace (a network device name, as for {@code UCX_NET_DEVICES}). */
    String rootDevice() {
        return vethRoot;
    }

    /** The veth end inside the namespace. */
    String nsDevice() {
        return vethNs;
    }

    /** Command prefix that runs a program inside the namespace. */
    List<String> execPrefix() {
        return List.of("ip", "netns", "exec", ns);
    }

    /** Deletes the namespace and the veth pair; idempotent. */
    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "netns", "del", ns);
        run("ip", "link", "del", vethRoot);
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
