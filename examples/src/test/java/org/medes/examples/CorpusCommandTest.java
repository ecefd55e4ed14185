package org.medes.examples;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.medes.criu.checkpoint.FunctionWorker;
import org.medes.criu.image.CriuImageDir;
import org.medes.criu.tool.Criu;
import org.medes.criu.tool.FileTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code ./medes corpus} on real Python workers and real CRIU (fails without CRIU unless
 * {@code -Dmedes.criu.disabled=true}); option errors without it.
 */
class CorpusCommandTest {
    private Path root;

    @BeforeEach
    void setUp() throws IOException {
        root = FileTrees.createTempOnTmpfs("medes-corpus-");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (root != null) {
            FileTrees.delete(root);
        }
    }

    @Test
    void pythonCorpusListsCheckpointsThatOpen() throws Exception {
        assumeFalse(Boolean.getBoolean(Criu.DISABLED_PROPERTY), "CRIU switched off by -D" + Criu.DISABLED_PROPERTY);
        Criu.ensureAvailability(); // throws, failing the class, naming where CRIU was looked for
        Path out = root.resolve("c");
        SimulateCommandTest.Result r = SimulateCommandTest.run("corpus", "--out", out.toString(), "--instances", "2",
                "--runtime", "python");
        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
        System.out.print(r.out());
        assertThat(r.out()).contains("corpus of 4 checkpoints").contains("randomize_va_space=2");

        List<String> lines = Files.readAllLines(out.resolve(CorpusCommand.CSV));
        assertThat(lines.get(0)).isEqualTo(CorpusCommand.CSV_HEADER);
        assertThat(lines).hasSize(1 + 2 * FunctionWorker.FUNCTIONS.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertThat(f).hasSize(10);
            assertThat(f[0]).isEqualTo("python");
            assertThat(FunctionWorker.FUNCTIONS).contains(f[1]);
            int instance = Integer.parseInt(f[2]);
            assertThat(Integer.parseInt(f[3])).isEqualTo(instance + 1);
            assertThat(f[5]).isEqualTo("python-" + f[1] + "/" + instance);
            assertThat(FunctionWorker.counter(f[9])).as(f[9]).isEqualTo(CorpusCommand.INVOCATIONS);
            CriuImageDir images = CriuImageDir.open(out.resolve(f[5]));
            assertThat(images.pstree().get(0).pid()).isEqualTo(Long.parseLong(f[4]));
            assertThat(CorpusCommand.storedPages(out.resolve(f[5]))).isEqualTo(Long.parseLong(f[6])).isPositive();
            assertThat(Files.isDirectory(out.resolve("python-" + f[1] + "/worker-" + instance))).isTrue();
        }
    }

    @Test
    void optionErrorsExitWithTwoAndSayWhat() throws Exception {
        SimulateCommandTest.Result r = SimulateCommandTest.run("corpus", "--instances", "2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("corpus: --out is required without --compare");
        r = SimulateCommandTest.run("corpus", "--out", root.toString(), "--runtime", "ruby");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown runtime ruby");
        r = SimulateCommandTest.run("corpus", "--out", root.toString(), "--runtime", "node", "--functions", "numpy-sum");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("has function numpy-sum");
        r = SimulateCommandTest.run("corpus", "--out", root.toString(), "--instances", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--instances must be at least 1");
        r = SimulateCommandTest.run("help");
        assertThat(r.out()).contains("corpus [--out DIR]");
        r = SimulateCommandTest.run("corpus", "--out", root.toString(), "--instances", "1", "--compare");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--compare needs --instances 2 or more");
    }

    @Test
    void compareRunsEveryEngineOnTheCorpusPairsAndRemovesItsTemporaryCorpus() throws Exception {
        java.util.Set<Path> before = corpora();
        SimulateCommandTest.Result r = SimulateCommandTest.run("corpus", "--instances", "2",
                "--runtime", "python", "--functions", "numpy-sum", "--compare");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("removed the temporary corpus /dev/shm/medes-corpus-");
        assertThat(corpora()).as("no corpus left on /dev/shm").isEqualTo(before);
        assertThat(r.out()).contains("== python numpy-sum: instance 1 against instance 0");
        java.util.List<String> rows = r.out().lines().filter(l -> l.matches("^(medes|xdelta3|lz4|ksm|zstd)\\s.*")).toList();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(4).allSatisfy(l -> assertThat(l).endsWith("true"));
    }

    private static java.util.Set<Path> corpora() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("medes-corpus-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }
}
