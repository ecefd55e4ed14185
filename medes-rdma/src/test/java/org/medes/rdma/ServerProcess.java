package org.medes.rdma;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A {@link PageServerMain} JVM started by a test or the benchmark, optionally behind a command prefix (ip netns exec NS). */
final class ServerProcess implements AutoCloseable {
    final Process process;
    final InetSocketAddress address;
    final PageRegion region;
    final String transport;

    private ServerProcess(Process process, InetSocketAddress address, PageRegion region, String transport) {
        this.process = process;
        this.address = address;
        this.region = region;
        this.transport = transport;
    }

    static ServerProcess start(List<String> prefix, String bindHost, int pages, long seed, byte[] secret) throws IOException {
        return start(prefix, bindHost, pages, seed, secret, "tcp", Map.of());
    }

    /**
     * Starts a {@code transport} ("tcp" or "ucx") page server; {@code env} is added to its
     * environment (for UCX: {@code UCX_TLS}, {@code UCX_NET_DEVICES}, ...).
     */
    static ServerProcess start(List<String> prefix, String bindHost, int pages, long seed, byte[] secret,
                               String transport, Map<String, String> env) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        // the flags this JVM got (--add-opens and friends for Chronicle Bytes), so the server runs the same way
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("-Dchronicle.")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PageServerMain.class.getName(),
                bindHost, "0", Integer.toString(pages), Long.toString(seed), HexFormat.of().formatHex(secret), transport));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
            // skip log lines
        }
        if (line == null) {
            p.destroyForcibly();
            throw new IOException("page server process exited before READY: " + cmd);
        }
        String[] f = line.split(" ");
        return new ServerProcess(p, new InetSocketAddress(f[1], Integer.parseInt(f[2])),
                new PageRegion(Long.parseLong(f[3]), Integer.parseInt(f[5]), Long.parseLong(f[4])), f[6]);
    }

    /** Sends {@code signal} (e.g. STOP, CONT) to the server JVM. */
    void signal(String signal) throws IOException, InterruptedException {
        if (TestNetns.run("kill", "-" + signal, Long.toString(process.pid())) != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
        if (signal.equals("STOP")) {
            awaitStopped();
        }
    }

    /** Waits until every thread of the server is stopped: kill returns before the last one is. */
    private void awaitStopped() throws IOException, InterruptedException {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(process.pid()), "task");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < until) {
            boolean all = true;
            try (java.util.stream.Stream<java.nio.file.Path> ts = java.nio.file.Files.list(tasks)) {
                for (java.nio.file.Path t : (Iterable<java.nio.file.Path>) ts::iterator) {
                    String stat;
                    try {
                        stat = java.nio.file.Files.readString(t.resolve("stat"));
                    } catch (java.nio.file.NoSuchFileException gone) {
                        continue; // the thread exited
                    }
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    all &= state == 'T' || state == 't';
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(1);
        }
        throw new IOException("server " + process.pid() + " not stopped 5 s after SIGSTOP");
    }

    /** Kills the server at once (SIGKILL). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
