package org.medes.criu.checkpoint;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.medes.core.base.BaseSandboxes;
import org.medes.core.registry.OffHeapFingerprintRegistry;
import org.medes.criu.tool.FileTrees;
import org.medes.criu.tool.LibC;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A checkpoint of a process tree, with real CRIU: a Python parent and the child it forked, each
 * holding its own 2 MiB of data, become one dedup image each; the dedup start restores both, and
 * each answers SIGUSR1 with the SHA-256 of its data, which must be what it was before the dump.
 */
class ProcessTreeIntegrationTest {
    /** argv: directory, seed. Each process writes PID.start (its data's digest), then PID.now on SIGUSR1. */
    private static final String TREE = String.join("\n",
            "import os, sys, hashlib, signal, time, random",
            "d, seed = sys.argv[1], int(sys.argv[2])",
            "def put(name, text):",
            "    tmp = os.path.join(d, name + '.tmp')",
            "    with open(tmp, 'w') as f:",
            "        f.write(text)",
            "    os.rename(tmp, os.path.join(d, name))",
            "def serve(tag):",
            "    data = bytearray(random.Random(seed * 10 + tag).randbytes(2 << 20))",
            "    signal.signal(signal.SIGUSR1, lambda s, f: put('%d.now' % os.getpid(), hashlib.sha256(data).hexdigest()))",
            "    put('%d.start' % os.getpid(), hashlib.sha256(data).hexdigest())",
            // short sleeps: with sleep(3600) about one run in six waited in vain for PID.now, both processes alive;
            // most likely the signal came while CRIU's restorer still held it blocked, Python's C-level handler ran
            // on the way out and the sleep was restarted, so the Python handler would have run only when it ended
            "    while True:",
            "        time.sleep(0.05)",
            "serve(1 if os.fork() == 0 else 0)");
    private static final int SIGUSR1 = 10;
    @RegisterExtension
    static final CriuEngine CRIU = new CriuEngine();

    private Path root;
    private CriuCheckpointer criu;
    private OffHeapFingerprintRegistry registry;
    private BaseSandboxes bases;
    private final List<Integer> toKill = new ArrayList<>();


    @BeforeEach
    void setUp() throws IOException {
        root = FileTrees.createTempOnTmpfs("medes-tree-test-");
        criu = CriuCheckpointer.system();
        registry = new OffHeapFingerprintRegistry();
        bases = BaseSandboxes.builder().registry(registry).build();
    }

    @AfterEach
    void tearDown() throws IOException {
        for (int pid : toKill) {
            LibC.get().kill(pid, LibC.SIGKILL);
        }
        bases.close();
        registry.close();
        FileTrees.delete(root);
    }

    /** A started tree: the parent (a child of this JVM) and the digests its two processes wrote, by pid. */
    private record Tree(Process parent, Map<Integer, String> digests) {
    }

    private Tree start(String name, int seed) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        Process p = new ProcessBuilder("setsid", "/usr/bin/python3", "-c", TREE, dir.toString(), Integer.toString(seed))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Map<Integer, String> digests = awaitFiles(dir, ".start", 2);
        digests.keySet().forEach(toKill::add);
        assertThat(digests).containsKey((int) p.pid());
        return new Tree(p, digests);
    }

    /** Waits until {@code dir} holds {@code n} files PID{@code suffix}; their contents by pid. */
    private static Map<Integer, String> awaitFiles(Path dir, String suffix, int n) throws Exception {
        long end = System.nanoTime() + LiveWorkers.DEADLINE.toNanos();
        while (true) {
            Map<Integer, String> found = new TreeMap<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + suffix)) {
                for (Path f : ds) {
                    String name = f.getFileName().toString();
                    found.put(Integer.parseInt(name.substring(0, name.length() - suffix.length())), Files.readString(f));
                }
            }
            if (found.size() >= n) {
                return found;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(dir + " holds " + found + " after " + LiveWorkers.DEADLINE);
            }
            Thread.sleep(20);
        }
    }

    @ParameterizedTest(name = "streamed = {0}")
    @ValueSource(booleans = {false, true})
    void bothProcessesOfATreeAreDedupedAndStartWithTheirData(boolean streamed) throws Exception {
        Tree base = start("base", 1);
        Tree target = start("target", 2);
        CheckpointDedup dedup = new CheckpointDedup(CRIU.engine(), bases);
        Path baseDir = root.resolve("base-ck");
        criu.dump(base.parent().pid(), baseDir, true);
        assertThat(dedup.addBases("tree", baseDir)).hasSize(2);

        int parent = (int) target.parent().pid();
        int child = target.digests().keySet().stream().filter(pid -> pid != parent).findFirst().orElseThrow();
        Path ck = root.resolve("target-ck");
        // the child is orphaned when CRIU kills the tree: this JVM adopts and reaps it, so that its
        // pid is free again (this machine's pid 1 does not reap orphans)
        assertThat(LibC.get().prctl(LibC.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)).isZero();
        try {
            criu.dump(parent, ck, false);
            target.parent().waitFor();
            int[] status = new int[1];
            assertThat(LibC.get().waitpid(child, status, 0)).as("reaped the dumped child").isEqualTo(child);
        } finally {
            LibC.get().prctl(LibC.PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }

        Path file = root.resolve("dedup/tree.medes");
        CheckpointDedupResult r = dedup.dedup(ck, file);
        assertThat(file).exists();
        assertThat(CheckpointFiles.imageOf(file, child)).as("the child's dedup image").exists();
        assertThat(r.pages()).as("both processes' pages").isGreaterThan(2 * 512);
        try (DirectoryStream<Path> raw = Files.newDirectoryStream(ck, "pages-*.img")) {
            assertThat(raw).as("raw pages deleted").isEmpty();
        }

        Path out = root.resolve("started");
        DedupStartResult s;
        try (DedupStart starter = new DedupStart(CRIU.engine(), bases, criu)) {
            s = streamed ? starter.startStreamed(file, out) : starter.start(file, out);
        }
        assertThat(s.pid()).isEqualTo(parent);
        Path dir = root.resolve("target");
        for (int pid : List.of(parent, child)) {
            assertThat(Processes.isRunning(pid)).as("pid %d runs", pid).isTrue();
            assertThat(LibC.get().kill(pid, SIGUSR1)).isZero();
        }
        assertThat(awaitFiles(dir, ".now", 2)).as("each process's data as before the dump")
                .isEqualTo(target.digests());
    }
}
