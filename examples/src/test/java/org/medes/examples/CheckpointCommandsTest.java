package org.medes.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.criu.checkpoint.CriuCheckpointer;
import org.medes.criu.checkpoint.FunctionWorker;
import org.medes.criu.checkpoint.RestoreResult;
import org.medes.criu.tool.Criu;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code ./medes checkpoint}, {@code dedup} and {@code restore} end to end on real workers and real
 * CRIU (fails without CRIU unless {@code -Dmedes.criu.disabled=true}); option errors without it.
 */
class CheckpointCommandsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private final List<FunctionWorker> workers = new ArrayList<>();
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        root = FileTrees.createTempOnTmpfs("medes-cli-test-");
    }

    @AfterEach
    void tearDown() throws IOException {
        workers.forEach(FunctionWorker::close);
        if (root != null) {
            FileTrees.delete(root);
        }
    }

    private static void criuMustBeAvailable() {
        assumeFalse(Boolean.getBoolean(Criu.DISABLED_PROPERTY), "CRIU switched off by -D" + Criu.DISABLED_PROPERTY);
        Criu.ensureAvailability(); // throws, failing the class, naming where CRIU was looked for
    }

    private FunctionWorker start(String function, int input) throws IOException {
        FunctionWorker w = FunctionWorker.start(function, input, root.resolve(function + "-" + input), DEADLINE);
        workers.add(w);
        return w;
    }

    private static TreeMap<String, Path> files(Path dir, String glob) throws IOException {
        TreeMap<String, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(p -> out.put(p.getFileName().toString(), p));
        }
        return out;
    }

    /** Every {@code glob} file of the dump {@code dumpDir} is in {@code rebuiltDir}, byte for byte. */
    private static void assertSameBytes(Path dumpDir, Path rebuiltDir, String glob) throws IOException {
        for (Map.Entry<String, Path> f : files(dumpDir, glob).entrySet()) {
            assertThat(Files.mismatch(f.getValue(), rebuiltDir.resolve(f.getKey())))
                    .as("%s of %s byte-equal to the dump's", f.getKey(), rebuiltDir).isEqualTo(-1);
        }
    }

    private static SimulateCommandTest.Result ok(String... args) throws Exception {
        SimulateCommandTest.Result r = SimulateCommandTest.run(args);
        assertThat(r.code()).as("%s exit code; stderr: %s", String.join(" ", args), r.err()).isZero();
        return r;
    }

    @Test
    void checkpointDedupAndRestoreEndToEnd() throws Exception {
        criuMustBeAvailable();
        FunctionWorker base = start("numpy-sum", 11);
        FunctionWorker target = start("numpy-sum", 12);
        Path baseDir = root.resolve("base-ck");
        Path targetDir = root.resolve("target-ck");
        ok("checkpoint", "--pid", Long.toString(base.pid()), "--out", baseDir.toString(), "--leave-running");
        long first = FunctionWorker.value(target.invoke());
        SimulateCommandTest.Result ck = ok("checkpoint", "--pid", Long.toString(target.pid()), "--out",
                targetDir.toString());
        assertThat(ck.out()).contains("checkpointed pid " + target.pid()).contains("process ended");
        target.awaitReaped(DEADLINE);

        Path file = root.resolve("dedup/target.medes");
        SimulateCommandTest.Result d = ok("dedup", "--base", baseDir.toString(), "--out", file.toString(),
                "--keep-pages", targetDir.toString());
        System.out.print(d.out());
        assertThat(d.out()).containsPattern("\\d+ pages \\(").containsPattern("saved \\d+\\.\\d %")
                .containsPattern("\\d+ MB/s").contains("raw pages kept");
        assertThat(file).exists();
        assertThat(file.resolveSibling("target.medes.criu").resolve("pstree.img")).exists();

        Path rebuilt = root.resolve("rebuilt");
        SimulateCommandTest.Result r = ok("restore", "--base", baseDir.toString(), "--out", rebuilt.toString(),
                file.toString());
        System.out.print(r.out());
        assertThat(r.out()).contains("criu restore -D " + rebuilt);
        assertThat(files(rebuilt, "*.img").keySet()).isEqualTo(files(targetDir, "*.img").keySet());
        assertThat(files(rebuilt, "pages-*.img")).isNotEmpty();
        assertSameBytes(targetDir, rebuilt, "*.img");

        // the payload blocks' level is the user's: level 0 (LZ4 per page) stores more and restores the same pages
        Path lz4File = root.resolve("dedup/target-lz4.medes");
        ok("dedup", "--base", baseDir.toString(), "--out", lz4File.toString(), "--keep-pages", "--zstd-level", "0",
                targetDir.toString());
        assertThat(Files.size(lz4File)).isGreaterThan(Files.size(file));
        Path rebuiltLz4 = root.resolve("rebuilt-lz4");
        ok("restore", "--base", baseDir.toString(), "--out", rebuiltLz4.toString(), lz4File.toString());
        assertSameBytes(targetDir, rebuiltLz4, "pages-*.img");

        RestoreResult s = CriuCheckpointer.system().restore(rebuilt);
        assertThat(s.pid()).isEqualTo(target.pid());
        FunctionWorker back = assertCarriesOn(s.pid(), target, first);
        back.close();
        back.awaitReaped(DEADLINE);

        // the same dedup image started again, streamed: no image directory is written
        Path streamed = root.resolve("streamed");
        SimulateCommandTest.Result st = ok("restore", "--base", baseDir.toString(), "--out", streamed.toString(),
                "--stream", file.toString());
        System.out.print(st.out());
        assertThat(st.out()).contains("started " + file + " as pid " + target.pid()).contains("criu restore --stream");
        assertThat(files(streamed, "*.img")).isEmpty();
        assertCarriesOn(target.pid(), target, first);
    }

    /**
     * Attaches to the worker restored as {@code pid} (kept for the tear-down) and checks that its
     * next answer carries on from the dumped one's: its second invocation, value {@code first + 2}.
     */
    private FunctionWorker assertCarriesOn(long pid, FunctionWorker target, long first) throws Exception {
        FunctionWorker w = FunctionWorker.attach(pid, target.dir());
        workers.add(w);
        w.awaitReady(DEADLINE);
        String answer = w.invoke();
        assertThat(FunctionWorker.counter(answer)).as(answer).isEqualTo(2);
        assertThat(FunctionWorker.value(answer)).as(answer).isEqualTo(first + 2);
        return w;
    }

    @Test
    void optionErrorsExitWithTwoAndSayWhat() throws Exception {
        SimulateCommandTest.Result r = SimulateCommandTest.run("dedup", "--out", "x.medes", "ck");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("dedup: at least one --base");
        r = SimulateCommandTest.run("restore", "--base", "b", "--out");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("restore: --out needs a value");
        r = SimulateCommandTest.run("dedup", "--base", "b", "--out", "x.medes", "--zstd-level", "23", "ck");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--zstd-level must be in 0..22, was 23");
        r = SimulateCommandTest.run("restore", "--base", "b", "--out", "o", "--zstd-level", "3", "x.medes");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unexpected argument --zstd-level");
        r = SimulateCommandTest.run("checkpoint", "--pid", "1", "--bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown option --bogus");
        r = SimulateCommandTest.run("help");
        assertThat(r.out()).contains("dedup --base DIR").contains("restore --base DIR").contains("checkpoint --pid PID");
    }

    @Test
    void restoreOfAMissingDedupImageExitsWithOne() throws Exception {
        SimulateCommandTest.Result r = SimulateCommandTest.run("restore", "--base", root.toString(), "--out",
                root.resolve("out").toString(), root.resolve("none.medes").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("restore: ");
    }
}
