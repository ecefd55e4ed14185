package org.medes.examples;

import org.medes.core.page.ProcessMemorySnapshot;
import org.medes.core.page.SandboxImage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real function worker process started for the demo; idle once it printed its ready line. */
final class LiveWorker implements AutoCloseable {
    private final Process process;
    private final String readyLine;

    private LiveWorker(Process process, String readyLine) {
        this.process = process;
        this.readyLine = readyLine;
    }

    /** Starts the demo Python worker with input {@code seed} and waits for it to be ready. */
    static LiveWorker startPython(int seed) throws IOException {
        return start("python", seed);
    }

    /** Starts the demo worker of {@code runtime} ({@code python} or {@code node}) with input {@code seed}. */
    static LiveWorker start(String runtime, int seed) throws IOException {
        String resource = switch (runtime) {
            case "python" -> "/workers/demo_worker.py";
            case "node" -> "/workers/demo_worker.js";
            default -> throw new IllegalArgumentException("unknown runtime " + runtime + " (python, node)");
        };
        Path script = Files.createTempFile("medes-demo-worker", resource.substring(resource.lastIndexOf('.')));
        try (InputStream in = LiveWorker.class.getResourceAsStream(resource)) {
            Files.write(script, in.readAllBytes());
        }
        script.toFile().deleteOnExit();
        String program = runtime.equals("python") ? python() : "node";
        List<String> cmd = new ArrayList<>(List.of(program, script.toString(), Integer.toString(seed)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("ready")) {
            p.destroyForcibly();
            throw new IOException("worker " + cmd + " did not become ready (said: " + line + ")");
        }
        return new LiveWorker(p, line);
    }

    private static String python() {
        for (String c : new String[] {"/usr/bin/python3", "/usr/local/bin/python3"}) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        return "python3";
    }

    long pid() {
        return process.pid();
    }

    String readyLine() {
        return readyLine;
    }

    /** Reads the worker's memory as a CRIU dump would keep it. */
    SandboxImage capture(String id) throws IOException {
        return ProcessMemorySnapshot.capture(process.pid(), id);
    }

    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
